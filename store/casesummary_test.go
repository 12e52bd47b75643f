package store

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestCaseSummaries: PutCase keeps each case's summary as the case list
// shows it, in id order, through a later change of the case.
func TestCaseSummaries(t *testing.T) {
	s := openTemp(t)
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 123, time.FixedZone("x", 3600))
	err := s.Update(func(tx *Tx) error {
		for _, c := range []*Case{
			{ID: "SEC-2026-0002", State: StateNew, Opened: t0, Subject: "ünïcode\ttab", Messages: []uint64{1, 2, 3}},
			{ID: "SEC-2026-0001", State: StateAccepted, Opened: t0.Add(-time.Hour)},
		} {
			if err := tx.PutCase(c); err != nil {
				return err
			}
		}
		c, _ := tx.Case("SEC-2026-0001")
		c.State, c.Messages = StateClosed, []uint64{9}
		return tx.PutCase(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []CaseSummary{
		{ID: "SEC-2026-0001", State: StateClosed, Opened: t0.Add(-time.Hour).UTC(), Messages: 1},
		{ID: "SEC-2026-0002", State: StateNew, Opened: t0.UTC(), Messages: 3, Subject: "ünïcode\ttab"},
	}
	s.View(func(tx *Tx) error {
		got, err := tx.CaseSummaries()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("summaries %+v, %v\nwant %+v", got, err, want)
		}
		return nil
	})
}

// TestDecodeSummaryTruncated: every prefix of a summary record shorter
// than its fixed part is refused, not misread, and nothing panics.
func TestDecodeSummaryTruncated(t *testing.T) {
	full := encodeSummary(CaseSummary{State: StateAccepted, Opened: time.Unix(1e9, 5), Messages: 300})
	for n := range len(full) {
		if _, err := decodeSummary([]byte("X"), full[:n]); !errors.Is(err, errSummary) {
			t.Errorf("prefix of %d bytes: %v, want errSummary", n, err)
		}
	}
	if _, err := decodeSummary([]byte("X"), full); err != nil {
		t.Errorf("whole record: %v", err)
	}
}

// TestSchema6Migrated: the schema 6 fixture (testdata/schema6gen), which
// had no summary index, opens with a summary for each of its cases, and
// checks clean.
func TestSchema6Migrated(t *testing.T) {
	data, err := os.ReadFile("testdata/schema6.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "s.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrOlderSchema) {
		t.Fatalf("read-only open of schema 6: %v, want ErrOlderSchema", err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	want := []CaseSummary{
		{ID: "SEC-2026-0001", State: StateAccepted, Opened: t0, Messages: 2, Subject: "Heap overflow in parser"},
		{ID: "SEC-2026-0002", State: StateNew, Opened: t0.Add(24 * time.Hour), Subject: "no mail yet"},
		{ID: "SEC-2027-0001", State: StatePublished, Opened: time.Date(2027, 1, 2, 3, 4, 5, 6, time.UTC)},
	}
	s.View(func(tx *Tx) error {
		got, err := tx.CaseSummaries()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("summaries %+v, %v\nwant %+v", got, err, want)
		}
		return nil
	})
	if p := s.Check(); p != nil {
		t.Errorf("migrated store has problems: %q", p)
	}
}

// TestDecodeSummaryRefusesNanosecondsOfASecond: a nanosecond field of a
// whole second or more is no time of day; time.Unix would carry it into
// the seconds and read another time.
func TestDecodeSummaryRefusesNanosecondsOfASecond(t *testing.T) {
	for _, tc := range []struct {
		nsec uint64
		ok   bool
	}{{0, true}, {999_999_999, true}, {1_000_000_000, false}, {1 << 40, false}} {
		b := binary.AppendUvarint(nil, uint64(len(StateNew)))
		b = append(b, StateNew...)
		b = binary.AppendVarint(b, 1e9)
		b = binary.AppendUvarint(b, tc.nsec)
		b = binary.AppendUvarint(b, 1)
		_, err := decodeSummary([]byte("X"), b)
		if (err == nil) != tc.ok || !tc.ok && !errors.Is(err, errSummary) {
			t.Errorf("nanoseconds %d: %v, want ok %v", tc.nsec, err, tc.ok)
		}
	}
}

// TestEncodeSummaryAllocatesOnce: the record is sized once, whatever the
// state and subject (case list encodes tens of thousands of them).
func TestEncodeSummaryAllocatesOnce(t *testing.T) {
	s := CaseSummary{State: strings.Repeat("s", 40), Opened: time.Unix(1e10, 999_999_999), Messages: 1 << 20,
		Subject: strings.Repeat("x", 200)}
	if n := testing.AllocsPerRun(10, func() { encodeSummary(s) }); n != 1 {
		t.Errorf("%v allocations, want 1", n)
	}
}
