package intake

import (
	"regexp"
	"sync/atomic"
	"testing"
	"time"
)

// A server may send UID after the BODY[] literal (item order in a FETCH
// response is free), and imapclient then cannot route that message. The
// intake must not take the UID for expunged: it would pass it with lastUID
// and, on the next connect, mark it \Seen though no Deliver held it.
func TestUnroutedFetchIsRetriedNotSkipped(t *testing.T) {
	ts := newTestServer(t)
	ts.appendN(2)
	re := regexp.MustCompile(`^\* (\d+) FETCH \(UID 1 BODY\[\] (\{\d+\})\r\n$`)
	var pendingClose bool
	var rewritten atomic.Int32
	addr := rewriteProxy(t, ts, func(line string) string {
		if m := re.FindStringSubmatch(line); m != nil {
			pendingClose = true
			rewritten.Add(1)
			return "* " + m[1] + " FETCH (BODY[] " + m[2] + "\r\n"
		}
		if pendingClose && line == ")\r\n" {
			pendingClose = false
			return " UID 1)\r\n"
		}
		return line
	})
	cfg := testConfig(t, ts)
	cfg.Addr = addr
	sink := &memSink{}
	l := startLoop(t, cfg, sink)
	for deadline := time.Now().Add(10 * time.Second); rewritten.Load() < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond) // bounded wait for the second, retried fetch
	}
	l.stop(t)
	if rewritten.Load() < 2 {
		t.Fatalf("the batch was fetched %d times, want a retry", rewritten.Load())
	}
	if n := sink.count(); n != 0 {
		t.Errorf("%d messages delivered from a batch the server did not return whole", n)
	}
	if seen := ts.seen("INBOX"); seen[1] || seen[2] {
		t.Errorf("marked %v without delivery", seen)
	}
	// Straight to the server, everything arrives once and is marked.
	l2 := startLoop(t, testConfig(t, ts), sink)
	l2.waitIdle(t, 1)
	l2.stop(t)
	if n := sink.count(); n != 2 {
		t.Errorf("%d messages delivered, want 2", n)
	}
	if seen := ts.seen("INBOX"); !seen[1] || !seen[2] {
		t.Errorf("seen %v, want both", seen)
	}
}
