package mailbot_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot"
	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/intake"
	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/mailbot/mailsim"
	"github.com/secbot/secbot/mailbot/tlsmode"
	"github.com/secbot/secbot/store"
)

// appendReports puts n new reports in the robot's INBOX and returns their
// Message-IDs.
func appendReports(t *testing.T, w *demo.World, tag string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		id := fmt.Sprintf("%s-%d@reporter.example", tag, i)
		raw, _, err := w.Compose(w.Reporter, demo.Mail{Subject: tag, Body: "report\n", MessageID: id})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Sim.Append(w.Robot.Address, raw); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// TestStoreLockedRunRefusesToStart: a store secbot cannot open for
// writing (here: another secbot holds it) makes `secbot run` exit with an
// error naming the store, and no mail is taken off the server.
func TestStoreLockedRunRefusesToStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds secbot; skipped under -short")
	}
	t.Parallel()
	bin := buildSecbot(t)
	w, err := demo.NewWorld(t.TempDir(), demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Sim.Close()
	appendReports(t, w, "locked", 3)
	cfg, err := config.Load(w.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	holder, err := store.Open(cfg.Path(cfg.Robot.Store), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()

	var out bytes.Buffer
	d := startDaemonOut(t, bin, w.ConfigPath, &out)
	d.mustFail(t, "with its store locked")
	if msg := out.String(); !strings.Contains(msg, "open store") || !strings.Contains(msg, "secbot.db") {
		t.Errorf("error does not name the store:\n%s", msg)
	}
	if n := unseen(t, w); n != 3 {
		t.Errorf("%d of 3 messages left unseen", n)
	}
	if n := len(w.Sim.Deliveries()); n != 0 {
		t.Errorf("%d mails sent", n)
	}
}

// TestStoreReadOnlyRunRefusesToStart: the same with a store file and
// directory that are not writable. Root ignores file modes, so this one
// only runs as another user.
func TestStoreReadOnlyRunRefusesToStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds secbot; skipped under -short")
	}
	if os.Geteuid() == 0 {
		t.Skip("running as root: file modes do not stop writes (TestStoreLockedRunRefusesToStart covers the refusal)")
	}
	t.Parallel()
	bin := buildSecbot(t)
	w, err := demo.NewWorld(t.TempDir(), demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Sim.Close()
	cfg, err := config.Load(w.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	db := cfg.Path(cfg.Robot.Store)
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	appendReports(t, w, "readonly", 3)
	if err := os.Chmod(db, 0o400); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(db)
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)

	var out bytes.Buffer
	d := startDaemonOut(t, bin, w.ConfigPath, &out)
	d.mustFail(t, "with a read-only store")
	if msg := out.String(); !strings.Contains(msg, "secbot.db") {
		t.Errorf("error does not name the store:\n%s", msg)
	}
	if n := unseen(t, w); n != 3 {
		t.Errorf("%d of 3 messages left unseen", n)
	}
}

func startDaemonOut(t *testing.T, bin, configPath string, out *bytes.Buffer) *daemon {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, bin, configPath, f)
	done, exited := make(chan error, 1), d.done
	go func() {
		err := <-exited
		f.Close()
		b, _ := os.ReadFile(f.Name())
		out.Write(b)
		done <- err
	}()
	d.done = done
	return d
}

// failingSink is the bot as the intake's Sink, with a store that can be
// made to fail: before the transaction (a full disk: nothing written), or
// after it committed (the commit's outcome lost on the way back).
type failingSink struct {
	*mailbot.Bot
	failBefore, failAfter atomic.Bool
	failures              atomic.Int32
}

var errDiskFull = fmt.Errorf("write store: %w", syscall.ENOSPC)

func (s *failingSink) Deliver(ctx context.Context, mailbox string, uidValidity uint32, msgs []intake.Message) error {
	if s.failBefore.Load() {
		s.failures.Add(1)
		return errDiskFull
	}
	if err := s.Bot.Deliver(ctx, mailbox, uidValidity, msgs); err != nil {
		return err
	}
	if s.failAfter.CompareAndSwap(true, false) {
		s.failures.Add(1)
		return errors.New("commit outcome lost")
	}
	return nil
}

