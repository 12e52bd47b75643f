package outbox

import (
	"bytes"
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDeliver(t *testing.T) {
	e := newEnv(t, serverOpts{})
	e.start()
	m := e.enqueue("alice@example.net", "bob@example.net")
	e.s.Kick()

	it := e.waitRetired(m.ID)
	if len(it.delivered) != 1 || len(it.fails) != 0 || it.e.Attempts != 1 {
		t.Fatalf("queue record %+v, want one delivery after one attempt", it)
	}
	if !strings.HasPrefix(it.delivered[0], "250 ") {
		t.Errorf("reply %q, want 250", it.delivered[0])
	}
	msgs := e.ts.messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d mails, want 1", len(msgs))
	}
	got := msgs[0]
	if got.User != "secbot" {
		t.Errorf("AUTH PLAIN user %q, want secbot", got.User)
	}
	if got.From != m.From || !slices.Equal(got.To, m.To) {
		t.Errorf("envelope %s -> %v, want %s -> %v", got.From, got.To, m.From, m.To)
	}
	if !bytes.Equal(got.Data, m.Data) {
		t.Errorf("data differs:\n got %q\nwant %q", got.Data, m.Data)
	}
	for _, secret := range []string{"EMBARGOED", "secret body", "alice@", "hunter2"} {
		if strings.Contains(e.logs.String(), secret) {
			t.Errorf("logs contain %q:\n%s", secret, e.logs.String())
		}
	}
}

func TestRetryThenDeliver(t *testing.T) {
	e := newEnv(t, serverOpts{})
	e.ts.fail("rcpt:alice@example.net",
		smtpErr(421, 4, 3, 0, "closing"), smtpErr(451, 4, 3, 0, "try later"))
	e.start()
	m := e.enqueue("alice@example.net")

	for i, code := range []string{"421", "451"} {
		start := e.clock.Now()
		e.s.Kick()
		it := e.waitFails(m.ID, i+1)
		f := it.fails[i]
		if f.permanent || !strings.Contains(f.reply, code) {
			t.Fatalf("failure %d = %+v, want temporary %s", i+1, f, code)
		}
		// The next attempt was recorded with the backoff for this attempt.
		base := e.cfg.withDefaults().MinBackoff << i
		lo, hi := base/2, base*3/2
		if d := it.nexts[i].Sub(start); d < lo || d > hi {
			t.Errorf("attempt %d: next attempt after %v, want in [%v, %v]", i+1, d, lo, hi)
		}
		e.clock.Advance(time.Hour)
	}
	e.s.Kick()
	it := e.waitRetired(m.ID)
	if len(it.delivered) != 1 || len(e.ts.messages()) != 1 {
		t.Fatalf("delivered %d times to queue, %d to server; want once", len(it.delivered), len(e.ts.messages()))
	}
	want := []string{
		"attempt " + m.ID, "accept", "failed " + m.ID,
		"attempt " + m.ID, "accept", "failed " + m.ID,
		"attempt " + m.ID, "accept", "delivered " + m.ID,
	}
	if got := e.ev.snapshot(); !slices.Equal(got, want) {
		t.Errorf("events\n got %q\nwant %q", got, want)
	}
}

func TestPermanentRcpt(t *testing.T) {
	e := newEnv(t, serverOpts{})
	e.ts.failAlways("rcpt:nobody@example.net", smtpErr(550, 5, 1, 1, "no such user"))
	e.start()
	m := e.enqueue("nobody@example.net")
	e.s.Kick()

	it := e.waitRetired(m.ID)
	if len(it.fails) != 1 || !it.fails[0].permanent || !strings.Contains(it.fails[0].reply, "550 5.1.1") {
		t.Fatalf("failures %+v, want one permanent 550", it.fails)
	}
	e.barrier()
	if n := e.ts.rcptCount("nobody@example.net"); n != 1 {
		t.Errorf("rejected recipient tried %d times, want 1", n)
	}
	if len(e.q.get(m.ID).fails) != 1 {
		t.Errorf("retired entry failed again")
	}
}

