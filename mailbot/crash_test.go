package mailbot_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/mailsim"
	"github.com/secbot/secbot/store"
)

var (
	secbotBinOnce sync.Once
	secbotBin     string
	secbotBinErr  error
)

// buildSecbot builds cmd/secbot once per test binary run (tests and
// BenchmarkStoreGrowth).
func buildSecbot(t testing.TB) string {
	t.Helper()
	secbotBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "secbot-bin-")
		if err != nil {
			secbotBinErr = err
			return
		}
		secbotBin = filepath.Join(dir, "secbot")
		out, err := exec.Command("go", "build", "-o", secbotBin, "github.com/secbot/secbot/cmd/secbot").CombinedOutput()
		if err != nil {
			secbotBinErr = fmt.Errorf("go build ./cmd/secbot: %v\n%s", err, out)
		}
	})
	if secbotBinErr != nil {
		t.Fatal(secbotBinErr)
	}
	return secbotBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if secbotBin != "" {
		os.RemoveAll(filepath.Dir(secbotBin))
	}
	os.Exit(code)
}

// daemon is one `secbot run` subprocess.
type daemon struct {
	cmd  *exec.Cmd
	done chan error
}

func startDaemon(t *testing.T, bin, configPath string, logf *os.File) *daemon {
	t.Helper()
	cmd := exec.Command(bin, "run", "-c", configPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return &daemon{cmd: cmd, done: done}
}

// stop sends sig and waits for the process to exit.
func (d *daemon) stop(t *testing.T, sig syscall.Signal, timeout time.Duration) error {
	t.Helper()
	if err := d.cmd.Process.Signal(sig); err != nil && !strings.Contains(err.Error(), "finished") {
		t.Fatal(err)
	}
	select {
	case err := <-d.done:
		return err
	case <-time.After(timeout):
		d.cmd.Process.Kill()
		<-d.done
		t.Fatalf("secbot did not exit %s after %v", timeout, sig)
		return nil
	}
}

// crashMail is one mail of the backlog: a new report, or a reply to one.
type crashMail struct {
	id     string
	parent string // Message-ID of the report it answers; "" for a new report
}

// TestCrashSafety fills the mailbox with a backlog, then starts `secbot
// run` and SIGKILLs it at random moments, again and again, adding mail
// between kills. A last run finishes the work. Every mail must then be
// stored exactly once on the right case, every acknowledgement and relay
// must have gone out, and duplicates (a crash between the SMTP server's
// 250 and our commit re-sends that mail) are at most one per kill.
// SECBOT_CRASH_SEED=N replays one run's kill timings.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: builds and kills the daemon; skipped under -short")
	}
	t.Parallel()
	const (
		backlogReports = 200
		backlogReplies = 100
		kills          = 15
	)
	bin := buildSecbot(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SECBOT_CRASH_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("SECBOT_CRASH_SEED: %v", err)
		}
		seed = n
	}
	t.Logf("seed %d (rerun with SECBOT_CRASH_SEED=%d)", seed, seed)
	rnd := rand.New(rand.NewPCG(seed, 0x5ec))

	dir := t.TempDir()
	w, err := demo.NewWorld(dir, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Sim.Close()
	logf, err := os.Create(filepath.Join(dir, "secbot.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	defer func() {
		if t.Failed() {
			if b, err := os.ReadFile(logf.Name()); err == nil {
				t.Logf("secbot log (tail):\n%s", tail(string(b), 4000))
			}
		}
	}()

	var (
		mails   []crashMail
		reports []string
	)
	add := func(n int, replyShare float64) {
		t.Helper()
		for range n {
			i := len(mails)
			m := crashMail{id: fmt.Sprintf("crash-%d@reporter.example", i)}
			if len(reports) > 0 && rnd.Float64() < replyShare {
				m.parent = reports[rnd.IntN(len(reports))]
			}
			from := demo.Person{Name: fmt.Sprintf("Reporter %d", i%37), Address: fmt.Sprintf("r%d@reporter.example", i%37)}
			subject := fmt.Sprintf("report %d", i)
			if m.parent != "" {
				subject = "Re: more on " + m.parent
			}
			raw, _, err := w.Compose(from, demo.Mail{Subject: subject, Body: fmt.Sprintf("crash test mail %d\n", i),
				MessageID: m.id, InReplyTo: m.parent})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Sim.Append(w.Robot.Address, raw); err != nil {
				t.Fatal(err)
			}
			if m.parent == "" {
				reports = append(reports, m.id)
			}
			mails = append(mails, m)
		}
	}
	add(backlogReports, 0)
	add(backlogReplies, 1)

	start := time.Now()
	for k := range kills {
		d := startDaemon(t, bin, w.ConfigPath, logf)
		time.Sleep(time.Duration(50+rnd.IntN(351)) * time.Millisecond)
		d.stop(t, syscall.SIGKILL, 10*time.Second)
		if k%3 == 2 {
			add(10, 0.5)
		}
	}
	t.Logf("%d kills in %v; %d mails in the mailbox", kills, time.Since(start).Round(time.Millisecond), len(mails))

	// A mail whose attempt was recorded when the process died waits out
	// its backoff (15 s and more) before the next try, as designed. Move
	// those due times to now, as if that time had passed.
	cfg, err := config.Load(w.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	dbPath := cfg.Path(cfg.Robot.Store)
	inFlight := rewindBackoff(t, dbPath)
	t.Logf("%d outbox entries had an attempt cut short by a kill", inFlight)

	// The last run: let it finish everything, then stop it cleanly.
	finalStart := time.Now()
	d := startDaemon(t, bin, w.ConfigPath, logf)
	expected := len(reports) + 2*len(mails) // an ack per report, a relay per mail and maintainer
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	done := w.Sim.WaitFor(ctx, func() bool {
		return len(deliveryCounts(w.Sim.Deliveries())) >= expected && unseen(t, w) == 0
	})
	if !done {
		t.Errorf("not finished after 40s: %d distinct mails delivered of %d, %d unseen", len(deliveryCounts(w.Sim.Deliveries())), expected, unseen(t, w))
	}
	if err := d.stop(t, syscall.SIGTERM, 10*time.Second); err != nil {
		t.Errorf("secbot run after SIGTERM: %v", err)
	}
	t.Logf("final run took %v", time.Since(finalStart).Round(time.Millisecond))

	// What the operator sees: `secbot outbox` lists nothing pending or failed.
	if out, err := exec.Command(bin, "outbox", "-c", w.ConfigPath).CombinedOutput(); err != nil {
		t.Errorf("secbot outbox: %v\n%s", err, out)
	} else if lines := strings.Split(strings.TrimSpace(string(out)), "\n"); len(lines) != 1 {
		t.Errorf("secbot outbox lists %d entries:\n%s", len(lines)-1, out)
	}

	st, err := store.Open(dbPath, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	counts := deliveryCounts(w.Sim.Deliveries())
	err = st.View(func(tx *store.Tx) error {
		// Every mail exactly once, on a case; replies on their report's case.
		caseOf := map[string]string{}
		seen := map[string]int{}
		for key := uint64(1); key <= uint64(tx.MessageCount()); key++ {
			m, err := tx.Message(key)
			if err != nil {
				return err
			}
			seen[m.MessageID]++
			if m.Case == "" || m.Status != store.MsgIngested {
				t.Errorf("message %d (%s): case %q, status %s", key, m.MessageID, m.Case, m.Status)
			}
			caseOf[m.MessageID] = m.Case
			for _, mk := range w.Maintainers {
				if id := fmt.Sprintf("relay.%d.%s@%s", key, strings.ToLower(mk.Key.GetFingerprint()[24:]), demo.Domain); counts[id] == 0 {
					t.Errorf("relay %s of %s never delivered", id, m.MessageID)
				}
			}
		}
		if n := tx.MessageCount(); n != len(mails) {
			t.Errorf("%d messages stored, %d appended", n, len(mails))
		}
		for _, m := range mails {
			if seen[m.id] != 1 {
				t.Errorf("%s stored %d times", m.id, seen[m.id])
			}
			if m.parent != "" && caseOf[m.id] != caseOf[m.parent] {
				t.Errorf("reply %s on case %s, its report %s on %s", m.id, caseOf[m.id], m.parent, caseOf[m.parent])
			}
		}
		cases, err := tx.Cases()
		if err != nil {
			return err
		}
		if len(cases) != len(reports) {
			t.Errorf("%d cases for %d reports", len(cases), len(reports))
		}
		for _, c := range cases {
			if id := "ack." + c.ID + "@" + demo.Domain; counts[id] == 0 {
				t.Errorf("ack %s never delivered", id)
			}
		}
		if n := tx.PendingCount(); n != 0 {
			t.Errorf("%d mails still pending in the outbox", n)
		}
		out, err := tx.Outbox()
		for _, om := range out {
			if om.State != store.OutSent {
				t.Errorf("outbox %s: %s (%s)", om.ID, om.State, om.LastReply)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := unseen(t, w); n != 0 {
		t.Errorf("%d messages not marked \\Seen", n)
	}

	var dups int
	var dupIDs []string
	for id, n := range counts {
		if n > 1 {
			dups += n - 1
			dupIDs = append(dupIDs, fmt.Sprintf("%s×%d", id, n))
		}
	}
	sort.Strings(dupIDs)
	t.Logf("%d kills: %d distinct mails delivered, %d duplicate deliveries %v", kills, len(counts), dups, dupIDs)
	if dups > kills {
		t.Errorf("%d duplicate deliveries for %d kills: more than one per kill", dups, kills)
	}
}

// rewindBackoff makes every pending outbox entry due now and returns how
// many had already been attempted. The daemon must not be running.
func rewindBackoff(t *testing.T, path string) int {
	t.Helper()
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n int
	now := time.Now()
	err = st.Update(func(tx *store.Tx) error {
		out, err := tx.Outbox()
		if err != nil {
			return err
		}
		for _, om := range out {
			if om.State != store.OutPending || om.Attempts == 0 {
				continue
			}
			n++
			if om.NextAttempt.After(now) {
				om.NextAttempt = now
				if err := tx.UpdateOutMail(om); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// deliveryCounts counts the accepted mails by Message-ID.
func deliveryCounts(ds []mailsim.Delivery) map[string]int {
	out := map[string]int{}
	for _, d := range ds {
		head, _, _ := strings.Cut(string(d.Data), "\r\n\r\n")
		for _, line := range strings.Split(head, "\r\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Message-Id") {
				out[strings.Trim(strings.TrimSpace(v), "<>")]++
				break
			}
		}
	}
	return out
}

// unseen counts the robot's INBOX messages without \Seen, over IMAP.
func unseen(t *testing.T, w *demo.World) int {
	t.Helper()
	c, err := imapclient.DialInsecure(w.Sim.IMAPAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(w.Robot.Address, mailsim.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	data, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	c.Logout().Wait()
	return len(data.AllUIDs())
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
