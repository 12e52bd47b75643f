package intake

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
)

// noIdleProxy forwards to ts but strips IDLE from capability lists: the
// imapserver always advertises IDLE, and the poll path needs a server
// without it.
func noIdleProxy(t *testing.T, ts *testServer) string {
	return rewriteProxy(t, ts, func(line string) string {
		if strings.Contains(line, "CAPABILITY") {
			line = strings.ReplaceAll(line, " IDLE", "")
		}
		return line
	})
}

// rewriteProxy forwards to ts, passing each server line through rewrite.
// Line-based rewriting is fine for the tests' plain-text messages.
func rewriteProxy(t *testing.T, ts *testServer, rewrite func(string) string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go proxyConn(conn, ts.addr, rewrite)
		}
	}()
	return ln.Addr().String()
}

func proxyConn(client net.Conn, addr string, rewrite func(string) string) {
	defer client.Close()
	server, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer server.Close()
	go func() {
		io.Copy(server, client) //nolint:errcheck // ends with either side
		server.Close()
	}()
	br := bufio.NewReader(server)
	for {
		line, err := br.ReadString('\n')
		if _, werr := io.WriteString(client, rewrite(line)); werr != nil || err != nil {
			return
		}
	}
}
