package intake

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

// checkDelivered asserts the sink got exactly raws, as UIDs 1..n in order,
// with the given UIDVALIDITY.
func checkDelivered(t *testing.T, sink *memSink, raws []string, validity uint32) {
	t.Helper()
	got := sink.delivered()
	if len(got) != len(raws) {
		t.Fatalf("delivered %d messages, want %d", len(got), len(raws))
	}
	for i, d := range got {
		if d.UID != uint32(i+1) || string(d.Raw) != raws[i] || d.TooBig || d.validity != validity {
			t.Errorf("message %d: uid %d toobig %v validity %d raw ok %v; want uid %d validity %d",
				i, d.UID, d.TooBig, d.validity, string(d.Raw) == raws[i], i+1, validity)
		}
		if d.Size != int64(len(raws[i])) || d.InternalDate.IsZero() {
			t.Errorf("uid %d: size %d date %v, want size %d and a date", d.UID, d.Size, d.InternalDate, len(raws[i]))
		}
	}
}

// checkSeen asserts the \Seen state of every message in mailbox.
func checkSeen(t *testing.T, ts *testServer, mailbox string, want bool) {
	t.Helper()
	for uid, seen := range ts.seen(mailbox) {
		if seen != want {
			t.Errorf("%s uid %d: seen %v, want %v", mailbox, uid, seen, want)
		}
	}
}

func TestBacklogInBatches(t *testing.T) {
	ts := newTestServer(t)
	raws := ts.appendN(25)
	sink := &memSink{}
	cfg := testConfig(t, ts)
	cfg.BatchSize = 10
	l := startLoop(t, cfg, sink)
	l.waitIdle(t, 1)

	checkDelivered(t, sink, raws, ts.uidValidity())
	if got := sink.batchSizes(); !slices.Equal(got, []int{10, 10, 5}) {
		t.Errorf("batch sizes %v, want [10 10 5]", got)
	}
	if n := len(ts.seen("INBOX")); n != 25 {
		t.Errorf("inbox holds %d messages, want 25", n)
	}
	checkSeen(t, ts, "INBOX", true)
}

func TestMaxBatchBytes(t *testing.T) {
	ts := newTestServer(t)
	raws := ts.appendN(6)
	sink := &memSink{}
	cfg := testConfig(t, ts)
	cfg.MaxBatchBytes = int64(2*len(raws[0]) + 10) // two messages per batch
	l := startLoop(t, cfg, sink)
	l.waitIdle(t, 1)

	checkDelivered(t, sink, raws, ts.uidValidity())
	if got := sink.batchSizes(); !slices.Equal(got, []int{2, 2, 2}) {
		t.Errorf("batch sizes %v, want [2 2 2]", got)
	}
}

// idleCommand matches an IDLE command sent by the client in the wire log.
var idleCommand = regexp.MustCompile(`(?m)^T\d+ IDLE\r$`)

func TestNewMailWhileIdle(t *testing.T) {
	for _, tc := range []struct {
		name     string
		noIdle   bool
		wantIdle bool
	}{
		{name: "idle", wantIdle: true},
		{name: "poll", noIdle: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []serverOption
			if tc.noIdle { // IMAP4rev2 implies IDLE
				opts = append(opts, withCaps(imap.CapSet{imap.CapIMAP4rev1: {}}))
			}
			ts := newTestServer(t, opts...)
			cfg := testConfig(t, ts)
			if tc.noIdle {
				cfg.Addr = noIdleProxy(t, ts)
			}
			sink := &memSink{}
			l := startLoop(t, cfg, sink)
			l.waitIdle(t, 1)

			var raws []string
			for i := range 3 {
				raws = append(raws, testMessage(i+1))
				ts.appendMsg("INBOX", raws[i])
			}
			waitFor(t, "3 deliveries", func() bool { return sink.count() >= 3 })
			n := l.idles.Load()
			l.waitIdle(t, n+1) // marking done
			checkDelivered(t, sink, raws, ts.uidValidity())
			checkSeen(t, ts, "INBOX", true)
			if got := idleCommand.MatchString(ts.debug.String()); got != tc.wantIdle {
				t.Errorf("client sent IDLE: %v, want %v", got, tc.wantIdle)
			}
			if n := l.reconnects.Load(); n != 0 {
				t.Errorf("%d reconnects, want 0: new mail needs no new session", n)
			}
		})
	}
}

