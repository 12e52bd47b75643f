package integration

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/secbot/secbot/mailbot"
	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/intake"
	"github.com/secbot/secbot/store"
)

// backlogSize is the number of messages in the ingestion benchmark, as in
// BenchmarkIngestBacklog (mailbot/bench_test.go).
const backlogSize = 10000

// BenchmarkDovecotBacklog is BenchmarkIngestBacklog against a real
// Dovecot: the same backlog of about 5 KB messages (60% new reports, 40%
// replies threaded by In-Reply-To or subject tag) in the robot's INBOX,
// the same real intake loop with the real ingest as its sink into a fresh
// store, compared with a bare `UID FETCH 1:* BODY.PEEK[]` of the same
// mailbox by the same client code in the same run.
//
// The messages are written as maildir files before Dovecot first opens
// the mailbox. An unmeasured pass then builds Dovecot's index and cache
// and fills the page cache; each iteration times the floor, ingestion,
// and the floor again, and reports the mean floor. Run it (as root, with
// dovecot installed) with:
//
//	go test -run '^$' -bench DovecotBacklog -benchtime 1x ./mailbot/integration/
func BenchmarkDovecotBacklog(b *testing.B) {
	tl := tools{dovecot: requirePrograms(b, "Dovecot ingestion benchmark", "dovecot")["dovecot"]}
	// The bot's config and keys are the in-process benchmark's: a demo
	// world (its in-process mail servers stay idle).
	w, err := demo.NewWorld(b.TempDir(), demo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	cfg, err := config.Load(w.ConfigPath)
	if err != nil {
		b.Fatal(err)
	}
	dc := startDovecot(b, tl, worldReadableTempDir(b), []string{w.Robot.Address}, dovecotOptions{noDebug: true})
	start := time.Now()
	newCases := fillMaildir(b, dc, w.Robot.Address, backlogSize)
	b.Logf("wrote %d maildir files in %s", backlogSize, time.Since(start).Round(time.Millisecond))

	ic := intake.Config{Addr: dc.imapAddr, TLSMode: intake.TLSPlain, Username: w.Robot.Address,
		Password: mailPassword, PollInterval: time.Hour, Logger: w.Log}
	start = time.Now()
	prepareMailbox(b, dc.imapAddr, w.Robot.Address)
	timeFetchAll(b, ic)
	b.Logf("indexed and warmed the mailbox in %s", time.Since(start).Round(time.Millisecond))

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 {
			b.StopTimer()
			prepareMailbox(b, dc.imapAddr, w.Robot.Address) // unmark what the last ingestion marked
			b.StartTimer()
		}
		floor1 := timeFetchAll(b, ic)
		ingest, peakHeap := timeIngest(b, cfg, ic, i, newCases)
		floor2 := timeFetchAll(b, ic)
		floor := (floor1 + floor2) / 2
		b.Logf("floor %s, ingest %s, floor again %s", floor1.Round(time.Millisecond),
			ingest.Round(time.Millisecond), floor2.Round(time.Millisecond))
		b.ReportMetric(float64(backlogSize)/ingest.Seconds(), "msgs/s")
		b.ReportMetric(float64(backlogSize)/floor.Seconds(), "fetch-msgs/s")
		b.ReportMetric(ingest.Seconds()/floor.Seconds(), "ratio-to-fetch")
		b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MiB")
	}
}

// backlogMessage is message i of the backlog, to the robot at to, as
// BenchmarkIngestBacklog makes it (CRLF line ends). It reports whether
// the message opens a new case.
func backlogMessage(i int, to string) (raw string, newCase bool) {
	pad := strings.Repeat("The frobnicator overflows when the name is longer than 255 bytes. ", 70) // ~4.7 KB
	var hdr string
	switch {
	case i%5 == 3 && i > 10: // a reply by reference to an earlier report
		hdr = fmt.Sprintf("In-Reply-To: <r%d@reporter.example>\r\nSubject: Re: report %d\r\n", i-3, i-3)
	case i%5 == 4 && i > 10: // a reply by subject tag
		hdr = fmt.Sprintf("Subject: Re: [SEC-%d-0001] more details\r\n", time.Now().Year())
	default:
		hdr = fmt.Sprintf("Subject: report %d\r\n", i)
		newCase = true
	}
	raw = fmt.Sprintf("From: Reporter %d <r%d@reporter.example>\r\nTo: %s\r\nMessage-ID: <r%d@reporter.example>\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n%sContent-Type: text/plain\r\n\r\n%s\r\n",
		i, i, to, i, hdr, pad)
	return raw, newCase
}

