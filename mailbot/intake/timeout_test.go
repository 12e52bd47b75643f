package intake

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestStalledServerTimesOut: a peer that accepts but never answers must not
// hang the loop: the command timeout closes the connection and the loop
// reconnects, and cancelling still returns promptly.
func TestStalledServerTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	var (
		accepts atomic.Int64
		mu      sync.Mutex
		conns   []net.Conn
	)
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepts.Add(1)
			mu.Lock()
			conns = append(conns, c) // held open, silent
			mu.Unlock()
		}
	}()

	cfg := testConfig(t, &testServer{addr: ln.Addr().String()})
	cfg.CommandTimeout = 100 * time.Millisecond
	l := startLoop(t, cfg, &memSink{})
	waitFor(t, "3 connection attempts", func() bool { return accepts.Load() >= 3 })
	l.stop(t)
}