// TestStoreFailureMidRun: while the store cannot be written, the intake
// takes no mail — nothing is marked \Seen — and retries; once the store
// works again every mail is recorded exactly once. A commit whose success
// did not reach the intake is not recorded twice, and its mail ends up
// \Seen.
func TestStoreFailureMidRun(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short")
	}
	t.Parallel()
	w, err := demo.NewWorld(t.TempDir(), demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Sim.Close()
	cfg, err := config.Load(w.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(cfg.Path(cfg.Robot.Store), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := slog.New(slog.DiscardHandler)
	keys, err := keyring.Load(cfg, time.Now(), log)
	if err != nil {
		t.Fatal(err)
	}
	bot, err := mailbot.New(mailbot.Options{Config: cfg, Store: st, Keys: keys, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	sink := &failingSink{Bot: bot}
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() {
		runDone <- intake.Run(ctx, intake.Config{Addr: w.Sim.IMAPAddr, TLSMode: tlsmode.Plain,
			Username: w.Robot.Address, Password: mailsim.Password, PollInterval: 100 * time.Millisecond,
			MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Logger: log}, sink)
	}()
	defer func() {
		cancel()
		if err := <-runDone; err != nil {
			t.Errorf("intake: %v", err)
		}
	}()
	stored := func() map[string]int {
		out := map[string]int{}
		st.View(func(tx *store.Tx) error {
			for key := uint64(1); key <= uint64(tx.MessageCount()); key++ {
				if m, err := tx.Message(key); err == nil {
					out[m.MessageID]++
				}
			}
			return nil
		})
		return out
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(wait)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// It works.
	ids := appendReports(t, w, "before", 2)
	waitFor("the first mails", func() bool { return len(stored()) == 2 && unseen(t, w) == 0 })

	// The disk is full: the intake keeps retrying, marks nothing.
	sink.failBefore.Store(true)
	ids = append(ids, appendReports(t, w, "full", 5)...)
	waitFor("three failed deliveries", func() bool { return sink.failures.Load() >= 3 })
	if n := unseen(t, w); n != 5 {
		t.Errorf("%d of 5 messages unseen while the store fails", n)
	}
	if n := len(stored()); n != 2 {
		t.Errorf("%d messages stored while the store fails", n)
	}

	// Space again: everything is taken, once.
	sink.failBefore.Store(false)
	waitFor("the backlog after recovery", func() bool { return len(stored()) == 7 && unseen(t, w) == 0 })

	// A commit that succeeded but reported failure: the next session
	// finds the UIDs recorded and only marks them.
	sink.failAfter.Store(true)
	ids = append(ids, appendReports(t, w, "lost", 3)...)
	waitFor("the lost commit to be repaired", func() bool { return !sink.failAfter.Load() && len(stored()) == 10 && unseen(t, w) == 0 })
	time.Sleep(300 * time.Millisecond) // a few more polls: nothing may be taken twice

	got := stored()
	if len(got) != len(ids) {
		t.Errorf("%d distinct messages stored, want %d", len(got), len(ids))
	}
	for _, id := range ids {
		if got[id] != 1 {
			t.Errorf("%s stored %d times", id, got[id])
		}
	}
	if n := bot.Panics(); n != 0 {
		t.Errorf("%d panics", n)
	}
}

// mustFail expects secbot run to exit non-zero soon, as it must when its
// store cannot be used (why says when, for the failure message).
func (d *daemon) mustFail(t *testing.T, why string) {
	t.Helper()
	select {
	case err := <-d.done:
		if err == nil {
			t.Fatalf("secbot run exited 0 %s", why)
		}
	case <-time.After(20 * time.Second):
		d.cmd.Process.Kill()
		<-d.done
		t.Fatalf("secbot run still running 20s after start %s", why)
	}
}