// fillMaildir delivers the backlog to user's INBOX as a local delivery
// agent would: each message written to tmp/ with LF line ends (Dovecot
// sends CRLF), then renamed into new/, owned by the mail account. The
// names carry the sizes (S= on disk, W= with CRLF) and increasing times,
// so Dovecot gives the messages UIDs in backlog order. It returns how
// many messages open a new case.
func fillMaildir(b *testing.B, dc *dovecotServer, user string, n int) (newCases int) {
	root := dc.maildir(user)
	for _, d := range []string{root, filepath.Join(root, "tmp"), filepath.Join(root, "new"), filepath.Join(root, "cur")} {
		mkdirOwned(b, d, dc.mail, 0o700)
	}
	base := time.Now().Unix() - int64(n)
	for i := range n {
		raw, isNew := backlogMessage(i, user)
		if isNew {
			newCases++
		}
		data := strings.ReplaceAll(raw, "\r\n", "\n")
		name := fmt.Sprintf("%d.M0P%d.secbot-bench,S=%d,W=%d", base+int64(i), os.Getpid(), len(data), len(raw))
		tmp := filepath.Join(root, "tmp", name)
		if err := os.WriteFile(tmp, []byte(data), 0o600); err != nil {
			b.Fatal(err)
		}
		if err := os.Chown(tmp, dc.mail.uid, dc.mail.gid); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(root, "new", name)); err != nil {
			b.Fatal(err)
		}
	}
	return newCases
}

// prepareMailbox puts the mailbox in the state ingestion starts from,
// unmeasured: SELECT (Dovecot moves new/ to cur/ and indexes), no message
// \Seen, and Dovecot's cache holding what the intake asks for first
// (RFC822.SIZE, INTERNALDATE).
func prepareMailbox(b *testing.B, addr, user string) {
	c, err := imapclient.DialInsecure(addr, &imapclient.Options{Dialer: &net.Dialer{Timeout: 10 * time.Second}})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, mailPassword).Wait(); err != nil {
		b.Fatalf("login %s: %v", user, err)
	}
	mbox, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		b.Fatalf("select INBOX: %v", err)
	}
	if mbox.NumMessages != backlogSize {
		b.Fatalf("INBOX holds %d messages, want %d", mbox.NumMessages, backlogSize)
	}
	all := imap.UIDSet{{Start: 1, Stop: 0}} // 1:*
	unseen := &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}
	if err := c.Store(all, unseen, nil).Close(); err != nil {
		b.Fatalf("store -flags \\Seen: %v", err)
	}
	if _, err := c.Fetch(all, &imap.FetchOptions{UID: true, RFC822Size: true, InternalDate: true}).Collect(); err != nil {
		b.Fatalf("fetch metadata: %v", err)
	}
	if err := c.Logout().Wait(); err != nil {
		b.Fatalf("logout: %v", err)
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
func timeIngest(b *testing.B, cfg *config.Config, ic intake.Config, iter, wantCases int) (time.Duration, uint64) {
	st, err := store.Open(filepath.Join(b.TempDir(), "bench-"+strconv.Itoa(iter)+".db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	keys, err := mailbot.LoadKeys(cfg, time.Now(), ic.Logger)
	if err != nil {
		b.Fatal(err)
	}
	bot, err := mailbot.New(mailbot.Options{Config: cfg, Store: st, Keys: keys, Logger: ic.Logger})
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
	var msgs, cases int
	err = st.View(func(tx *store.Tx) error {
		msgs = tx.MessageCount()
		all, err := tx.Cases()
		cases = len(all)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if msgs != backlogSize {
		b.Fatalf("ingested %d messages, want %d", msgs, backlogSize)
	}
	// Replies only join their cases when Dovecot kept the backlog order.
	if cases != wantCases {
		b.Fatalf("ingestion opened %d cases, want %d", cases, wantCases)
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
