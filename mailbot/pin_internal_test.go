package mailbot

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/outmail"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// TestMaintainerMailIsPinnedByFingerprint: mail queued for a maintainer
// names that maintainer's key, not their place in the config. Inserting
// another maintainer before them (and reloading) leaves it deliverable,
// encrypted to their key alone; removing their key refuses it.
func TestMaintainerMailIsPinnedByFingerprint(t *testing.T) {
	b, alice := fuzzBot(t)
	b.cfg.Robot.Domain = "demo.example"
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
	b.store = st
	if err := st.Update(func(tx *store.Tx) error {
		_, err := b.queueNotice(tx, "", "pin", "A notice", "for Alice", 0, b.now())
		return err
	}); err != nil {
		t.Fatal(err)
	}

	bob := fuzzKey(t, "bob@demo.example")
	bobPub, err := bob.ToPublic()
	if err != nil {
		t.Fatal(err)
	}
	aliceEntry := b.keys.Maintainers[0]
	bobEntry := keyring.MaintainerKey{Name: "Bob", Address: "bob@demo.example", Key: bobPub, FP: strings.ToUpper(bob.GetFingerprint())}

	render := func() ([]byte, error) {
		t.Helper()
		var out []byte
		err := st.View(func(tx *store.Tx) error {
			mails, err := tx.Outbox()
			if err != nil {
				return err
			}
			if len(mails) != 1 {
				t.Fatalf("%d mails queued, want 1", len(mails))
			}
			out, err = b.render(tx, mails[0])
			return err
		})
		return out, err
	}

	// The config is reloaded with Bob inserted before Alice.
	b.keys.Maintainers = []keyring.MaintainerKey{bobEntry, aliceEntry}
	out, err := render()
	if err != nil {
		t.Fatalf("render after a maintainer was inserted before Alice: %v", err)
	}
	for _, k := range []struct {
		name    string
		key     *crypto.Key
		decrypt bool
	}{{"Alice", alice, true}, {"Bob", bob, false}} {
		ring, err := crypto.NewKeyRing(k.key)
		if err != nil {
			t.Fatal(err)
		}
		op, err := pgpmime.Open(out, ring, nil)
		if got := err == nil && op.Encrypted; got != k.decrypt {
			t.Errorf("%s decrypts the mail: %v, want %v (err %v)", k.name, got, k.decrypt, err)
		}
	}

	// Alice is gone from the config: the mail pinned to her key is refused.
	b.keys.Maintainers = []keyring.MaintainerKey{bobEntry}
	if out, err := render(); err == nil {
		t.Errorf("rendered %d bytes for a maintainer no longer configured, want a refusal", len(out))
	} else if _, ok := err.(outmail.PermanentError); !ok {
		t.Errorf("refusal %v is not permanent", err)
	}
}

// TestMaintainerThreadSurvivesReorder: a maintainer's copies are named by
// their key, not their place in the config, so that after maintainers are
// reordered (and the config reloaded) a new relay still threads under the
// first relay that maintainer got.
func TestMaintainerThreadSurvivesReorder(t *testing.T) {
	b, _ := fuzzBot(t)
	b.cfg.Robot.Domain = "demo.example"
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b.store = st
	bob := fuzzKey(t, "bob@demo.example")
	bobPub, err := bob.ToPublic()
	if err != nil {
		t.Fatal(err)
	}
	alice := b.keys.Maintainers[0]
	bobEntry := keyring.MaintainerKey{Name: "Bob", Address: "bob@demo.example", Key: bobPub, FP: strings.ToUpper(bob.GetFingerprint())}
	now := b.now()
	relay := func(msg uint64) {
		t.Helper()
		if err := st.Update(func(tx *store.Tx) error {
			c := &store.Case{ID: "SEC-2026-0001", State: store.StateNew, Opened: now, Updated: now}
			for k := uint64(1); k <= msg; k++ {
				c.Messages = append(c.Messages, k)
			}
			if err := tx.PutCase(c); err != nil {
				return err
			}
			_, err := b.toMaintainers(tx, c.ID, outmail.Relay, relayTag(msg), outmail.Spec{Msg: msg}, false, now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	b.keys.Maintainers = []keyring.MaintainerKey{alice, bobEntry}
	relay(1)
	b.keys.Maintainers = []keyring.MaintainerKey{bobEntry, alice} // reordered, reloaded
	relay(2)

	st.View(func(tx *store.Tx) error {
		mails, err := tx.Outbox()
		if err != nil {
			t.Fatal(err)
		}
		roots := map[string]string{} // address: Message-ID of the first relay
		for _, om := range mails {
			var sp outmail.Spec
			if err := json.Unmarshal(om.Spec, &sp); err != nil {
				t.Fatal(err)
			}
			if sp.Msg == 1 {
				roots[om.To[0]] = om.ID
			}
		}
		for _, om := range mails {
			var sp outmail.Spec
			json.Unmarshal(om.Spec, &sp)
			if sp.Msg != 2 {
				continue
			}
			if len(sp.References) == 0 || sp.References[0] != roots[om.To[0]] {
				t.Errorf("relay of message 2 to %s references %v, want its first relay %s first", om.To[0], sp.References, roots[om.To[0]])
			}
		}
		return nil
	})
}
