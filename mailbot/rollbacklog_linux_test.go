package mailbot_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot"
	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/intake"
	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/store"
)

// failWrites makes every write to the open bbolt file at path fail, as on
// a full disk, until the returned restore runs: it puts a read-only
// descriptor of the same file in place of the store's own, so reads (and
// bbolt's read-only mmap) go on working and a commit fails at its first
// write, before anything reached the file.
func failWrites(t *testing.T, path string) (restore func()) {
	t.Helper()
	fd := storeFD(t, path)
	saved, err := syscall.Dup(fd)
	if err != nil {
		t.Fatal(err)
	}
	ro, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(ro)
	if err := syscall.Dup3(ro, fd, syscall.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := syscall.Dup3(saved, fd, syscall.O_CLOEXEC); err != nil {
			t.Fatal(err)
		}
		syscall.Close(saved)
	}
}

// storeFD finds the descriptor this process holds open on path.
func storeFD(t *testing.T, path string) int {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	for _, e := range entries {
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && target == abs {
			var fd int
			if _, err := fmt.Sscan(e.Name(), &fd); err == nil {
				return fd
			}
		}
	}
	t.Fatalf("no open descriptor on %s", abs)
	return -1
}

// TestLogsDescribeOnlyCommittedWork: when a batch's commit fails, as on a
// full disk, and then each message's and each quarantine's, the log says
// nothing of the cases opened and the messages quarantined in the work
// that was rolled back; it says it once for the work that committed.
func TestLogsDescribeOnlyCommittedWork(t *testing.T) {
	w, err := demo.NewWorld(t.TempDir(), demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Sim.Close()
	cfg, err := config.Load(w.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	path := cfg.Path(cfg.Robot.Store)
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	keys, err := keyring.Load(cfg, time.Now(), log)
	if err != nil {
		t.Fatal(err)
	}
	bot, err := mailbot.New(mailbot.Options{Config: cfg, Store: st, Keys: keys, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	report := func(uid uint32, messageID string) intake.Message {
		raw, _, err := w.Compose(w.Reporter, demo.Mail{Subject: "bug", Body: "report\n", MessageID: messageID})
		if err != nil {
			t.Fatal(err)
		}
		return intake.Message{UID: uid, Raw: raw, Size: int64(len(raw))}
	}
	count := func(msg string) int { return strings.Count(logs.String(), `msg="`+msg+`"`) }
	check := func(stage string, opened, quarantined int) {
		t.Helper()
		if n := count("case opened"); n != opened {
			t.Errorf("%s: %d \"case opened\" lines, want %d:\n%s", stage, n, opened, logs)
		}
		if n := count("message quarantined"); n != quarantined {
			t.Errorf("%s: %d \"message quarantined\" lines, want %d:\n%s", stage, n, quarantined, logs)
		}
	}
	ctx := context.Background()

	// The disk is full: every commit fails, Deliver fails, nothing is said
	// to be done.
	restore := failWrites(t, path)
	err = bot.Deliver(ctx, "INBOX", 1, []intake.Message{report(1, "one@reporter.example"), report(2, "two@reporter.example")})
	restore()
	if err == nil {
		t.Fatal("Deliver succeeded with every write failing")
	}
	check("full disk", 0, 0)

	// Space again: the same batch is recorded, and said so once.
	err = bot.Deliver(ctx, "INBOX", 1, []intake.Message{report(1, "one@reporter.example"), report(2, "two@reporter.example")})
	if err != nil {
		t.Fatal(err)
	}
	check("after recovery", 2, 0)
	var cases []*store.Case
	st.View(func(tx *store.Tx) error { cases, err = tx.Cases(); return err })
	if len(cases) != 2 {
		t.Errorf("%d cases stored, want 2", len(cases))
	}
	for _, c := range cases {
		if n := strings.Count(logs.String(), `msg="case opened" case=`+c.ID+" "); n != 1 {
			t.Errorf("%d \"case opened\" lines for %s, want 1", n, c.ID)
		}
	}
}
