package mailbot_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/mailsim"
)

const (
	// ackReports is the number of measured reports per benchmark op.
	ackReports = 200
	// ackWarmup reports go first and are not measured (first store
	// writes, first SMTP connection of the sender).
	ackWarmup = 5
	// ackPollInterval replaces the demo's 1 s poll_interval, so that a
	// latency well under a second can only come from the IDLE push, and a
	// push the server failed to send shows up as a ~60 s sample.
	ackPollInterval = "60s"
	// ackSampleTimeout bounds each sample: the re-scan timer plus margin.
	ackSampleTimeout = 75 * time.Second
	// ackSettle is waited, unmeasured, after the intake has re-entered
	// IDLE and before the next report: imapmemserver registers an IDLE
	// session just after it writes "+ idling", and a message appended in
	// between gets no EXISTS (see go-libraries.md, "IDLE misses mail").
	ackSettle = 10 * time.Millisecond
)

// BenchmarkAckLatency measures, with the bot waiting in IDLE, the time
// from a reporter's SMTP submission of a new report to the SMTP server
// accepting secbot's acknowledgement of it: SMTP in, delivery to the
// robot's INBOX, EXISTS push, UID FETCH, ingest and commit, \Seen, then
// render, sign and SMTP out. Reports go one at a time: each is submitted
// only when the previous one has been acknowledged, its relays to the
// maintainers are sent and the intake is back in IDLE, so each sample is
// one report into an idle bot. Run it with:
//
//	go test -run '^$' -bench AckLatency -benchtime 1x ./mailbot/
func BenchmarkAckLatency(b *testing.B) {
	var idles atomic.Int64
	idleCh := make(chan struct{}, 1)
	logs := &lockedBuffer{}
	w, err := demo.NewWorld(b.TempDir(), demo.Options{
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		Tune: func(o *mailbot.Options) {
			prev := o.OnIdle
			o.OnIdle = func() {
				if prev != nil {
					prev()
				}
				idles.Add(1)
				select {
				case idleCh <- struct{}{}:
				default:
				}
			}
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	setPollInterval(b, w.ConfigPath, ackPollInterval)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := w.Start(ctx); err != nil {
		b.Fatal(err)
	}
	waitIdleAfter := func(n int64) {
		deadline := time.Now().Add(ackSampleTimeout)
		for idles.Load() <= n {
			if time.Now().After(deadline) {
				b.Fatalf("intake not back in IDLE after %s", ackSampleTimeout)
			}
			select {
			case <-idleCh:
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	waitIdleAfter(0)
	if !strings.Contains(logs.String(), "idle=true") {
		b.Fatalf("the intake does not use IDLE; log:\n%s", logs.String())
	}

	seq := 0
	var maxQuiesce time.Duration
	report := func() (time.Duration, time.Duration) {
		seq++
		raw, id, err := w.Compose(w.Reporter, demo.Mail{
			Subject: fmt.Sprintf("report %d: overflow in frob()", seq),
			Body:    "frob() overflows its name buffer with names over 255 bytes.\r\nReproducer: frob $(head -c 300 /dev/zero | tr '\\0' a)\r\n",
		})
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(ackSettle)
		before := idles.Load()
		start := time.Now()
		if err := w.Sim.Send(w.Reporter.Address, []string{w.Robot.Address}, raw); err != nil {
			b.Fatal(err)
		}
		submitted := time.Since(start)
		ack := waitAck(b, w.Sim, w.Reporter.Address, id)
		// Quiescent again before the next report: the intake back in
		// IDLE, and the relays to the maintainers sent.
		quiesce := time.Now()
		waitIdleAfter(before)
		if err := w.WaitSent(ctx, ackSampleTimeout); err != nil {
			b.Fatal(err)
		}
		maxQuiesce = max(maxQuiesce, time.Since(quiesce))
		return ack.At.Sub(start), submitted
	}

	for i := 0; i < ackWarmup; i++ {
		if l, _ := report(); l > time.Second {
			b.Logf("warm-up report %d: ack after %s (a missed IDLE push?)", i+1, l)
		}
	}
	warnBefore := strings.Count(logs.String(), "level=WARN") + strings.Count(logs.String(), "level=ERROR")
	b.ResetTimer()
	var lat, sub []time.Duration
	for i := 0; i < b.N; i++ {
		for j := 0; j < ackReports; j++ {
			l, s := report()
			lat, sub = append(lat, l), append(sub, s)
		}
	}
	b.StopTimer()
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		// Other load on the machine shows in the tail: say how much.
		b.Logf("load average after the run: %s", bytes.TrimSpace(la))
	}
	// Anything the bot complained about while measured (an SMTP retry, an
	// IMAP reconnect) is reported, not hidden.
	warnings := strings.Count(logs.String(), "level=WARN") + strings.Count(logs.String(), "level=ERROR") - warnBefore
	if warnings > 0 {
		b.Logf("the bot logged %d warnings or errors:\n%s", warnings, logs.String())
	}

	slices.Sort(lat)
	slices.Sort(sub)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	var over500, over1s int
	var sum time.Duration
	for _, l := range lat {
		sum += l
		if l > 500*time.Millisecond {
			over500++
		}
		if l > time.Second {
			over1s++
		}
	}
	b.ReportMetric(ms(percentile(lat, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 90)), "p90-ms")
	b.ReportMetric(ms(percentile(lat, 99)), "p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
	b.ReportMetric(ms(sum/time.Duration(len(lat))), "mean-ms")
	b.ReportMetric(ms(percentile(sub, 50)), "submit-p50-ms")
	b.ReportMetric(float64(over500), "over-500ms")
	b.ReportMetric(float64(over1s), "over-1s")
	b.ReportMetric(float64(len(lat)), "samples")
	b.ReportMetric(float64(warnings), "bot-warnings")
	b.ReportMetric(ms(maxQuiesce), "max-quiesce-ms") // slowest wait for IDLE and the relays after an ack
	b.ReportMetric(0, "ns/op")                       // one op is ackReports reports plus waits: not a useful number
}

// waitAck waits for the acknowledgement of the report with Message-ID id
// (it carries it in In-Reply-To) and returns it, with the time the SMTP
// server accepted it.
func waitAck(b *testing.B, sim *mailsim.Sim, rcpt, id string) mailsim.Delivery {
	ctx, cancel := context.WithTimeout(context.Background(), ackSampleTimeout)
	defer cancel()
	ref := []byte("<" + id + ">")
	var ack mailsim.Delivery
	found := sim.WaitFor(ctx, func() bool {
		ds := sim.To(rcpt)
		for i := len(ds) - 1; i >= 0; i-- {
			if bytes.Contains(ds[i].Data, ref) {
				ack = ds[i]
				return true
			}
		}
		return false
	})
	if !found {
		b.Fatalf("no acknowledgement of <%s> after %s", id, ackSampleTimeout)
	}
	return ack
}

// setPollInterval rewrites the poll_interval of the demo config, which
// sets it once in [imap] (TOML refuses a second one from ConfigExtra).
func setPollInterval(b *testing.B, path, interval string) {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	const old = `poll_interval = "1s"`
	if n := bytes.Count(data, []byte(old)); n != 1 {
		b.Fatalf("%s: %d lines %q, want 1", path, n, old)
	}
	data = bytes.Replace(data, []byte(old), []byte(`poll_interval = "`+interval+`"`), 1)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
}

// percentile returns the nearest-rank p-th percentile of sorted.
func percentile(sorted []time.Duration, p int) time.Duration {
	i := (p*len(sorted) + 99) / 100 // ceil(p/100 * n), 1-based
	if i < 1 {
		i = 1
	}
	return sorted[i-1]
}

// lockedBuffer is a log sink that is safe to read while the bot writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
