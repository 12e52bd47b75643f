package intake

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hookSink is a memSink whose Deliver first runs hook, outside the lock,
// with the 1-based number of the call; an error from hook fails the call.
// It also records whether two Deliver calls ever overlapped.
type hookSink struct {
	memSink
	hook     func(ctx context.Context, call int64) error
	calls    atomic.Int64
	active   atomic.Int64
	overlaps atomic.Int64
}

func (h *hookSink) Deliver(ctx context.Context, mailbox string, validity uint32, msgs []Message) error {
	if h.active.Add(1) > 1 {
		h.overlaps.Add(1)
	}
	defer h.active.Add(-1)
	if err := h.hook(ctx, h.calls.Add(1)); err != nil {
		return err
	}
	return h.memSink.Deliver(ctx, mailbox, validity, msgs)
}

// gate blocks Deliver calls until the test opens it. Opening is idempotent.
type gate struct {
	ch   chan struct{}
	once sync.Once
}

func newGate() *gate { return &gate{ch: make(chan struct{})} }

// openAtCleanup must be called after startLoop: cleanups run last-in
// first-out, so a failing test opens the gates before the loop's stop waits
// for Run, which would otherwise stay stuck in the sink.
func openAtCleanup(t *testing.T, gates ...*gate) {
	t.Cleanup(func() {
		for _, g := range gates {
			g.open()
		}
	})
}

func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

// bodyFetched reports whether the server completed a UID FETCH of set with
// BODY.PEEK[] (the download of one batch), according to its wire log.
func bodyFetched(ts *testServer, set string) bool {
	wire := ts.debug.String()
	re := regexp.MustCompile(`(?m)^(T\d+) UID FETCH ` + regexp.QuoteMeta(set) + ` \(UID BODY\.PEEK\[\]\)\r$`)
	loc := re.FindStringSubmatchIndex(wire)
	if loc == nil {
		return false
	}
	tag := wire[loc[2]:loc[3]]
	return strings.Contains(wire[loc[1]:], "\n"+tag+" OK UID FETCH completed")
}

// checkSeenUpTo asserts that exactly the UIDs up to n are \Seen in INBOX.
func checkSeenUpTo(t *testing.T, ts *testServer, n uint32) {
	t.Helper()
	for uid, seen := range ts.seen("INBOX") {
		if seen != (uid <= n) {
			t.Errorf("uid %d: seen %v, want %v", uid, seen, uid <= n)
		}
	}
}

func deliveredUIDs(s *memSink) []uint32 {
	var uids []uint32
	for _, d := range s.delivered() {
		uids = append(uids, d.UID)
	}
	return uids
}

func uidRange(first, last uint32) []uint32 {
	var out []uint32
	for u := first; u <= last; u++ {
		out = append(out, u)
	}
	return out
}

// TestPipelineFetchesWhileDelivering: batches 2 and 3 are downloaded while
// the sink still holds batch 1, and batch 4 is not (three batches in
// memory at most).
func TestPipelineFetchesWhileDelivering(t *testing.T) {
	ts := newTestServer(t)
	raws := ts.appendN(35)
	cfg := testConfig(t, ts)
	cfg.BatchSize = 10
	release := newGate()
	sink := &hookSink{hook: func(_ context.Context, call int64) error {
		if call == 1 {
			<-release.ch
		}
		return nil
	}}
	l := startLoop(t, cfg, sink)
	openAtCleanup(t, release)

	// Batch 1's helper may reach Deliver only after the downloads.
	waitFor(t, "batch 3 downloaded, batch 1 in Deliver", func() bool { return bodyFetched(ts, "21:30") && sink.calls.Load() == 1 })
	if sink.count() != 0 {
		t.Fatalf("%d messages committed; want batch 1 still in Deliver", sink.count())
	}
	// A loop that fetched further ahead would show it by now; a short wait
	// can only miss such a bug, never fail a correct loop.
	time.Sleep(50 * time.Millisecond)
	if wire := ts.debug.String(); strings.Contains(wire, "UID FETCH 31:35") || strings.Contains(wire, "STORE") {
		t.Errorf("while batch 1 was in Deliver the loop fetched batch 4 or marked something:\n%s", wire)
	}
	if n := sink.calls.Load(); n != 1 {
		t.Errorf("Deliver called %d times while batch 1 was in it", n)
	}
	release.open()
	l.waitIdle(t, 1)

	checkDelivered(t, &sink.memSink, raws, ts.uidValidity())
	if got := sink.batchSizes(); !slices.Equal(got, []int{10, 10, 10, 5}) {
		t.Errorf("batch sizes %v, want [10 10 10 5]", got)
	}
	if n := sink.overlaps.Load(); n != 0 {
		t.Errorf("Deliver calls overlapped %d times", n)
	}
	checkSeen(t, ts, "INBOX", true)
}

