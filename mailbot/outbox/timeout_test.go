package outbox

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// silentServer accepts connections and never says a word.
func silentServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

func TestDialTimeout(t *testing.T) {
	e := newEnv(t, serverOpts{})
	e.cfg.Addr = silentServer(t)
	e.cfg.DialTimeout = 100 * time.Millisecond
	e.start()
	m := e.enqueue("alice@example.net")
	e.s.Kick()
	it := e.waitFails(m.ID, 1)
	if f := it.fails[0]; f.permanent || !strings.Contains(f.reply, "deadline exceeded") {
		t.Errorf("failure %+v, want temporary timeout", f)
	}
}

func TestSendTimeout(t *testing.T) {
	e := newEnv(t, serverOpts{})
	release := make(chan struct{})
	e.ts.stall = release
	t.Cleanup(func() { close(release) })
	e.cfg.SendTimeout = 100 * time.Millisecond
	e.start()
	m := e.enqueue("alice@example.net")
	e.s.Kick()
	it := e.waitFails(m.ID, 1)
	if f := it.fails[0]; f.permanent || !strings.Contains(f.reply, "deadline exceeded") {
		t.Errorf("failure %+v, want temporary timeout", f)
	}
}
