package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/benchkit"
	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/store"
)

// committed lists which of the backlog's n messages a store holds.
func committed(t *testing.T, view func(func(*store.Tx) error) error, n int) []bool {
	t.Helper()
	have := make([]bool, n)
	err := view(func(tx *store.Tx) error {
		for i := range n {
			_, have[i] = tx.LookupMessageID(fmt.Sprintf("r%d@reporter.example", i))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return have
}

// waitMessages waits, a bounded number of rounds, until the store holds
// at least n messages.
func waitMessages(t *testing.T, w *demo.World, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ok := w.Sim.WaitFor(ctx, func() bool {
		var got int
		w.View(func(tx *store.Tx) error { got = tx.MessageCount(); return nil })
		return got >= n
	})
	if !ok {
		t.Fatalf("fewer than %d messages stored in time", n)
	}
}

// TestBackupUnderLoad: a backup taken over the control socket while a
// backlog is being ingested and sent opens, checks clean and holds every
// message committed before it began. Restored, and the daemon
// restarted on it, no message is lost: the IMAP UID state in the copy
// makes the intake fetch again whatever came after.
func TestBackupUnderLoad(t *testing.T) {
	const n = 400
	w, err := demo.NewWorld(t.TempDir(), demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i := range n / 2 {
		raw, _ := benchkit.Message(i, w.Robot.Address)
		if err := w.Sim.Append(w.Robot.Address, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(w.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := serveCtl(ctx, ctlPath(cfg), w.Store(), func() *renderEnv { return nil }, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	waitMessages(t, w, n/8)
	// The second half arrives while the backup runs.
	appended := make(chan error, 1)
	go func() {
		for i := n / 2; i < n; i++ {
			raw, _ := benchkit.Message(i, w.Robot.Address)
			if err := w.Sim.Append(w.Robot.Address, []byte(raw)); err != nil {
				appended <- err
				return
			}
		}
		appended <- nil
	}()
	before := committed(t, w.View, n)
	out := filepath.Join(t.TempDir(), "backup.db")
	if _, err := backup(cfg, out); err != nil {
		t.Fatal(err)
	}
	if err := <-appended; err != nil {
		t.Fatal(err)
	}
	if _, err := backup(cfg, out); !errors.Is(err, store.ErrExists) {
		t.Errorf("second backup to the same path: %v, want ErrExists", err)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v", st, err)
	}
	var check strings.Builder
	if err := runQuery(cfg, query{Cmd: "check"}, &check); err != nil || !strings.HasPrefix(check.String(), "store ok") {
		t.Errorf("store check over the socket while the daemon works: %v\n%s", err, check.String())
	}
	copyHas := openCopy(t, out, n)
	t.Logf("committed before the backup: %d, in the copy: %d, of %d", count(before), count(copyHas), n)
	for i := range n {
		if before[i] && !copyHas[i] {
			t.Errorf("message %d was committed before the backup began, but the copy lacks it", i)
		}
	}
	waitMessages(t, w, n)
	if err := w.Stop(); err != nil {
		t.Fatal(err)
	}
	// Restore, and restart on the copy.
	storePath := cfg.Path(cfg.Robot.Store)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(storePath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitMessages(t, w, n)
	for i, ok := range committed(t, w.View, n) {
		if !ok {
			t.Errorf("message %d lost after the restore", i)
		}
	}
	if p := w.Store().Check(); p != nil {
		t.Errorf("restored store after catching up: %s", strings.Join(p, "; "))
	}
}

// openCopy opens a backup and lists which backlog messages it holds.
func openCopy(t *testing.T, path string, n int) []bool {
	t.Helper()
	st, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if p := st.Check(); p != nil {
		t.Errorf("backup: %s", strings.Join(p, "; "))
	}
	return committed(t, st.View, n)
}

func count(have []bool) (n int) {
	for _, h := range have {
		if h {
			n++
		}
	}
	return n
}
