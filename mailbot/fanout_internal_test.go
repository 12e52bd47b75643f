package mailbot

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// TestFanoutSetAside: a fan-out the store refuses to expand is set aside
// with a notice to the maintainers; the others around it are expanded.
func TestFanoutSetAside(t *testing.T) {
	b, _ := fuzzBot(t)
	b.cfg.Robot.Domain = "demo.example"
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b.store = st
	b.failExpand = func(f *store.Fanout) error {
		if f.Msg == 2 {
			return errors.New("refused")
		}
		return nil
	}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	err = st.Update(func(tx *store.Tx) error {
		if err := tx.PutCase(&store.Case{ID: "SEC-2026-0001", State: store.StateNew, Opened: now, Updated: now}); err != nil {
			return err
		}
		for msg := uint64(1); msg <= 3; msg++ {
			if err := tx.AddFanout(&store.Fanout{Case: "SEC-2026-0001", Msg: msg, Queued: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := b.ExpandFanouts()
	if err != nil {
		t.Fatalf("ExpandFanouts: %v", err)
	}
	if n != 3 { // a relay for messages 1 and 3 to the one maintainer, and the notice
		t.Errorf("%d mails queued, want 3", n)
	}
	st.View(func(tx *store.Tx) error {
		if c := tx.FanoutCount(); c != 0 {
			t.Errorf("%d fan-outs left", c)
		}
		kinds := map[string]int{}
		out, _ := tx.Outbox()
		for _, m := range out {
			kinds[m.Kind]++
		}
		if kinds[string(outmail.Relay)] != 2 || kinds[string(outmail.Notice)] != 1 {
			t.Errorf("queued %v, want 2 relays and 1 notice", kinds)
		}
		return nil
	})
}
