package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/tlsmode"
)

// env is one test's world: fake clock and queue, real SMTP server, sender.
type env struct {
	t     *testing.T
	ev    *events
	clock *fakeClock
	q     *fakeQueue
	ts    *testServer
	logs  *syncBuffer
	cfg   Config
	s     *Sender
	n     int // entries enqueued, for ids
}

func newEnv(t *testing.T, o serverOpts) *env {
	ev := &events{}
	e := &env{t: t, ev: ev, clock: newClock(), q: newQueue(ev), logs: &syncBuffer{}}
	e.ts = newTestServer(t, ev, o)
	e.cfg = Config{
		Addr:     e.ts.Addr,
		TLSMode:  tlsmode.Plain,
		Username: "secbot",
		Password: "hunter2",
		HeloName: "secbot.test",
		Now:      e.clock.Now,
		Logger:   slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	return e
}

// start runs the sender until the test ends, then checks it stopped cleanly
// and that the queue was never misused.
func (e *env) start() {
	e.s = New(e.cfg, e.q)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.s.Run(ctx) }()
	e.t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				e.t.Errorf("Run returned %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			e.t.Errorf("Run did not return after cancel")
		}
		if m := e.q.misuse(); len(m) > 0 {
			e.t.Errorf("queue misuse: %v", m)
		}
	})
}

// enqueue adds a mail queued now and returns it; it does not kick.
func (e *env) enqueue(to ...string) Entry {
	e.n++
	ent := Entry{
		ID:     fmt.Sprintf("<m%d@secbot.test>", e.n),
		From:   "security@secbot.test",
		To:     to,
		Data:   testMessage(e.n),
		Queued: e.clock.Now(),
	}
	e.q.add(ent)
	return ent
}

// testMessage is CRLF mail with an embargoed subject that must never reach
// the logs, and a leading-dot line to exercise dot-stuffing.
func testMessage(n int) []byte {
	return fmt.Appendf(nil, "From: security@secbot.test\r\n"+
		"Subject: EMBARGOED CVE-%d\r\n"+
		"Message-ID: <m%d@secbot.test>\r\n\r\n"+
		"secret body line\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n", n, n)
}

func (e *env) waitRetired(id string) qitem {
	e.t.Helper()
	waitFor(e.t, "retirement of "+id, func() bool { return e.q.get(id).retired })
	return e.q.get(id)
}

func (e *env) waitFails(id string, n int) qitem {
	e.t.Helper()
	waitFor(e.t, fmt.Sprintf("%d failures of %s", n, id), func() bool { return len(e.q.get(id).fails) >= n })
	return e.q.get(id)
}

// barrier sends one good mail through and waits for it, proving the sender
// has finished with everything kicked before.
func (e *env) barrier() {
	e.t.Helper()
	e.clock.Advance(2 * time.Hour)
	b := e.enqueue("barrier@example.net")
	e.s.Kick()
	if it := e.waitRetired(b.ID); len(it.delivered) != 1 {
		e.t.Fatalf("barrier mail not delivered: %+v", it.fails)
	}
}
