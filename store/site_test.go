package store

import (
	"slices"
	"testing"
	"time"
)

// TestSiteMarks: putting a published case marks its pages in the same
// transaction, and wakes the site writer only after the commit; a case
// in any other state is never marked; writing the pages replaces the
// mark with the entry; MarkSiteAll marks every published case again.
func TestSiteMarks(t *testing.T) {
	s := openTemp(t)
	woke := 0
	s.OnSite(func() { woke++ })
	t0 := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	put := func(c *Case) error { return s.Update(func(tx *Tx) error { return tx.PutCase(c) }) }
	pending := func() (ids []string) {
		s.View(func(tx *Tx) error { ids = tx.SitePending("", 10); return nil })
		return ids
	}
	for _, st := range []string{StateNew, StateAccepted, StateClosed, StateRejected, StateDuplicate} {
		if err := put(&Case{ID: "SEC-2026-0001", State: st, Opened: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if p := pending(); len(p) != 0 || woke != 0 {
		t.Fatalf("unpublished case marked: %v, woke %d", p, woke)
	}
	// A rolled-back transaction marks nothing and wakes nobody.
	s.Update(func(tx *Tx) error {
		tx.PutCase(&Case{ID: "SEC-2026-0002", State: StatePublished, Opened: t0})
		return errRollback
	})
	if p := pending(); len(p) != 0 || woke != 0 {
		t.Fatalf("rolled-back publication marked: %v, woke %d", p, woke)
	}
	if err := put(&Case{ID: "SEC-2026-0002", State: StatePublished, Opened: t0}); err != nil {
		t.Fatal(err)
	}
	if p := pending(); !slices.Equal(p, []string{"SEC-2026-0002"}) || woke != 1 {
		t.Fatalf("after publication: pending %v, woke %d", p, woke)
	}
	err := s.Update(func(tx *Tx) error { return tx.SiteWritten("SEC-2026-0002", []byte(`{"case":"SEC-2026-0002"}`)) })
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	s.View(func(tx *Tx) error {
		return tx.SiteEntries(func(id string, e []byte) error { entries = append(entries, id+" "+string(e)); return nil })
	})
	if p := pending(); len(p) != 0 || !slices.Equal(entries, []string{`SEC-2026-0002 {"case":"SEC-2026-0002"}`}) {
		t.Fatalf("after the write: pending %v, entries %v", p, entries)
	}
	var n int
	if err := s.Update(func(tx *Tx) (err error) { n, err = tx.MarkSiteAll(); return err }); err != nil || n != 1 {
		t.Fatalf("MarkSiteAll = %d, %v", n, err)
	}
	if p := pending(); !slices.Equal(p, []string{"SEC-2026-0002"}) || woke != 2 {
		t.Fatalf("after MarkSiteAll: pending %v, woke %d", p, woke)
	}
	if problems := s.Check(); len(problems) != 0 {
		t.Errorf("check: %v", problems)
	}
	if err := s.Update(func(tx *Tx) error { return tx.ClearSitePending() }); err != nil {
		t.Fatal(err)
	}
	if p := pending(); len(p) != 0 {
		t.Fatalf("after ClearSitePending: %v", p)
	}
}

// TestSitePendingAfter: the marks are walked in id order from after
// the given id, n at a time.
func TestSitePendingAfter(t *testing.T) {
	s := openTemp(t)
	err := s.Update(func(tx *Tx) error {
		for _, id := range []string{"SEC-2026-0003", "SEC-2026-0001", "SEC-2026-0002", "SEC-2026-0004"} {
			if err := tx.PutCase(&Case{ID: id, State: StatePublished}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		after string
		n     int
		want  []string
	}{
		{"", 2, []string{"SEC-2026-0001", "SEC-2026-0002"}},
		{"SEC-2026-0002", 2, []string{"SEC-2026-0003", "SEC-2026-0004"}},
		{"SEC-2026-0002", 1, []string{"SEC-2026-0003"}},
		{"SEC-2026-00025", 5, []string{"SEC-2026-0003", "SEC-2026-0004"}}, // not itself marked
		{"SEC-2026-0004", 5, nil},
	} {
		var got []string
		s.View(func(tx *Tx) error { got = tx.SitePending(x.after, x.n); return nil })
		if !slices.Equal(got, x.want) {
			t.Errorf("SitePending(%q, %d) = %v, want %v", x.after, x.n, got, x.want)
		}
	}
}
