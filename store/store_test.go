package store

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "s.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.db.Update(func(btx *bolt.Tx) error { return btx.Bucket(bucketMeta).Put(keySchema, u64(SchemaVersion+1)) })
	s.Close()
	if _, err := Open(path, Options{}); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("open newer schema: %v, want ErrNewerSchema", err)
	}
}

// TestOpenLockTimeout: Open waits a bounded time for the lock of a
// store another process holds, 5s unless told otherwise, and then says
// the store is locked.
func TestOpenLockTimeout(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want time.Duration
	}{{Options{}, 5 * time.Second}, {Options{Timeout: time.Millisecond}, time.Millisecond}} {
		if got := tc.opts.lockTimeout(); got != tc.want {
			t.Errorf("lockTimeout(%+v) = %s, want %s", tc.opts, got, tc.want)
		}
	}
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(path, Options{Timeout: time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Fatalf("open of a held store: %v, want ErrLocked", err)
	}
}

func TestCaseIDsCountPerYear(t *testing.T) {
	s := openTemp(t)
	var got []string
	s.Update(func(tx *Tx) error {
		for _, y := range []int{2026, 2026, 2027, 2026} {
			id, err := tx.NewCaseID("SEC", y)
			if err != nil {
				return err
			}
			got = append(got, id)
		}
		return nil
	})
	want := []string{"SEC-2026-0001", "SEC-2026-0002", "SEC-2027-0001", "SEC-2026-0003"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("id %d = %s, want %s", i, got[i], want[i])
		}
	}
}

