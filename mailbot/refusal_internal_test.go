package mailbot

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// TestEmbargoedKindWithoutKeyIsRefused: render is the backstop of the
// main promise. Whatever queued it, a mail of an embargoed kind whose
// spec pins no key is refused for good, never signed and sent in the
// clear. Every embargoed kind is checked, from the table itself, and each
// first renders when its spec pins Alice's key: the refusal, not a
// missing case or message, is what stops it.
func TestEmbargoedKindWithoutKeyIsRefused(t *testing.T) {
	b, alice := fuzzBot(t)
	b.now = time.Now // the keys were made just now
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	b.tmpl = tmpl
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	msg := refusalCase(t, st)
	transcript, err := json.Marshal(transcriptData{Header: "All commands ran.", From: "alice@demo.example"})
	if err != nil {
		t.Fatal(err)
	}

	render := func(kind, fp string) ([]byte, error) {
		t.Helper()
		sp := spec{Msg: msg, EncryptFP: fp, Title: "embargoed title", Text: "embargoed text"}
		if kind == KindTranscript {
			sp.Text = string(transcript)
		}
		raw, err := json.Marshal(sp)
		if err != nil {
			t.Fatal(err)
		}
		om := &store.OutMail{ID: "<" + kind + "@demo.example>", Case: "SEC-2026-0001", Kind: kind, Spec: raw,
			From: "security@demo.example", To: []string{"alice@demo.example"}, Queued: b.now()}
		var out []byte
		err = st.View(func(tx *store.Tx) error {
			out, err = b.render(tx, om)
			return err
		})
		return out, err
	}

	kinds := make([]string, 0, len(embargoed))
	for kind, on := range embargoed {
		if on {
			kinds = append(kinds, kind)
		}
	}
	slices.Sort(kinds)
	if len(kinds) == 0 {
		t.Fatal("no embargoed kind")
	}
	for _, kind := range kinds {
		if _, err := render(kind, alice.GetFingerprint()); err != nil {
			t.Errorf("%s pinned to Alice's key: %v", kind, err)
			continue
		}
		out, err := render(kind, "")
		var perm errPermanent
		if !errors.As(err, &perm) || !strings.Contains(err.Error(), "refused: "+kind+" mail carries embargoed content") {
			t.Errorf("%s without a key: error %v, want a permanent refusal", kind, err)
		}
		if out != nil {
			t.Errorf("%s without a key: rendered %d bytes, want none", kind, len(out))
		}
	}
}

// refusalCase stores case SEC-2026-0001 with one message on it, and
// returns the message's key.
func refusalCase(t *testing.T, st *store.Store) uint64 {
	t.Helper()
	var key uint64
	err := st.Update(func(tx *store.Tx) error {
		raw := []byte("From: reporter@example.net\r\nSubject: a hole\r\n\r\nthe embargoed details\r\n")
		var err error
		key, err = tx.AddMessage(&store.Message{Case: "SEC-2026-0001", MessageID: "<report@example.net>",
			Received: time.Now(), From: "reporter@example.net", Subject: "a hole", Status: store.MsgIngested}, raw, nil)
		if err != nil {
			return err
		}
		c := &store.Case{ID: "SEC-2026-0001", Messages: []uint64{key}}
		c.Fields.Title = "a hole"
		return tx.PutCase(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	return key
}
