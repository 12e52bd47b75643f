// Package benchkit holds what the ingestion benchmarks share: the backlog
// they ingest, the bare-fetch floor, one measured ingestion run, and the
// memory readings. The in-process benchmark (mailbot) and the Dovecot one
// (mailbot/integration) use it, so that their figures compare.
package benchkit

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/secbot/secbot/mailbot"
	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/intake"
	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/store"
)

// Size is the number of messages in the backlog.
const Size = 10000

// pad makes each message about 5 KB.
var pad = strings.Repeat("The frobnicator overflows when the name is longer than 255 bytes. ", 70)

// Message is message i of the backlog, to the robot at to (CRLF line
// ends): 60% new reports, 20% replies by reference to an earlier report,
// 20% replies by the subject tag of the year's first case. It reports
// whether the message opens a new case.
func Message(i int, to string) (raw string, newCase bool) {
	var hdr string
	switch {
	case i%5 == 3 && i > 10:
		hdr = fmt.Sprintf("In-Reply-To: <r%d@reporter.example>\r\nSubject: Re: report %d\r\n", i-3, i-3)
	case i%5 == 4 && i > 10:
		hdr = fmt.Sprintf("Subject: Re: [SEC-%d-0001] more details\r\n", time.Now().Year())
	default:
		hdr = fmt.Sprintf("Subject: report %d\r\n", i)
		newCase = true
	}
	raw = fmt.Sprintf("From: Reporter %d <r%d@reporter.example>\r\nTo: %s\r\nMessage-ID: <r%d@reporter.example>\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n%sContent-Type: text/plain\r\n\r\n%s\r\n",
		i, i, to, i, hdr, pad)
	return raw, newCase
}

// Floor times a bare `UID FETCH 1:* BODY.PEEK[]` of the mailbox.
func Floor(ctx context.Context, ic intake.Config) (time.Duration, error) {
	start := time.Now()
	n, _, err := intake.FetchAll(ctx, ic)
	if err != nil {
		return 0, err
	}
	if n != Size {
		return 0, fmt.Errorf("fetched %d messages, want %d", n, Size)
	}
	return time.Since(start), nil
}

// Measured runs one ingestion into a fresh store at storePath between two
// floor fetches, and returns its result and the average of the two
// floors: the first fetch of a run is the slower one. Both benchmarks
// measure this way.
func Measured(ctx context.Context, cfg *config.Config, ic intake.Config, storePath string, log *slog.Logger) (Result, time.Duration, error) {
	floor1, err := Floor(ctx, ic)
	if err != nil {
		return Result{}, 0, err
	}
	res, err := Ingest(ctx, cfg, ic, storePath, log)
	if err != nil {
		return res, 0, err
	}
	floor2, err := Floor(ctx, ic)
	if err != nil {
		return res, 0, err
	}
	log.Info("benchmark run", "floor", floor1.Round(time.Millisecond), "ingest", res.Elapsed.Round(time.Millisecond),
		"floor_again", floor2.Round(time.Millisecond))
	return res, (floor1 + floor2) / 2, nil
}

// Result is one measured ingestion.
type Result struct {
	Elapsed time.Duration
	// DeliverShare is the part of Elapsed spent in the sink (parsing and
	// the store transactions), against the IMAP side.
	DeliverShare float64
	PeakHeap     uint64
	Messages     int
	Cases        int
	// Expand is the time the sender then takes to expand the backlog's
	// fan-outs into Queued outbox entries (ack and relays), measured
	// after ingestion.
	Expand time.Duration
	Queued int
}

// Ingest runs the real intake loop with a real Bot as its sink into a
// fresh store at storePath, until the mailbox is caught up. The sender is
// not started: this measures ingestion, not SMTP.
func Ingest(ctx context.Context, cfg *config.Config, ic intake.Config, storePath string, log *slog.Logger) (Result, error) {
	var res Result
	st, err := store.Open(storePath, store.Options{})
	if err != nil {
		return res, err
	}
	defer st.Close()
	keys, err := keyring.Load(cfg, time.Now(), log)
	if err != nil {
		return res, err
	}
	bot, err := mailbot.New(mailbot.Options{Config: cfg, Store: st, Keys: keys, Logger: log})
	if err != nil {
		return res, err
	}
	var peak atomic.Uint64
	stop := sampleHeap(&peak)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ic.OnIdle = cancel
	ts := &timedSink{Sink: bot}
	start := time.Now()
	err = intake.Run(ctx, ic, ts)
	res.Elapsed = time.Since(start)
	stop()
	if err != nil {
		return res, err
	}
	res.DeliverShare, res.PeakHeap = ts.spent.Seconds()/res.Elapsed.Seconds(), peak.Load()
	start = time.Now()
	res.Queued, err = bot.ExpandFanouts()
	res.Expand = time.Since(start)
	if err != nil {
		return res, err
	}
	err = st.View(func(tx *store.Tx) error {
		res.Messages = tx.MessageCount()
		all, err := tx.Cases()
		res.Cases = len(all)
		return err
	})
	return res, err
}

// sampleHeap records the highest HeapInuse until the returned func is
// called.
func sampleHeap(peak *atomic.Uint64) func() {
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done) }
}

// PeakRSS reads the process's high-water resident set size.
func PeakRSS() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// timedSink measures the time spent in the sink.
type timedSink struct {
	intake.Sink
	spent time.Duration
}

// Prepare passes the early half of the work on, when the sink has one.
func (t *timedSink) Prepare(msgs []intake.Message) {
	if pr, ok := t.Sink.(intake.Preparer); ok {
		pr.Prepare(msgs)
	}
}

func (t *timedSink) Deliver(ctx context.Context, mailbox string, uidv uint32, msgs []intake.Message) error {
	start := time.Now()
	err := t.Sink.Deliver(ctx, mailbox, uidv, msgs)
	t.spent += time.Since(start)
	return err
}

// Report is what both benchmarks report for one run.
type Report interface {
	ReportMetric(n float64, unit string)
}

// ReportRun reports msgs/s, the floor, the ratio, the sink's share and
// memory, in the units both benchmarks use.
func ReportRun(b Report, res Result, floor time.Duration) {
	b.ReportMetric(float64(Size)/res.Elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(Size)/floor.Seconds(), "fetch-msgs/s")
	b.ReportMetric(res.Elapsed.Seconds()/floor.Seconds(), "ratio-to-fetch")
	b.ReportMetric(res.DeliverShare, "deliver-share")
	b.ReportMetric(float64(res.Queued)/res.Expand.Seconds(), "expand-mails/s")
	b.ReportMetric(float64(res.PeakHeap)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(PeakRSS())/(1<<20), "peak-RSS-MiB")
}