func TestOutboxDueOrderAndIdempotence(t *testing.T) {
	s := openTemp(t)
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	err := s.Update(func(tx *Tx) error {
		for i, id := range []string{"c@x", "a@x", "b@x"} {
			if _, err := tx.Enqueue(&OutMail{ID: id, Kind: "ack", Queued: t0.Add(time.Duration(i) * time.Minute)}); err != nil {
				return err
			}
		}
		ok, err := tx.Enqueue(&OutMail{ID: "a@x", Kind: "other", Queued: t0})
		if ok || err != nil {
			t.Errorf("second enqueue of a@x: ok=%v err=%v, want skipped", ok, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	check := func(now time.Time, max int, want []string, wantNext time.Time) {
		t.Helper()
		s.View(func(tx *Tx) error {
			due, next, err := tx.Due(now, max)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, m := range due {
				ids = append(ids, m.ID)
			}
			if len(ids) != len(want) || !next.Equal(wantNext) {
				t.Errorf("Due(%s, %d) = %v next %s, want %v next %s", now, max, ids, next, want, wantNext)
			}
			for i := range want {
				if i < len(ids) && ids[i] != want[i] {
					t.Errorf("Due order %v, want %v", ids, want)
				}
			}
			return nil
		})
	}
	check(t0.Add(-time.Second), 10, nil, t0)
	check(t0, 10, []string{"c@x"}, t0.Add(time.Minute)) // due at now is due
	check(t0.Add(90*time.Second), 10, []string{"c@x", "a@x"}, t0.Add(2*time.Minute))
	check(t0.Add(90*time.Second), 1, []string{"c@x"}, t0.Add(time.Minute)) // at most max, the rest's time next
	// An attempt moves the entry to its next time; delivery retires it.
	s.Update(func(tx *Tx) error {
		m, _ := tx.OutMail("c@x")
		m.Attempts++
		m.NextAttempt = t0.Add(time.Hour)
		if err := tx.UpdateOutMail(m); err != nil {
			return err
		}
		m, _ = tx.OutMail("a@x")
		m.State = OutSent
		return tx.UpdateOutMail(m)
	})
	check(t0.Add(3*time.Minute), 10, []string{"b@x"}, t0.Add(time.Hour))
	s.View(func(tx *Tx) error {
		if n := tx.PendingCount(); n != 2 {
			t.Errorf("pending %d, want 2", n)
		}
		return nil
	})
}

func TestMarkExecutedRefusesReplay(t *testing.T) {
	s := openTemp(t)
	now := time.Now()
	s.Update(func(tx *Tx) error {
		if ok, _ := tx.MarkExecuted([]string{"mid:a", "hash:1"}, now); !ok {
			t.Error("first run refused")
		}
		if ok, _ := tx.MarkExecuted([]string{"mid:b", "hash:1"}, now); ok {
			t.Error("same signed content under a new Message-ID ran again")
		}
		if ok, _ := tx.MarkExecuted([]string{"mid:a", "hash:2"}, now); ok {
			t.Error("same Message-ID ran again")
		}
		return nil
	})
}

func TestMessagesAndIndex(t *testing.T) {
	s := openTemp(t)
	s.Update(func(tx *Tx) error {
		key, err := tx.AddMessage(&Message{Case: "SEC-2026-0001", MessageID: "m1@x"}, []byte("raw"), []byte("plain"))
		if err != nil {
			return err
		}
		if err := tx.IndexMessageID("<m1@x>", ThreadRef{Case: "SEC-2026-0001", Msg: key}); err != nil {
			return err
		}
		ref, ok := tx.LookupMessageID(" m1@x ")
		if !ok || ref.Case != "SEC-2026-0001" || ref.Msg != key {
			t.Errorf("lookup = %+v %v", ref, ok)
		}
		if string(tx.Raw(key)) != "raw" || string(tx.Plain(key)) != "plain" {
			t.Errorf("raw/plain = %q/%q", tx.Raw(key), tx.Plain(key))
		}
		return nil
	})
}

// TestAddMessageNormalisesDates: a Date JSON cannot hold (a zone of 24
// hours, which RFC 1123 parsers accept; a year past 9999) is kept in UTC
// or dropped by the store itself, so that no caller needs to check.
func TestAddMessageNormalisesDates(t *testing.T) {
	s := openTemp(t)
	check := func(date, want time.Time) {
		t.Helper()
		err := s.Update(func(tx *Tx) error {
			key, err := tx.AddMessage(&Message{Case: "SEC-2026-0001", Received: date, Date: date}, []byte("raw"), nil)
			if err != nil {
				return err
			}
			m, err := tx.Message(key)
			if err != nil {
				return err
			}
			if !m.Date.Equal(want) || !want.IsZero() && m.Date.Location() != time.UTC {
				t.Errorf("date %v stored as %v, want %v", date, m.Date, want)
			}
			return nil
		})
		if err != nil {
			t.Errorf("date %v: %v", date, err)
		}
	}
	day := time.Date(2026, 11, 25, 10, 0, 0, 0, time.FixedZone("", -24*3600))
	check(day, time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	check(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{})
}

// TestTimerIndex: setting a timer replaces the one of the same case and
// kind, found through the index; deleting removes both entries.
func TestTimerIndex(t *testing.T) {
	s := openTemp(t)
	at := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	err := s.Update(func(tx *Tx) error {
		for i := range 3 {
			if err := tx.SetTimer(Timer{At: at.Add(time.Duration(i) * time.Hour), Case: "SEC-2026-0001", Kind: TimerRemind}); err != nil {
				return err
			}
		}
		if err := tx.SetTimer(Timer{At: at, Case: "SEC-2026-0001", Kind: TimerPublish}); err != nil {
			return err
		}
		if ts, _ := tx.AllTimers(); len(ts) != 2 || !ts[1].At.Equal(at.Add(2*time.Hour)) {
			t.Errorf("timers after replacing: %+v", ts)
		}
		if err := tx.DeleteTimer("SEC-2026-0001", TimerRemind); err != nil {
			return err
		}
		if err := tx.DeleteTimer("SEC-2026-0009", TimerRemind); err != nil {
			return err
		}
		if ts, _ := tx.AllTimers(); len(ts) != 1 || ts[0].Kind != TimerPublish {
			t.Errorf("timers after delete: %+v", ts)
		}
		if got, ok, err := tx.TimerOf("SEC-2026-0001", TimerPublish); err != nil || !ok || !got.At.Equal(at) {
			t.Errorf("TimerOf publish: %+v %v %v", got, ok, err)
		}
		if _, ok, err := tx.TimerOf("SEC-2026-0001", TimerRemind); err != nil || ok {
			t.Errorf("TimerOf a deleted timer: %v %v", ok, err)
		}
		n := 0 // a cursor sees the open transaction's writes; Stats does not
		tx.btx.Bucket(bucketTimerIdx).ForEach(func(_, _ []byte) error { n++; return nil })
		if n != 1 {
			t.Errorf("%d index entries, want 1", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