func TestPermanentData(t *testing.T) {
	e := newEnv(t, serverOpts{})
	e.ts.fail("data", smtpErr(554, 5, 6, 0, "content rejected"))
	e.start()
	m := e.enqueue("alice@example.net")
	e.s.Kick()

	it := e.waitRetired(m.ID)
	if len(it.fails) != 1 || !it.fails[0].permanent || !strings.HasPrefix(it.fails[0].reply, "data: 554") {
		t.Fatalf("failures %+v, want one permanent 554 on data", it.fails)
	}
}

func TestPartialRecipients(t *testing.T) {
	e := newEnv(t, serverOpts{})
	e.ts.failAlways("rcpt:nobody@example.net", smtpErr(550, 5, 1, 1, "no such user"))
	e.start()
	m := e.enqueue("alice@example.net", "nobody@example.net")
	e.s.Kick()

	it := e.waitRetired(m.ID)
	if len(it.delivered) != 0 || len(it.fails) != 1 || !it.fails[0].permanent {
		t.Fatalf("queue record %+v, want one permanent failure", it)
	}
	for _, want := range []string{"partial", "<alice@example.net>", "<nobody@example.net>: 550 5.1.1"} {
		if !strings.Contains(it.fails[0].reply, want) {
			t.Errorf("reply %q lacks %q", it.fails[0].reply, want)
		}
	}
	msgs := e.ts.messages()
	if len(msgs) != 1 || !slices.Equal(msgs[0].To, []string{"alice@example.net"}) {
		t.Fatalf("server got %+v, want one mail to alice only", msgs)
	}
}

func TestTemporaryRcptPostponesAll(t *testing.T) {
	e := newEnv(t, serverOpts{})
	e.ts.fail("rcpt:bob@example.net", smtpErr(452, 4, 2, 2, "mailbox full"))
	e.start()
	m := e.enqueue("alice@example.net", "bob@example.net")
	e.s.Kick()

	it := e.waitFails(m.ID, 1)
	if it.fails[0].permanent || len(e.ts.messages()) != 0 {
		t.Fatalf("failure %+v with %d mails sent, want temporary and none", it.fails[0], len(e.ts.messages()))
	}
	e.clock.Advance(time.Hour)
	e.s.Kick()
	e.waitRetired(m.ID)
	if msgs := e.ts.messages(); len(msgs) != 1 || len(msgs[0].To) != 2 {
		t.Fatalf("server got %+v, want one mail to both", msgs)
	}
}

func TestExpiry(t *testing.T) {
	e := newEnv(t, serverOpts{})
	e.cfg.Expire = time.Hour
	e.ts.failAlways("rcpt:alice@example.net", smtpErr(451, 4, 3, 0, "try later"))
	e.start()
	m := e.enqueue("alice@example.net")
	e.s.Kick()
	if it := e.waitFails(m.ID, 1); it.fails[0].permanent {
		t.Fatalf("first 451 was permanent before expiry")
	}

	e.clock.Advance(e.cfg.Expire + time.Minute)
	e.s.Kick()
	it := e.waitRetired(m.ID)
	last := it.fails[len(it.fails)-1]
	if len(it.fails) != 2 || !last.permanent || !strings.Contains(last.reply, "expired") {
		t.Fatalf("failures %+v, want a second, permanent, expired one", it.fails)
	}
	e.barrier()
	if n := e.ts.rcptCount("alice@example.net"); n != 2 {
		t.Errorf("expired recipient tried %d times, want 2", n)
	}
}