// TestPipelineDeliverFailureDropsFetchedAhead: when Deliver of batch 2
// fails after batch 3 was downloaded, batch 1 stays marked, batches 2 and 3
// are neither marked nor delivered, and the next session delivers them once.
func TestPipelineDeliverFailureDropsFetchedAhead(t *testing.T) {
	ts := newTestServer(t)
	raws := ts.appendN(25)
	cfg := testConfig(t, ts)
	cfg.BatchSize = 10
	fail, resume := newGate(), newGate()
	sink := &hookSink{hook: func(_ context.Context, call int64) error {
		switch call {
		case 2:
			<-fail.ch
			return errors.New("disk full")
		case 3: // the retry of batch 2, in the next session
			<-resume.ch
		}
		return nil
	}}
	l := startLoop(t, cfg, sink)
	openAtCleanup(t, fail, resume)

	waitFor(t, "batch 3 downloaded", func() bool { return bodyFetched(ts, "21:25") })
	// Batch 1 is marked while batch 2 is in Deliver.
	waitFor(t, "batch 1 marked", func() bool { return ts.seen("INBOX")[10] })
	checkSeenUpTo(t, ts, 10)
	fail.open()
	waitFor(t, "Deliver retried", func() bool { return sink.calls.Load() >= 3 })
	if got := deliveredUIDs(&sink.memSink); !slices.Equal(got, uidRange(1, 10)) {
		t.Errorf("after the failure the sink holds uids %v, want 1-10", got)
	}
	checkSeenUpTo(t, ts, 10)
	resume.open()
	l.waitIdle(t, 1)

	checkDelivered(t, &sink.memSink, raws, ts.uidValidity())
	if got := sink.batchSizes(); !slices.Equal(got, []int{10, 10, 5}) {
		t.Errorf("batch sizes %v, want [10 10 5]", got)
	}
	if n := sink.overlaps.Load(); n != 0 {
		t.Errorf("Deliver calls overlapped %d times", n)
	}
	checkSeen(t, ts, "INBOX", true)
}

// TestPipelineCancel: cancelling while batch 1 is in Deliver and batch 2 is
// downloaded waits for the sink, marks batch 1 only if it committed, and
// never hands batch 2 to the sink.
func TestPipelineCancel(t *testing.T) {
	for _, tc := range []struct {
		name   string
		commit bool // the sink finishes the batch despite the cancel
	}{
		{name: "committed", commit: true},
		{name: "aborted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			ts.appendN(25)
			cfg := testConfig(t, ts)
			cfg.BatchSize = 10
			release := newGate()
			sink := &hookSink{hook: func(ctx context.Context, _ int64) error {
				<-release.ch
				if !tc.commit {
					return ctx.Err()
				}
				return nil
			}}
			l := startLoop(t, cfg, sink)
			openAtCleanup(t, release)

			waitFor(t, "batch 2 downloaded", func() bool { return bodyFetched(ts, "11:20") })
			l.cancel()
			if len(l.done) != 0 {
				t.Errorf("Run returned while Deliver was still running")
			}
			release.open()
			l.stop(t)

			if n := sink.active.Load(); n != 0 {
				t.Errorf("%d Deliver calls still running after Run returned", n)
			}
			if n := sink.calls.Load(); n != 1 {
				t.Errorf("Deliver called %d times, want 1 (batch 2 must not reach the sink)", n)
			}
			want := uint32(0)
			if tc.commit {
				want = 10
			}
			if got := deliveredUIDs(&sink.memSink); !slices.Equal(got, uidRange(1, want)) {
				t.Errorf("sink holds uids %v, want 1-%d", got, want)
			}
			checkSeenUpTo(t, ts, want)
		})
	}
}

// TestSinkPanicIsRecovered: a panic in Deliver, which runs on the pipeline's
// helper goroutine, ends the session like an error instead of the process.
func TestSinkPanicIsRecovered(t *testing.T) {
	ts := newTestServer(t)
	raws := ts.appendN(3)
	sink := &hookSink{hook: func(_ context.Context, call int64) error {
		if call == 1 {
			panic("sink bug")
		}
		return nil
	}}
	l := startLoop(t, testConfig(t, ts), sink)
	l.waitIdle(t, 1)
	l.stop(t)

	checkDelivered(t, &sink.memSink, raws, ts.uidValidity())
	checkSeen(t, ts, "INBOX", true)
	if n := unownedPanics.Swap(0); n != 1 { // TestMain fails on any left over
		t.Errorf("%d panics recovered, want 1", n)
	}
}