// TestNewMailByPushAlone: with the re-scan timers out of the way, the
// EXISTS that the server pushes in IDLE wakes the loop.
func TestNewMailByPushAlone(t *testing.T) {
	ts := newTestServer(t)
	cfg := testConfig(t, ts)
	cfg.PollInterval, cfg.IdleRestart = time.Hour, time.Hour
	sink := &memSink{}
	l := startLoop(t, cfg, sink)
	l.waitIdle(t, 1)
	raws := ts.appendN(1)
	waitFor(t, "the delivery", func() bool { return sink.count() == 1 })
	waitFor(t, "the marking", func() bool { return ts.seen("INBOX")[1] })
	l.stop(t)
	checkDelivered(t, sink, raws, ts.uidValidity())
	if n := l.reconnects.Load(); n != 0 {
		t.Errorf("%d reconnects, want 0", n)
	}
}

func TestDeliverFailureLeavesUnseen(t *testing.T) {
	ts := newTestServer(t)
	raws := ts.appendN(3)
	sink := &memSink{}
	sink.setFail(errors.New("store is read-only"))
	l := startLoop(t, testConfig(t, ts), sink)

	// Several failed attempts prove the loop retries rather than gives up.
	waitFor(t, "3 delivery attempts", func() bool { return sink.numCalls() >= 3 })
	if l.idles.Load() != 0 {
		t.Errorf("loop reported idle while the sink was failing")
	}
	checkSeen(t, ts, "INBOX", false)
	if n := len(ts.seen("INBOX")); n != 3 {
		t.Fatalf("inbox holds %d messages, want 3", n)
	}

	sink.setFail(nil)
	l.waitIdle(t, 1)
	checkDelivered(t, sink, raws, ts.uidValidity())
	checkSeen(t, ts, "INBOX", true)
}

func TestRestartRedeliversNothing(t *testing.T) {
	ts := newTestServer(t)
	raws := ts.appendN(5)
	sink := &memSink{}
	first := startLoop(t, testConfig(t, ts), sink)
	first.waitIdle(t, 1)
	first.stop(t)
	calls := sink.numCalls()

	second := startLoop(t, testConfig(t, ts), sink)
	second.waitIdle(t, 1)
	if got := sink.numCalls(); got != calls {
		t.Errorf("second run called Deliver %d more times, want 0", got-calls)
	}

	// New mail is still picked up, and only it.
	raws = append(raws, testMessage(6))
	ts.appendMsg("INBOX", raws[5])
	waitFor(t, "6 deliveries", func() bool { return sink.count() >= 6 })
	second.waitIdle(t, second.idles.Load()+1)
	checkDelivered(t, sink, raws, ts.uidValidity())
}

// TestHighestUIDIsNotRedelivered: "n:*" matches the highest UID even
// when n is above it (RFC 9051 section 6.4.8), so every re-scan of a
// caught-up mailbox gets the last delivered message back, from a FETCH
// or, where the server refuses "n:*", a SEARCH: it is not delivered
// again.
func TestHighestUIDIsNotRedelivered(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []serverOption
	}{
		{"fetch", []serverOption{withRFCStar()}},
		{"search", []serverOption{withRFCStar(), withStrictFetch()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, tc.opts...)
			raws := ts.appendN(3)
			sink := &memSink{}
			l := startLoop(t, testConfig(t, ts), sink)
			l.waitIdle(t, 3) // the poll re-scanned twice
			l.stop(t)
			ts.strict.Store(false) // for the checks' own client
			checkDelivered(t, sink, raws, ts.uidValidity())
			if n := sink.numCalls(); n != 1 {
				t.Errorf("Deliver called %d times, want 1", n)
			}
		})
	}
}

