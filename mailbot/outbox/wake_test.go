package outbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestWakeSaysWhetherItHandledAny: a wake that found nothing due says so,
// with the time the next entry is due, so that the sender sleeps instead
// of spinning; one that handled entries asks for another at once.
func TestWakeSaysWhetherItHandledAny(t *testing.T) {
	e := newEnv(t, serverOpts{})
	s := New(e.cfg, e.q)
	ctx := context.Background()
	check := func(what string, wantAgain bool, wantNext time.Time) {
		t.Helper()
		again, next, err := s.wake(ctx)
		if err != nil || again != wantAgain || !next.Equal(wantNext) {
			t.Errorf("%s: again %v next %v err %v; want %v %v", what, again, next, err, wantAgain, wantNext)
		}
	}
	check("empty queue", false, time.Time{})
	m := e.enqueue("alice@example.net")
	later := e.enqueue("bob@example.net")
	e.q.mu.Lock()
	e.q.items[later.ID].next = e.clock.Now().Add(time.Hour)
	e.q.mu.Unlock()
	check("one due", true, e.clock.Now().Add(time.Hour))
	if it := e.q.get(m.ID); len(it.delivered) != 1 {
		t.Fatalf("%s not delivered: %+v", m.ID, it)
	}
	check("nothing due yet", false, e.clock.Now().Add(time.Hour))
}

// TestAttemptRecordsTheNextBackoff: the attempt recorded before the
// send sets the next one a backoff later, numbered from the attempts the
// entry already had: after two, the third waits MinBackoff*4, jittered
// by [0.5, 1.5).
func TestAttemptRecordsTheNextBackoff(t *testing.T) {
	for _, prior := range []int{0, 2} {
		e := newEnv(t, serverOpts{})
		e.cfg.MinBackoff = time.Minute
		s := New(e.cfg, e.q)
		m := e.enqueue("alice@example.net")
		e.q.mu.Lock()
		e.q.items[m.ID].e.Attempts = prior
		e.q.mu.Unlock()
		if _, _, err := s.wake(context.Background()); err != nil {
			t.Fatal(err)
		}
		it := e.q.get(m.ID)
		base := time.Minute << prior
		if len(it.nexts) != 1 || it.nexts[0].Sub(e.clock.Now()) < base/2 || it.nexts[0].Sub(e.clock.Now()) >= base*3/2 {
			t.Errorf("after %d attempts: next attempts %v, want one within [%v, %v) of now", prior, it.nexts, base/2, base*3/2)
		}
	}
}

// TestExpiresAfterExpire: a temporary failure turns permanent only once
// more than Expire has passed since the entry was queued.
func TestExpiresAfterExpire(t *testing.T) {
	e := newEnv(t, serverOpts{})
	e.cfg.Expire = time.Hour
	s := New(e.cfg, e.q)
	m := e.enqueue("alice@example.net")
	fail := result{kind: kindTemporary, reply: "451 later", code: 451}
	e.clock.Advance(time.Hour)
	if err := s.report(m, fail); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Nanosecond)
	if err := s.report(m, fail); err != nil {
		t.Fatal(err)
	}
	it := e.q.get(m.ID)
	if len(it.fails) != 2 || it.fails[0].permanent || !it.fails[1].permanent || !strings.Contains(it.fails[1].reply, "expired") {
		t.Errorf("failures %+v: want temporary at exactly Expire, then permanent and expired", it.fails)
	}
}

// TestReportLogs: the log line of a failure numbers the attempt from 1 and
// carries an error only when there was a network error (an SMTP reply may
// name recipients and is never logged).
func TestReportLogs(t *testing.T) {
	e := newEnv(t, serverOpts{})
	s := New(e.cfg, e.q)
	m := e.enqueue("alice@example.net")
	if err := s.report(m, result{kind: kindTemporary, reply: "rcpt to: 451 alice@example.net full", code: 451}); err != nil {
		t.Fatal(err)
	}
	first := e.logs.String()
	m.Attempts = 1
	if err := s.report(m, result{kind: kindTemporary, reply: "dial", netErr: errors.New("connection refused")}); err != nil {
		t.Fatal(err)
	}
	second := strings.TrimPrefix(e.logs.String(), first)
	for _, tc := range []struct {
		line string
		want []string
		not  []string
	}{
		{first, []string{"attempt=1", "code=451"}, []string{"err=", "alice"}},
		{second, []string{"attempt=2", `err="connection refused"`}, nil},
	} {
		for _, w := range tc.want {
			if !strings.Contains(tc.line, w) {
				t.Errorf("log %q lacks %s", tc.line, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(tc.line, n) {
				t.Errorf("log %q has %s", tc.line, n)
			}
		}
	}
}

// TestSleepTakesKick: a sleep ends on a kick and uses it up; a sleep of
// zero returns at once; a cancelled context ends it with its error.
func TestSleepTakesKick(t *testing.T) {
	e := newEnv(t, serverOpts{})
	s := New(e.cfg, e.q)
	ctx, cancel := context.WithCancel(context.Background())
	s.Kick()
	if err := s.sleep(ctx, time.Hour); err != nil || len(s.kick) != 0 {
		t.Errorf("sleep with a kick waiting: %v, %d kicks left; want nil and 0", err, len(s.kick))
	}
	if err := s.sleep(ctx, 0); err != nil {
		t.Errorf("sleep(0): %v", err)
	}
	cancel()
	if err := s.sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep after cancel: %v, want context.Canceled", err)
	}
}