// TestPanicsCountOnTheOwnersCounter: an intake whose Config names a
// counter counts its panics there, not package-wide, so that each Bot in
// a process sees its own.
func TestPanicsCountOnTheOwnersCounter(t *testing.T) {
	ts := newTestServer(t)
	ts.appendN(2)
	sink := &hookSink{hook: func(_ context.Context, call int64) error {
		if call == 1 {
			panic("sink bug")
		}
		return nil
	}}
	var own atomic.Int64
	cfg := testConfig(t, ts)
	cfg.Panics = &own
	l := startLoop(t, cfg, sink)
	l.waitIdle(t, 1)
	l.stop(t)
	if n := own.Load(); n != 1 {
		t.Errorf("the owner's counter holds %d panics, want 1", n)
	}
	if n := unownedPanics.Load(); n != 0 {
		t.Errorf("%d panics counted package-wide, want 0", n)
	}
}

// prepSink is a hookSink that is also a Preparer: it tags each message in
// Prepare, and can panic on a chosen batch.
type prepSink struct {
	hookSink
	prepared atomic.Int64
	panicOn  uint32 // first UID of a batch whose Prepare panics
	untagged atomic.Int64
}

func (p *prepSink) Prepare(msgs []Message) {
	if msgs[0].UID == p.panicOn {
		panic("prepare failed")
	}
	for i := range msgs {
		msgs[i].Prepared = msgs[i].UID
	}
	p.prepared.Add(1)
}

func (p *prepSink) Deliver(ctx context.Context, mailbox string, validity uint32, msgs []Message) error {
	for _, m := range msgs {
		if m.Prepared != m.UID {
			p.untagged.Add(1)
		}
	}
	return p.hookSink.Deliver(ctx, mailbox, validity, msgs)
}

// TestPipelinePreparesWhileDelivering: a Preparer sink gets every batch in
// Prepare before Deliver, batch 2 while batch 1 is still in Deliver.
func TestPipelinePreparesWhileDelivering(t *testing.T) {
	ts := newTestServer(t)
	raws := ts.appendN(25)
	cfg := testConfig(t, ts)
	cfg.BatchSize = 10
	release := newGate()
	sink := &prepSink{}
	sink.hook = func(_ context.Context, call int64) error {
		if call == 1 {
			<-release.ch
		}
		return nil
	}
	l := startLoop(t, cfg, sink)
	openAtCleanup(t, release)
	// Deliver of batch 1 is held at the gate: batch 2 gets prepared meanwhile.
	waitFor(t, "batch 2 prepared, batch 1 in Deliver", func() bool { return sink.prepared.Load() >= 2 && sink.calls.Load() == 1 })
	if sink.count() != 0 {
		t.Fatalf("%d messages committed; want batch 1 still in Deliver", sink.count())
	}
	release.open()
	l.waitIdle(t, 1)
	checkDelivered(t, &sink.memSink, raws, ts.uidValidity())
	if n := sink.prepared.Load(); n != 3 {
		t.Errorf("%d batches prepared, want 3", n)
	}
	if n := sink.untagged.Load(); n != 0 {
		t.Errorf("%d messages reached Deliver without what Prepare made of them", n)
	}
	checkSeen(t, ts, "INBOX", true)
}

// TestPipelinePreparePanicMarksNothingAfter: a panic in Prepare of batch 2
// ends the session with an error; batch 1 is delivered and marked, batch
// 2 is neither, and the daemon lives.
func TestPipelinePreparePanicMarksNothingAfter(t *testing.T) {
	ts := newTestServer(t)
	ts.appendN(15)
	cfg := testConfig(t, ts)
	cfg.BatchSize = 10
	sink := &prepSink{panicOn: 11}
	sink.hook = func(context.Context, int64) error { return nil }
	l := startLoop(t, cfg, sink)
	waitFor(t, "batch 1 delivered and marked", func() bool { return sink.count() == 10 && ts.seen("INBOX")[10] })
	time.Sleep(50 * time.Millisecond) // a wrong loop would go on to deliver or mark batch 2 by now
	l.stop(t)
	if got := deliveredUIDs(&sink.memSink); !slices.Equal(got, uidRange(1, 10)) {
		t.Errorf("delivered %v, want 1..10", got)
	}
	checkSeenUpTo(t, ts, 10)
	if n := unownedPanics.Swap(0); n < 1 { // TestMain fails on any left over
		t.Errorf("%d panics counted, want the one in Prepare (once per session)", n)
	}
}