// TestRepairUnmarkedAfterCrash: messages the sink committed but whose
// marking a crash lost are marked at the next start, however many batches
// that takes, and with MoveTo even those a mail client already flagged
// \Seen leave the source mailbox.
func TestRepairUnmarkedAfterCrash(t *testing.T) {
	tests := []struct {
		name      string
		moveTo    string
		batchSize int
		total     int    // messages in INBOX
		committed uint32 // the sink's lastUID
		seenFirst bool   // UID 1 already \Seen before the restart
	}{
		{"seen flag", "", 0, 3, 2, false},
		{"move", "Processed", 0, 3, 2, false},
		{"seen flag in batches", "", 2, 6, 5, false},
		{"move in batches", "Processed", 2, 6, 5, false},
		{"move of a message already seen", "Processed", 0, 3, 2, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			ts.appendN(tc.total)
			if tc.seenFirst {
				ts.markSeen(1)
			}
			sink := &memSink{validity: ts.uidValidity(), last: tc.committed}
			cfg := testConfig(t, ts)
			cfg.MoveTo, cfg.BatchSize = tc.moveTo, tc.batchSize
			l := startLoop(t, cfg, sink)
			l.waitIdle(t, 1)

			got := sink.delivered()
			if len(got) != tc.total-int(tc.committed) || firstUID(got) != tc.committed+1 {
				t.Fatalf("delivered %d messages (first uid %d), want uids %d-%d", len(got), firstUID(got), tc.committed+1, tc.total)
			}
			if tc.moveTo == "" {
				checkSeen(t, ts, "INBOX", true)
				return
			}
			if n, _ := ts.status("INBOX"); n != 0 {
				t.Errorf("inbox holds %d messages, want 0", n)
			}
			if n, _ := ts.status(tc.moveTo); n != tc.total {
				t.Errorf("%s holds %d messages, want %d", tc.moveTo, n, tc.total)
			}
		})
	}
}

// TestCatchUpSkipsAnExpungedBatch: when every message of a planned batch
// was expunged before its download, the same catch-up goes on with the
// next batch instead of ending (or reporting an error) there.
func TestCatchUpSkipsAnExpungedBatch(t *testing.T) {
	ts := newTestServer(t)
	raws := ts.appendN(6)
	var once sync.Once
	ts.setOnFetch(func(set imap.NumSet, opts *imap.FetchOptions) {
		if len(opts.BodySection) == 0 {
			return // the plan's metadata fetch
		}
		once.Do(func() {
			if err := ts.expunge(1, 2); err != nil {
				t.Errorf("expunge: %v", err)
			}
		})
	})
	sink := &memSink{}
	cfg := testConfig(t, ts)
	cfg.BatchSize = 2
	cfg.PollInterval = time.Hour // only the first catch-up counts
	l := startLoop(t, cfg, sink)
	l.waitIdle(t, 1)
	if got, want := deliveredUIDs(sink), uidRange(3, 6); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("first catch-up delivered uids %v, want %v", got, want)
	}
	if n := l.reconnects.Load(); n != 0 {
		t.Errorf("%d reconnects, want 0: an expunged batch is no error", n)
	}
	for i, d := range sink.delivered() {
		if string(d.Raw) != raws[i+2] {
			t.Errorf("uid %d: raw %q, want %q", d.UID, d.Raw, raws[i+2])
		}
	}
}

func firstUID(d []delivered) uint32 {
	if len(d) == 0 {
		return 0
	}
	return d[0].UID
}

// TestUIDValidityChangeRescans: a stored UIDVALIDITY of an older
// incarnation of the mailbox means a rescan from UID 1, and one warning
// for the operator; a mailbox never seen before is no change.
func TestUIDValidityChangeRescans(t *testing.T) {
	for _, tc := range []struct {
		name     string
		stored   func(validity uint32) *memSink
		warnings int
	}{
		{"changed", func(v uint32) *memSink { return &memSink{validity: v + 100, last: 50} }, 1},
		{"never seen", func(uint32) *memSink { return &memSink{} }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			raws := ts.appendN(3)
			validity := ts.uidValidity()
			sink := tc.stored(validity)
			cfg := testConfig(t, ts)
			var logs syncBuffer
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			l := startLoop(t, cfg, sink)
			l.waitIdle(t, 1)
			l.stop(t)
			checkDelivered(t, sink, raws, validity)
			checkSeen(t, ts, "INBOX", true)
			if n := strings.Count(logs.String(), "uidvalidity changed"); n != tc.warnings {
				t.Errorf("%d uidvalidity warnings, want %d:\n%s", n, tc.warnings, logs.String())
			}
		})
	}
}

