package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/store"
)

// TestCaseShowSaysPurged: `case show` marks a message whose body
// retention purged, and not one that still has it.
func TestCaseShowSaysPurged(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	err = st.Update(func(tx *store.Tx) error {
		c := &store.Case{ID: "SEC-2026-0001", State: store.StateClosed, Opened: now}
		for _, subj := range []string{"purged one", "kept one"} {
			k, err := tx.AddMessage(&store.Message{Case: c.ID, From: "rita@reporter.example", Subject: subj, Received: now, Status: "ok"}, []byte("raw"), nil)
			if err != nil {
				return err
			}
			c.Messages = append(c.Messages, k)
		}
		if err := tx.PutCase(c); err != nil {
			return err
		}
		if _, err := tx.PurgeMessages(c.Messages[:1], now.AddDate(2, 0, 0)); err != nil {
			return err
		}
		return printCase(&out, tx, c.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, `"purged one" (ok, body purged 2028-11-26)`) || strings.Contains(s, `"kept one" (ok, body purged`) {
		t.Errorf("case show:\n%s", s)
	}
}
