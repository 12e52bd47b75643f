package mailbot_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot"
	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/intake"
	"github.com/secbot/secbot/mailbot/mailsim"
	"github.com/secbot/secbot/store"
)

// backlogSize is the number of messages in the ingestion benchmark.
const backlogSize = 10000

// BenchmarkIngestBacklog ingests a backlog of about 5 KB messages (60%
// new reports, 40% replies threaded by In-Reply-To or subject tag) from
// the in-process IMAP server into cases, and compares it with a bare
// `UID FETCH 1:* BODY.PEEK[]` of the same mailbox by the same client code
// in the same run. Run it with:
//
//	go test -run '^$' -bench IngestBacklog -benchtime 1x ./mailbot/
func BenchmarkIngestBacklog(b *testing.B) {
	w, err := demo.NewWorld(b.TempDir(), demo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	fillBacklog(b, w, backlogSize)
	cfg, err := config.Load(w.ConfigPath)
	if err != nil {
		b.Fatal(err)
	}
	ic := intake.Config{Addr: w.Sim.IMAPAddr, TLSMode: intake.TLSPlain, Username: w.Robot.Address,
		Password: mailsim.Password, PollInterval: time.Hour, Logger: w.Log}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		floor := timeFetchAll(b, ic)
		ingest, peakHeap := timeIngest(b, w, cfg, ic, i)
		b.ReportMetric(float64(backlogSize)/ingest.Seconds(), "msgs/s")
		b.ReportMetric(float64(backlogSize)/floor.Seconds(), "fetch-msgs/s")
		b.ReportMetric(ingest.Seconds()/floor.Seconds(), "ratio-to-fetch")
		b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MiB")
	}
}

func fillBacklog(b *testing.B, w *demo.World, n int) {
	pad := strings.Repeat("The frobnicator overflows when the name is longer than 255 bytes. ", 70) // ~4.7 KB
	for i := 0; i < n; i++ {
		var hdr string
		switch {
		case i%5 == 3 && i > 10: // a reply by reference to an earlier report
			hdr = fmt.Sprintf("In-Reply-To: <r%d@reporter.example>\r\nSubject: Re: report %d\r\n", i-3, i-3)
		case i%5 == 4 && i > 10: // a reply by subject tag
			hdr = fmt.Sprintf("Subject: Re: [SEC-%d-0001] more details\r\n", time.Now().Year())
		default:
			hdr = fmt.Sprintf("Subject: report %d\r\n", i)
		}
		raw := fmt.Sprintf("From: Reporter %d <r%d@reporter.example>\r\nTo: %s\r\nMessage-ID: <r%d@reporter.example>\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n%sContent-Type: text/plain\r\n\r\n%s\r\n",
			i, i, w.Robot.Address, i, hdr, pad)
		if err := w.Sim.Append(w.Robot.Address, []byte(raw)); err != nil {
			b.Fatal(err)
		}
	}
}

func timeFetchAll(b *testing.B, ic intake.Config) time.Duration {
	start := time.Now()
	n, _, err := intake.FetchAll(context.Background(), ic)
	if err != nil || n != backlogSize {
		b.Fatalf("fetch all: %d messages, %v", n, err)
	}
	return time.Since(start)
}

// timeIngest runs the real intake loop with the real ingest as its sink,
// into a fresh store, until the whole backlog is recorded. The sender is
// not started: this measures ingestion, not SMTP.
func timeIngest(b *testing.B, w *demo.World, cfg *config.Config, ic intake.Config, iter int) (time.Duration, uint64) {
	st, err := store.Open(filepath.Join(w.Dir, "bench-"+strconv.Itoa(iter)+".db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	keys, err := mailbot.LoadKeys(cfg, time.Now(), w.Log)
	if err != nil {
		b.Fatal(err)
	}
	bot, err := mailbot.New(mailbot.Options{Config: cfg, Store: st, Keys: keys, Logger: w.Log})
	if err != nil {
		b.Fatal(err)
	}
	var peak atomic.Uint64
	stopSampling := sampleHeap(&peak)
	defer stopSampling()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ic.Mailbox = "INBOX"
	ic.OnIdle = cancel
	start := time.Now()
	ts := &timedSink{Sink: bot}
	if err := intake.Run(ctx, ic, ts); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.ReportMetric(ts.spent.Seconds()/elapsed.Seconds(), "deliver-share")
	var msgs int
	st.View(func(tx *store.Tx) error { msgs = tx.MessageCount(); return nil })
	if msgs != backlogSize {
		b.Fatalf("ingested %d messages, want %d", msgs, backlogSize)
	}
	return elapsed, peak.Load()
}

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

// peakRSS reads the process's high-water resident set size.
func peakRSS() uint64 {
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

// timedSink measures how much of the ingestion time the sink (parsing
// and the store transaction) takes, against the IMAP side.
type timedSink struct {
	intake.Sink
	spent time.Duration
}

func (t *timedSink) Deliver(ctx context.Context, mailbox string, uidv uint32, msgs []intake.Message) error {
	start := time.Now()
	err := t.Sink.Deliver(ctx, mailbox, uidv, msgs)
	t.spent += time.Since(start)
	return err
}