func TestTooBigDeliversHeaderOnly(t *testing.T) {
	ts := newTestServer(t)
	small := testMessage(1)
	header := "From: a@example.net\r\nSubject: big\r\nMessage-ID: <big@example.net>\r\n\r\n"
	big := header + strings.Repeat("0123456789abcdef\r\n", 300) // ~5 KiB
	// exact is MaxSize bytes: the largest message downloaded whole.
	exact := "From: a@example.net\r\nSubject: exact\r\n\r\n"
	exact += strings.Repeat("x", 1024-len(exact))
	ts.appendMsg("INBOX", small)
	ts.appendMsg("INBOX", big)
	ts.appendMsg("INBOX", exact)
	sink := &memSink{}
	cfg := testConfig(t, ts)
	cfg.MaxSize = int64(len(exact))
	l := startLoop(t, cfg, sink)
	l.waitIdle(t, 1)

	got := sink.delivered()
	if len(got) != 3 {
		t.Fatalf("delivered %d messages, want 3", len(got))
	}
	if got[0].TooBig || string(got[0].Raw) != small {
		t.Errorf("small message: toobig %v, raw %q", got[0].TooBig, got[0].Raw)
	}
	if !got[1].TooBig || string(got[1].Raw) != header || got[1].Size != int64(len(big)) {
		t.Errorf("big message: toobig %v size %d raw %q; want header only, size %d",
			got[1].TooBig, got[1].Size, got[1].Raw, len(big))
	}
	if got[2].TooBig || string(got[2].Raw) != exact {
		t.Errorf("message of exactly MaxSize: toobig %v, %d bytes; want it whole", got[2].TooBig, len(got[2].Raw))
	}
	checkSeen(t, ts, "INBOX", true)
}

func TestMoveTo(t *testing.T) {
	ts := newTestServer(t)
	raws := ts.appendN(4)
	sink := &memSink{}
	cfg := testConfig(t, ts)
	cfg.MoveTo = "Archive/secbot" // missing: the loop creates it
	l := startLoop(t, cfg, sink)
	l.waitIdle(t, 1)

	checkDelivered(t, sink, raws, ts.uidValidity())
	if n, _ := ts.status("INBOX"); n != 0 {
		t.Errorf("inbox holds %d messages, want 0", n)
	}
	if n, _ := ts.status(cfg.MoveTo); n != 4 {
		t.Errorf("%s holds %d messages, want 4", cfg.MoveTo, n)
	}

	// Mail arriving while idle is moved too (UIDs only: MOVE sends EXPUNGEs).
	raws = append(raws, testMessage(5))
	ts.appendMsg("INBOX", raws[4])
	waitFor(t, "5 deliveries", func() bool { return sink.count() >= 5 })
	waitFor(t, "inbox empty", func() bool { n, _ := ts.status("INBOX"); return n == 0 })
	checkDelivered(t, sink, raws, ts.uidValidity())
	if n, _ := ts.status(cfg.MoveTo); n != 5 {
		t.Errorf("%s holds %d messages, want 5", cfg.MoveTo, n)
	}
}

func TestServerRestartDuringIdle(t *testing.T) {
	ts := newTestServer(t)
	raws := ts.appendN(1)
	sink := &memSink{}
	l := startLoop(t, testConfig(t, ts), sink)
	l.waitIdle(t, 1)

	ts.stop()
	raws = append(raws, testMessage(2))
	ts.appendMsg("INBOX", raws[1]) // arrives while the server is down
	ts.start()

	waitFor(t, "2 deliveries", func() bool { return sink.count() >= 2 })
	l.waitIdle(t, 2)
	checkDelivered(t, sink, raws, ts.uidValidity())
	checkSeen(t, ts, "INBOX", true)
}

func TestFetchAll(t *testing.T) {
	ts := newTestServer(t)
	cfg := testConfig(t, ts)
	n, size, err := FetchAll(t.Context(), cfg)
	if err != nil || n != 0 || size != 0 {
		t.Fatalf("FetchAll(empty) = %d, %d, %v; want 0, 0, nil", n, size, err)
	}
	raws := ts.appendN(7)
	var want int64
	for _, r := range raws {
		want += int64(len(r))
	}
	n, size, err = FetchAll(t.Context(), cfg)
	if err != nil || n != 7 || size != want {
		t.Fatalf("FetchAll = %d, %d, %v; want 7, %d, nil", n, size, err, want)
	}
	checkSeen(t, ts, "INBOX", false) // BODY.PEEK and EXAMINE: nothing changes
}

