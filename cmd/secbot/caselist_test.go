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
	st.View(func(tx *store.Tx) error { return printCases(&got, tx) })
	if got.String() != want.String() {
		t.Errorf("case list:\n%s\nwant:\n%s", got.String(), want.String())
	}
}
