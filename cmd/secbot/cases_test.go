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