// TestFetchAllEmptyOnAStrictServer: an empty mailbox is not fetched at
// all, since some servers refuse "1:*" there.
func TestFetchAllEmptyOnAStrictServer(t *testing.T) {
	ts := newTestServer(t, withStrictFetch())
	n, size, err := FetchAll(t.Context(), testConfig(t, ts))
	if err != nil || n != 0 || size != 0 {
		t.Fatalf("FetchAll(empty) = %d, %d, %v; want 0, 0, nil", n, size, err)
	}
}

// TestLyingSizeIsNotBuffered: a server announcing a small RFC822.SIZE for a
// huge message must not make the loop read the huge literal into memory.
func TestLyingSizeIsNotBuffered(t *testing.T) {
	ts := newTestServer(t)
	header := "From: a@example.net\r\nSubject: liar\r\n\r\n"
	ts.appendMsg("INBOX", header+strings.Repeat("x", 100<<10)+"\r\n")
	sizeRE := regexp.MustCompile(`RFC822\.SIZE \d+`)
	cfg := testConfig(t, ts)
	cfg.Addr = rewriteProxy(t, ts, func(line string) string {
		return sizeRE.ReplaceAllString(line, "RFC822.SIZE 10")
	})
	cfg.MaxSize = 1024
	sink := &memSink{}
	l := startLoop(t, cfg, sink)
	l.waitIdle(t, 1)

	got := sink.delivered()
	if len(got) != 1 || !got[0].TooBig || string(got[0].Raw) != header {
		t.Fatalf("delivered %+v, want one TooBig message with only the header", got)
	}
}

// TestIdleRestartAndCleanShutdown: with the poll timer out of the way, the
// IdleRestart timer alone re-issues IDLE and re-scans; cancelling ends IDLE
// with DONE and logs out.
func TestIdleRestartAndCleanShutdown(t *testing.T) {
	ts := newTestServer(t)
	cfg := testConfig(t, ts)
	cfg.PollInterval = time.Hour
	cfg.IdleRestart = 30 * time.Millisecond
	var logs syncBuffer
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sink := &memSink{}
	l := startLoop(t, cfg, sink)
	l.waitIdle(t, 3)
	if n := len(idleCommand.FindAllString(ts.debug.String(), -1)); n < 3 {
		t.Errorf("client sent IDLE %d times, want at least 3", n)
	}

	raws := ts.appendN(1)
	waitFor(t, "1 delivery", func() bool { return sink.count() >= 1 })
	l.stop(t)
	checkDelivered(t, sink, raws, ts.uidValidity())
	wire := ts.debug.String()
	for _, want := range []string{"\r\nDONE\r\n", " LOGOUT\r\n"} {
		if !strings.Contains(wire, want) {
			t.Errorf("client never sent %q", strings.TrimSpace(want))
		}
	}
	if strings.Contains(logs.String(), "logout failed") {
		t.Errorf("a clean logout was logged as failed:\n%s", logs.String())
	}
}

// TestServerRefusingFetchOfStar: a server that refuses "UID FETCH n:*"
// (some do when the mailbox is empty) is asked by UID SEARCH instead,
// and nothing is missed.
func TestServerRefusingFetchOfStar(t *testing.T) {
	ts := newTestServer(t, withStrictFetch())
	raws := ts.appendN(5)
	sink := &memSink{}
	l := startLoop(t, testConfig(t, ts), sink)
	l.waitIdle(t, 1)
	raws = append(raws, ts.appendN(2)...) // while it waits: found by the next catch-up
	waitFor(t, "all 7 delivered", func() bool { return sink.count() == 7 })
	l.stop(t)
	ts.strict.Store(false) // for the checks' own client
	checkDelivered(t, sink, raws, ts.uidValidity())
	checkSeen(t, ts, "INBOX", true)
	if wire := ts.debug.String(); !strings.Contains(wire, "UID SEARCH") || !strings.Contains(wire, "BAD Invalid messageset") {
		t.Errorf("the server never refused a fetch, or the intake never searched:\n%s", wire)
	}
}
