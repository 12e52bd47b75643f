package intake

import (
	"net"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
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
	if n := l.reconnects.Load(); n < 2 {
		t.Errorf("OnReconnect called %d times before the third connection, want 2", n)
	}
	l.stop(t)
}

// TestFrozenServerIsNoticed: a server that stops answering while the loop
// waits for mail, its TCP connection still open (a stopped process), is
// noticed by the keep-alive, not after the poll interval and a command
// timeout: the loop reconnects and delivers mail that arrived meanwhile.
// The poll and command timers are out of the way (an hour), so only the
// keep-alive can end the frozen session.
func TestFrozenServerIsNoticed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		noIdle bool
	}{
		{name: "idle"},
		{name: "poll", noIdle: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []serverOption
			rewrite := func(line string) string { return line }
			if tc.noIdle { // IMAP4rev2 implies IDLE
				opts = append(opts, withCaps(imap.CapSet{imap.CapIMAP4rev1: {}}))
				rewrite = stripIdle
			}
			ts := newTestServer(t, opts...)
			p := newProxy(t, ts, rewrite)
			cfg := testConfig(t, ts)
			cfg.Addr = p.addr
			cfg.PollInterval, cfg.IdleRestart, cfg.CommandTimeout = time.Hour, time.Hour, time.Hour
			cfg.KeepAlive, cfg.KeepAliveTimeout = 20*time.Millisecond, 200*time.Millisecond
			sink := &memSink{}
			l := startLoop(t, cfg, sink)
			l.waitIdle(t, 1)

			p.freeze()
			ts.appendMsg("INBOX", testMessage(1))
			waitFor(t, "the delivery after reconnecting", func() bool { return sink.count() == 1 })
			if n := p.accepted(); n < 2 {
				t.Errorf("proxy accepted %d connections, want a reconnect", n)
			}
		})
	}
}

// TestKeepAliveInIdle: when the keep-alive is due in IDLE, the loop ends
// IDLE, proves the server alive with a NOOP and goes back to IDLE, all
// in one wait for mail: no re-scan, no new idle notification.
func TestKeepAliveInIdle(t *testing.T) {
	ts := newTestServer(t)
	cfg := testConfig(t, ts)
	cfg.PollInterval, cfg.IdleRestart = time.Hour, time.Hour
	cfg.KeepAlive = 20 * time.Millisecond
	l := startLoop(t, cfg, &memSink{})
	l.waitIdle(t, 1)
	waitFor(t, "three DONEs", func() bool { return strings.Count(ts.debug.String(), "\r\nDONE\r\n") >= 3 })
	l.stop(t)
	if n := len(noopCommand.FindAllString(ts.debug.String(), -1)); n < 2 {
		t.Errorf("client sent %d NOOPs for three DONEs, want a NOOP after each", n)
	}
	if n := l.idles.Load(); n != 1 {
		t.Errorf("%d idle notifications, want 1: the keep-alive is no re-scan", n)
	}
}

// noopCommand matches a NOOP sent by the client in the wire log.
var noopCommand = regexp.MustCompile(`(?m)^T\d+ NOOP\r$`)
