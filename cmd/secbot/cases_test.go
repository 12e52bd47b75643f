package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/store"
)

func TestPrintOutboxCountsFanouts(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	err = st.Update(func(tx *store.Tx) error {
		if _, err := tx.Enqueue(&store.OutMail{ID: "ack.SEC-2026-0001@x", Case: "SEC-2026-0001", Kind: "ack", To: []string{"r@x"}, Queued: now}); err != nil {
			return err
		}
		for msg := uint64(1); msg <= 2; msg++ {
			if err := tx.AddFanout(&store.Fanout{Case: "SEC-2026-0001", Msg: msg, Queued: now}); err != nil {
				return err
			}
		}
		return printOutbox(&out, tx, false)
	})
	if err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.Contains(got, "pending  SEC-2026-0001  ack") || !strings.Contains(got, "2 received message(s) waiting") {
		t.Errorf("outbox listing:\n%s", got)
	}
}

// TestCaseShowsReporterKeys: each reporter's key, its source, and a key
// waiting for confirmation are shown.
func TestCaseShowsReporterKeys(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	c := &store.Case{ID: "SEC-2026-0001", State: store.StateNew, Opened: now,
		Reporters: []string{"rita@reporter.example", "joe@example.org", "old@example.org"},
		Keys: map[string]*store.ReporterKeys{
			"rita@reporter.example": {
				Current: &store.ReporterKey{Armored: "x", Fingerprint: "AAAABBBB", Source: store.KeySourceMaintainer, Since: now, By: "CCCCDDDD"},
				Pending: &store.PendingKey{Fingerprint: "EEEEFFFF", Asked: now, Expires: now.Add(7 * 24 * time.Hour)},
			},
			"old@example.org": {Current: &store.ReporterKey{Armored: "x", Fingerprint: "12345678", Source: store.KeySourceMigrated}},
		}}
	var out bytes.Buffer
	err = st.Update(func(tx *store.Tx) error {
		if err := tx.PutCase(c); err != nil {
			return err
		}
		return printCase(&out, tx, c.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Key:       rita@reporter.example: AAAA BBBB, set by maintainer CCCC DDDD on 2026-11-26 09:00 UTC; pending confirmation: EEEE FFFF (mailed 2026-11-26 09:00 UTC, valid until 2026-12-03 09:00 UTC; not used)",
		"Key:       joe@example.org: no key (mail to them is signed, not encrypted)",
		"Key:       old@example.org: 1234 5678, migrated from an older secbot, unconfirmed: NOT used",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("case show lacks %q:\n%s", want, out.String())
		}
	}
}
