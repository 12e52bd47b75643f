package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/secbot/secbot/store"
)

// TestPrintCasesAsTabwriter: the case list, aligned by hand for speed,
// is byte for byte what text/tabwriter printed before (two spaces after
// the widest cell of each column, widths in runes).
func TestPrintCasesAsTabwriter(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 11, 29, 8, 30, 0, 0, time.FixedZone("x", -7200))
	cases := []*store.Case{
		{ID: "SEC-2026-0001", State: store.StateNew, Opened: t0, Subject: "Heap overflow in parser"},
		{ID: "SEC-2026-0002", State: store.StatePublished, Opened: t0.Add(time.Hour), Subject: "ünïcödé ✓", Messages: make([]uint64, 1234)},
		{ID: "SEC-2026-10003", State: store.StateClosed, Opened: t0.Add(48 * time.Hour), Messages: []uint64{1}},
	}
	var want strings.Builder
	tw := tabwriter.NewWriter(&want, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tSTATE\tOPENED\tMSGS\tSUBJECT")
	err = st.Update(func(tx *store.Tx) error {
		for _, c := range cases {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", c.ID, c.State, c.Opened.UTC().Format("2006-01-02 15:04"), len(c.Messages), c.Subject)
			if err := tx.PutCase(c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tw.Flush()
	var got strings.Builder
	err = st.View(func(tx *store.Tx) error {
		cases, err := listCases(tx, nil)
		if err != nil {
			return err
		}
		return printCases(&got, cases)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("case list:\n%s\nwant:\n%s", got.String(), want.String())
	}
}

// TestCaseListStates: -state lists only the cases in the states named,
// "open" standing for new and accepted, and refuses a state it does not
// know.
func TestCaseListStates(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Update(func(tx *store.Tx) error {
		for i, s := range []string{store.StateNew, store.StateAccepted, store.StateRejected, store.StateDuplicate, store.StateClosed, store.StatePublished} {
			if err := tx.PutCase(&store.Case{ID: fmt.Sprintf("SEC-2026-000%d", i+1), State: s, Subject: s}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		arg  string
		want []string // ids
		err  string
	}{
		{"", []string{"SEC-2026-0001", "SEC-2026-0002", "SEC-2026-0003", "SEC-2026-0004", "SEC-2026-0005", "SEC-2026-0006"}, ""},
		{"open", []string{"SEC-2026-0001", "SEC-2026-0002"}, ""},
		{"published", []string{"SEC-2026-0006"}, ""},
		{" Closed , rejected", []string{"SEC-2026-0003", "SEC-2026-0005"}, ""},
		{"open,published", []string{"SEC-2026-0001", "SEC-2026-0002", "SEC-2026-0006"}, ""},
		{"embargoed", nil, `unknown state "embargoed"`},
	} {
		states, err := parseStates(x.arg)
		if x.err != "" {
			if err == nil || !strings.Contains(err.Error(), x.err) {
				t.Errorf("-state %q: error %v, want %q", x.arg, err, x.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("-state %q: %v", x.arg, err)
			continue
		}
		var got []string
		err = st.View(func(tx *store.Tx) error {
			cases, err := listCases(tx, states)
			for _, c := range cases {
				got = append(got, c.ID)
			}
			return err
		})
		if err != nil || strings.Join(got, " ") != strings.Join(x.want, " ") {
			t.Errorf("-state %q: %v, %v; want %v", x.arg, got, err, x.want)
		}
	}
}
