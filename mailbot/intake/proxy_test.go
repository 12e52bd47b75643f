package intake

import (
	"bufio"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// noIdleProxy forwards to ts but strips IDLE from capability lists: the
// imapserver always advertises IDLE, and the poll path needs a server
// without it.
func noIdleProxy(t *testing.T, ts *testServer) string {
	return rewriteProxy(t, ts, stripIdle)
}

func stripIdle(line string) string {
	if strings.Contains(line, "CAPABILITY") {
		line = strings.ReplaceAll(line, " IDLE", "")
	}
	return line
}

// rewriteProxy forwards to ts, passing each server line through rewrite.
// Line-based rewriting is fine for the tests' plain-text messages.
func rewriteProxy(t *testing.T, ts *testServer, rewrite func(string) string) string {
	return newProxy(t, ts, rewrite).addr
}

// proxy forwards connections to a test server. freeze makes it behave like
// a server whose process was stopped (SIGSTOP): the connections open at that
// moment stay open, but nothing more crosses them in either direction.
// Connections accepted later are forwarded as usual.
type proxy struct {
	addr    string
	rewrite func(string) string

	mu      sync.Mutex
	open    []*proxyConn // not yet frozen
	accepts int
	closed  chan struct{} // releases frozen copiers at cleanup
}

// proxyConn is one forwarded connection; frozen is closed by freeze.
type proxyConn struct {
	client net.Conn
	frozen chan struct{}
}

func newProxy(t *testing.T, ts *testServer, rewrite func(string) string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	p := &proxy{addr: ln.Addr().String(), rewrite: rewrite, closed: make(chan struct{})}
	t.Cleanup(func() {
		ln.Close()
		close(p.closed)
	})
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			pc := &proxyConn{client: conn, frozen: make(chan struct{})}
			p.mu.Lock()
			p.open = append(p.open, pc)
			p.accepts++
			p.mu.Unlock()
			go p.forward(pc, ts.addr)
		}
	}()
	return p
}

// freeze stops forwarding on every connection accepted so far.
func (p *proxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pc := range p.open {
		close(pc.frozen)
	}
	p.open = nil
}

// accepted says how many connections the proxy accepted: each is a session.
func (p *proxy) accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepts
}

// hold reports whether pc is frozen, and if so blocks until cleanup,
// keeping the connection open and silent.
func (p *proxy) hold(pc *proxyConn) bool {
	select {
	case <-pc.frozen:
		<-p.closed
		return true
	default:
		return false
	}
}

func (p *proxy) forward(pc *proxyConn, addr string) {
	client := pc.client
	defer client.Close()
	server, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer server.Close()
	go func() {
		defer server.Close()
		buf := make([]byte, 32<<10)
		for {
			n, err := client.Read(buf)
			if p.hold(pc) || n > 0 && writeAll(server, buf[:n]) != nil || err != nil {
				return
			}
		}
	}()
	br := bufio.NewReader(server)
	for {
		line, err := br.ReadString('\n')
		if p.hold(pc) {
			return
		}
		if _, werr := io.WriteString(client, p.rewrite(line)); werr != nil || err != nil {
			return
		}
	}
}

func writeAll(w io.Writer, b []byte) error {
	_, err := w.Write(b)
	return err
}
