package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// fillCheckable writes two cases (one armed), a message with its
// Message-ID entry, a pending mail and both timers: a store Check finds
// clean.
func fillCheckable(t *testing.T, s *Store, t0 time.Time) {
	t.Helper()
	err := s.Update(func(tx *Tx) error {
		armed := &Case{ID: "SEC-2026-0001", State: StateAccepted, Opened: t0}
		armed.Embargo.Armed = true
		for _, c := range []*Case{armed, {ID: "SEC-2026-0002", State: StateNew, Opened: t0}} {
			if err := tx.PutCase(c); err != nil {
				return err
			}
		}
		key, err := tx.AddMessage(&Message{Case: "SEC-2026-0001", MessageID: "m1@x", Received: t0}, []byte("raw"), nil)
		if err != nil {
			return err
		}
		if err := tx.IndexMessageID("m1@x", ThreadRef{Case: "SEC-2026-0001", Msg: key}); err != nil {
			return err
		}
		if _, err := tx.Enqueue(&OutMail{ID: "ack@x", Case: "SEC-2026-0001", Kind: "ack", Queued: t0}); err != nil {
			return err
		}
		if err := tx.SetTimer(Timer{At: t0.Add(time.Hour), Case: "SEC-2026-0001", Kind: TimerPublish}); err != nil {
			return err
		}
		return tx.SetTimer(Timer{At: t0.Add(time.Minute), Case: "SEC-2026-0002", Kind: TimerRemind})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCheck: a consistent store checks clean, and each broken index is
// named in the list of problems.
func TestCheck(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, x := range []struct {
		name   string
		break_ func(btx *bolt.Tx) error
		want   string
	}{
		{"clean", func(*bolt.Tx) error { return nil }, ""},
		{"message of a missing case", func(btx *bolt.Tx) error {
			return btx.Bucket(bucketMessages).Put(u64(99), []byte(`{"key":99,"case":"SEC-2026-0009"}`))
		}, "message 99: case SEC-2026-0009 does not exist"},
		{"msgid to a missing case", func(btx *bolt.Tx) error {
			return btx.Bucket(bucketMsgID).Put([]byte("x@y"), ThreadRef{Case: "SEC-2026-0009"}.encode())
		}, "case SEC-2026-0009 does not exist"},
		{"msgid to a missing message", func(btx *bolt.Tx) error {
			return btx.Bucket(bucketMsgID).Put([]byte("x@y"), ThreadRef{Case: "SEC-2026-0001", Msg: 77}.encode())
		}, "message 77 does not exist"},
		{"outbox to a missing case", func(btx *bolt.Tx) error {
			return btx.Bucket(bucketOutbox).Put([]byte("n@x"), []byte(`{"id":"n@x","case":"SEC-2026-0009","kind":"notice","state":"sent"}`))
		}, "outbox entry (notice): case SEC-2026-0009 does not exist"},
		{"due entry of no mail", func(btx *bolt.Tx) error {
			return btx.Bucket(bucketDue).Put(dueKey(t0, "gone@x"), nil)
		}, "due index: an entry names no outbox mail"},
		{"publish timer of an unarmed case", func(btx *bolt.Tx) error {
			return (&Tx{btx: btx}).SetTimer(Timer{At: t0, Case: "SEC-2026-0002", Kind: TimerPublish})
		}, "timer SEC-2026-0002/publish: case is not armed"},
		{"timer of a missing case", func(btx *bolt.Tx) error {
			return (&Tx{btx: btx}).SetTimer(Timer{At: t0, Case: "SEC-2026-0009", Kind: TimerRemind})
		}, "timer SEC-2026-0009/remind: case does not exist"},
		{"timer without index", func(btx *bolt.Tx) error {
			return btx.Bucket(bucketTimerIdx).Delete(timerIndexKey("SEC-2026-0002", TimerRemind))
		}, "timer SEC-2026-0002/remind: its index entry is missing"},
		{"summary missing", func(btx *bolt.Tx) error {
			return btx.Bucket(bucketSummary).Delete([]byte("SEC-2026-0002"))
		}, "case SEC-2026-0002: summary missing"},
		{"summary stale", func(btx *bolt.Tx) error {
			return btx.Bucket(bucketSummary).Put([]byte("SEC-2026-0002"), encodeSummary(CaseSummary{State: StateClosed}))
		}, "case SEC-2026-0002: summary differs from the case"},
		{"summary of no case", func(btx *bolt.Tx) error {
			return btx.Bucket(bucketSummary).Put([]byte("SEC-2026-0009"), encodeSummary(CaseSummary{State: StateNew}))
		}, "summary of case SEC-2026-0009: case does not exist"},
		{"page mark of no case", func(btx *bolt.Tx) error {
			return btx.Bucket(bucketSitePending).Put([]byte("SEC-2026-0009"), nil)
		}, "page mark of case SEC-2026-0009: case does not exist"},
		{"site entry of an unpublished case", func(btx *bolt.Tx) error {
			return btx.Bucket(bucketSiteEntry).Put([]byte("SEC-2026-0002"), []byte("{}"))
		}, "site entry of case SEC-2026-0002: case is new, not published"},
		{"older schema", func(btx *bolt.Tx) error {
			return btx.Bucket(bucketMeta).Put(keySchema, u64(SchemaVersion-1))
		}, fmt.Sprintf("schema %d, this secbot writes %d", SchemaVersion-1, SchemaVersion)},
	} {
		s := openTemp(t)
		fillCheckable(t, s, t0)
		if err := s.db.Update(x.break_); err != nil {
			t.Fatal(err)
		}
		got := strings.Join(s.Check(), "\n")
		if x.want == "" && got != "" || !strings.Contains(got, x.want) {
			t.Errorf("%s: problems %q, want %q", x.name, got, x.want)
		}
	}
}

// TestBackupTo: the copy is mode 0600, opens and checks clean, holds
// what had committed; an existing path is refused and left alone.
func TestBackupTo(t *testing.T) {
	s := openTemp(t)
	fillCheckable(t, s, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	out := filepath.Join(t.TempDir(), "copy.db")
	if _, err := s.BackupTo(out); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode: %v %v", st.Mode(), err)
	}
	if _, err := s.BackupTo(out); !errors.Is(err, ErrExists) {
		t.Errorf("backup over an existing file: %v, want ErrExists", err)
	}
	b, err := Open(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if p := b.Check(); p != nil {
		t.Errorf("backup has problems: %q", p)
	}
	b.View(func(tx *Tx) error {
		if n := tx.MessageCount(); n != 1 {
			t.Errorf("backup holds %d messages, want 1", n)
		}
		return nil
	})
}

// TestFailedBackupAndCheck: a store that cannot be read gives a failed
// backup that leaves no file, and a check that names the read error.
func TestFailedBackupAndCheck(t *testing.T) {
	s := openTemp(t)
	s.Close()
	out := filepath.Join(t.TempDir(), "copy.db")
	if n, err := s.BackupTo(out); err == nil || n != 0 {
		t.Errorf("backup of a closed store: %d bytes, %v; want an error", n, err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed backup left its file: %v", err)
	}
	if p := s.Check(); len(p) != 1 || !strings.HasPrefix(p[0], "read: ") {
		t.Errorf("check of a closed store: %q, want a read problem", p)
	}
}

// TestCompact: compaction shrinks a store that had grown and shrunk, the
// result opens and checks clean with the same data, and a store a
// process holds is refused.
func TestCompact(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fillCheckable(t, s, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	big := make([]byte, 1<<20)
	s.db.Update(func(btx *bolt.Tx) error { return btx.Bucket(bucketMeta).Put([]byte("junk"), big) })
	s.db.Update(func(btx *bolt.Tx) error { return btx.Bucket(bucketMeta).Delete([]byte("junk")) })
	if _, _, err := Compact(path); !errors.Is(err, ErrLocked) {
		t.Errorf("compact of an open store: %v, want ErrLocked", err)
	}
	s.Close()
	before, after, err := Compact(path)
	if err != nil {
		t.Fatal(err)
	}
	if after >= before {
		t.Errorf("compaction: %d bytes, then %d", before, after)
	}
	if st, err := os.Stat(path); err != nil || st.Size() != after {
		t.Errorf("compacted file: %v, %v; Compact said %d bytes", st.Size(), err, after)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if p := s.Check(); p != nil {
		t.Errorf("compacted store has problems: %q", p)
	}
	if _, err := os.Stat(path + ".compact"); !os.IsNotExist(err) {
		t.Errorf("temporary file left: %v", err)
	}
}