func TestNetworkError(t *testing.T) {
	e := newEnv(t, serverOpts{})
	e.cfg.Addr = closedAddr(t)
	e.start()
	m1 := e.enqueue("alice@example.net")
	m2 := e.enqueue("bob@example.net")
	e.s.Kick()

	for _, m := range []Entry{m1, m2} {
		it := e.waitFails(m.ID, 1)
		if f := it.fails[0]; f.permanent || !strings.Contains(f.reply, "dial") || it.retired {
			t.Errorf("%s: failure %+v, want temporary dial error", m.ID, f)
		}
	}
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestPlainAuthNonLoopbackRefused(t *testing.T) {
	e := newEnv(t, serverOpts{})
	e.cfg.Addr = "192.0.2.1:25" // TEST-NET-1: must never be dialled
	e.enqueue("alice@example.net")
	s := New(e.cfg, e.q)
	s.Kick()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.Run(ctx)
	if !errors.Is(err, ErrPlainNotLoopback) {
		t.Fatalf("Run = %v, want ErrPlainNotLoopback", err)
	}
	if e.q.dueCalls != 0 || len(e.ev.snapshot()) != 0 {
		t.Errorf("queue touched (%d Due calls, events %v) despite invalid config", e.q.dueCalls, e.ev.snapshot())
	}
}

func TestConnectionReuse(t *testing.T) {
	e := newEnv(t, serverOpts{})
	e.ts.failAlways("rcpt:nobody@example.net", smtpErr(550, 5, 1, 1, "no such user"))
	e.ts.fail("mail", nil, smtpErr(451, 4, 3, 0, "later"))
	e.start()
	ms := []Entry{
		e.enqueue("alice@example.net"),
		e.enqueue("alice@example.net"), // MAIL 451, then RSET
		e.enqueue("nobody@example.net"),
		e.enqueue("bob@example.net"),
	}
	e.s.Kick()
	e.waitFails(ms[1].ID, 1)
	for _, i := range []int{0, 2, 3} {
		e.waitRetired(ms[i].ID)
	}
	if n := slices.Index(e.ev.snapshot(), "accept"); n < 0 || slices.Contains(e.ev.snapshot()[n+1:], "accept") {
		t.Errorf("events %v, want exactly one connection", e.ev.snapshot())
	}
	if msgs := e.ts.messages(); len(msgs) != 2 {
		t.Errorf("server got %d mails, want 2", len(msgs))
	}
}

func TestAttemptNotRecordedNothingSent(t *testing.T) {
	e := newEnv(t, serverOpts{})
	e.q.attemptErr = errors.New("disk full")
	e.start()
	m := e.enqueue("alice@example.net")
	e.s.Kick()
	waitFor(t, "failed Attempt", func() bool { return slices.Contains(e.ev.snapshot(), "attempt-error "+m.ID) })

	e.q.mu.Lock()
	e.q.attemptErr = nil
	e.q.mu.Unlock()
	e.s.Kick()
	e.waitRetired(m.ID)
	// The first wake may also have seen the entry: any number of failed
	// Attempts, but no connection until one succeeded.
	got := e.ev.snapshot()
	i := slices.Index(got, "attempt "+m.ID)
	if i < 0 {
		t.Fatalf("no recorded attempt in %q", got)
	}
	for _, ev := range got[:i] {
		if ev != "attempt-error "+m.ID {
			t.Errorf("event %q before the first recorded attempt: %q", ev, got)
		}
	}
	if want := []string{"attempt " + m.ID, "accept", "delivered " + m.ID}; !slices.Equal(got[i:], want) {
		t.Errorf("events after recording\n got %q\nwant %q", got[i:], want)
	}
}

func TestPanicRecovered(t *testing.T) {
	e := newEnv(t, serverOpts{})
	e.q.panicDue = 1
	before := Panics()
	wantPanics.Add(1)
	e.start()
	m := e.enqueue("alice@example.net")
	e.s.Kick()
	waitFor(t, "recovered panic", func() bool { return Panics() == before+1 })
	e.s.Kick()
	if it := e.waitRetired(m.ID); len(it.delivered) != 1 {
		t.Fatalf("not delivered after a recovered panic: %+v", it.fails)
	}
}
