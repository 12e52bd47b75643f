package store

import (
	"errors"
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
	// Marking all when none is published wakes nobody either.
	var none int
	if err := s.Update(func(tx *Tx) (err error) { none, err = tx.MarkSiteAll(); return err }); err != nil || none != 0 || woke != 0 {
		t.Fatalf("MarkSiteAll of no published case = %d, %v, woke %d; want 0, nobody woken", none, err, woke)
	}
	if err := put(&Case{ID: "SEC-2026-0002", State: StatePublished, Opened: t0}); err != nil {
		t.Fatal(err)
	}
	if p := pending(); !slices.Equal(p, []string{"SEC-2026-0002"}) || woke != 1 {
		t.Fatalf("after publication: pending %v, woke %d", p, woke)
	}
	owed := func() (o bool) {
		s.View(func(tx *Tx) error { o = tx.SiteIndexOwed(); return nil })
		return o
	}
	if owed() {
		t.Fatal("index owed before any entry")
	}
	err := s.Update(func(tx *Tx) error { return tx.SiteWritten("SEC-2026-0002", t0, []byte(`{"case":"SEC-2026-0002"}`)) })
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	s.View(func(tx *Tx) error {
		return tx.SiteEntries(func(id string) error { entries = append(entries, id+" "+string(tx.SiteEntry(id))); return nil })
	})
	if p := pending(); len(p) != 0 || !slices.Equal(entries, []string{`SEC-2026-0002 {"case":"SEC-2026-0002"}`}) || !owed() {
		t.Fatalf("after the write: pending %v, entries %v, index owed %v", p, entries, owed())
	}
	if err := s.Update(func(tx *Tx) error { return tx.SiteIndexWritten() }); err != nil || owed() {
		t.Fatalf("index still owed after SiteIndexWritten (%v)", err)
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

// TestSiteOrder: the index order is newest first, then the later case id
// first, an empty entry included; a dropped entry leaves it, with its
// mark, and owes the index again.
func TestSiteOrder(t *testing.T) {
	s := openTemp(t)
	t0 := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	err := s.Update(func(tx *Tx) error {
		for _, x := range []struct {
			id string
			at time.Time
		}{{"SEC-2026-0001", t0}, {"SEC-2026-0002", t0.Add(time.Hour)}, {"SEC-2026-0003", t0}, {"SEC-2025-0009", t0.Add(-time.Hour)}} {
			if err := tx.PutCase(&Case{ID: x.id, State: StatePublished}); err != nil {
				return err
			}
			entry := []byte("{}")
			if x.id == "SEC-2025-0009" {
				entry = nil // empty, but an entry
			}
			if err := tx.SiteWritten(x.id, x.at, entry); err != nil {
				return err
			}
		}
		return tx.SiteIndexWritten()
	})
	if err != nil {
		t.Fatal(err)
	}
	order := func() (ids []string) {
		if err := s.View(func(tx *Tx) (err error) { ids, err = tx.SiteOrder(); return err }); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if got, want := order(), []string{"SEC-2026-0002", "SEC-2026-0003", "SEC-2026-0001", "SEC-2025-0009"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	s.View(func(tx *Tx) error {
		if e := tx.SiteEntry("SEC-2025-0009"); e == nil || len(e) != 0 {
			t.Errorf("empty entry reads %q, want empty, not nil", e)
		}
		if e := tx.SiteEntry("SEC-2099-0001"); e != nil {
			t.Errorf("entry of no case reads %q, want nil", e)
		}
		return nil
	})
	var owed bool
	var marked, pending []string
	err = s.Update(func(tx *Tx) error {
		if err := tx.MarkSite("SEC-2026-0003", "SEC-2026-0001"); err != nil {
			return err
		}
		if err := tx.MarkSite("SEC-2099-0001"); !errors.Is(err, ErrNotFound) {
			t.Errorf("marking no case: %v, want ErrNotFound", err)
		}
		marked = tx.SitePending("", 10)
		if err := tx.SiteDropped("SEC-2026-0003"); err != nil {
			return err
		}
		owed, pending = tx.SiteIndexOwed(), tx.SitePending("", 10)
		return nil
	})
	if err != nil || !owed || !slices.Equal(marked, []string{"SEC-2026-0001", "SEC-2026-0003"}) || !slices.Equal(pending, []string{"SEC-2026-0001"}) {
		t.Fatalf("marking two, dropping one: marked %v, then owed %v, pending %v, %v", marked, owed, pending, err)
	}
	if got, want := order(), []string{"SEC-2026-0002", "SEC-2026-0001", "SEC-2025-0009"}; !slices.Equal(got, want) {
		t.Errorf("order after the drop %v, want %v", got, want)
	}
}
