package mailbot

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// reloadWorld is a store with mail queued under one configuration, and
// the key files a reload may point the configuration at.
type reloadWorld struct {
	dir  string
	st   *store.Store
	keys map[string]*crypto.Key // by name: robot, alice, alice2, bob, carol, acme, acme2, cna, cna2
}

func newReloadWorld(t *testing.T) *reloadWorld {
	t.Helper()
	w := &reloadWorld{dir: t.TempDir(), keys: map[string]*crypto.Key{}}
	for name, addr := range map[string]string{"robot": "security@demo.example", "alice": "alice@demo.example", "alice2": "alice@demo.example",
		"bob": "bob@demo.example", "carol": "carol@demo.example", "acme": "security@acme.example", "acme2": "security@acme.example",
		"cna": "cna@cve.example", "cna2": "cna@cve.example"} {
		armored, err := pgpmime.GenerateKey(name, addr, "x25519")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(w.dir, name+".asc"), []byte(armored), 0o600); err != nil {
			t.Fatal(err)
		}
		if w.keys[name], err = pgpmime.ReadKey([]byte(armored)); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if w.st, err = store.Open(filepath.Join(w.dir, "s.db"), store.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.st.Close() })
	return w
}

// config names maintainers (name or name:keyname), downstream contacts
// (acme or acme:acme2, beta) and the CNA's key file ("" for none).
func (w *reloadWorld) config(maintainers, downstream []string, cna string) *config.Config {
	file := func(name string) string { return filepath.Join(w.dir, name+".asc") }
	cfg := &config.Config{Robot: config.Robot{Address: "security@demo.example", Name: "Security team", Domain: "demo.example",
		CasePrefix: "SEC", KeyFile: file("robot")}}
	for _, m := range maintainers {
		name, key, _ := strings.Cut(m, ":")
		if key == "" {
			key = name
		}
		cfg.Maintainers = append(cfg.Maintainers, config.Maintainer{Name: name, Address: name + "@demo.example", KeyFile: file(key)})
	}
	for _, d := range downstream {
		id, key, _ := strings.Cut(d, ":")
		if key == "" {
			key = id
		}
		cfg.Downstream = append(cfg.Downstream, config.Downstream{ID: id, Name: id, Address: "security@" + id + ".example", KeyFile: file(key), Kind: "vendor"})
	}
	if cna != "" {
		cfg.CVE = config.CVE{CNAAddress: "cna@cve.example", CNAKeyFile: file(cna)}
	}
	return cfg
}

// bot is a new Bot on the world's store with cfg, as a SIGHUP makes one.
func (w *reloadWorld) bot(t *testing.T, cfg *config.Config) *Bot {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	keys, err := keyring.Load(cfg, time.Now(), log)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Options{Config: cfg, Store: w.st, Keys: keys, Templates: tmpl, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// queueAll queues, under the first configuration, a reminder to every
// maintainer (a notice would not cause a notice when refused), a CRD notice to the reporter and to acme, and a CVE
// request, and returns the ids of the queued mails by recipient.
func (w *reloadWorld) queueAll(t *testing.T, b *Bot) map[string]string {
	t.Helper()
	now := b.now()
	err := w.st.Update(func(tx *store.Tx) error {
		c := &store.Case{ID: "SEC-2026-0001", State: store.StateAccepted, Subject: "x", Opened: now, Reporters: []string{"rita@reporter.example"},
			Fields: store.Fields{CRD: now.Add(240 * time.Hour)}, Vulns: []store.Vuln{{N: 1, Title: "Heap overflow"}}, VulnSeq: 1, Embargo: store.Embargo{Sent: map[string]store.Sent{"acme": {At: now}}}}
		if err := tx.PutCase(c); err != nil {
			return err
		}
		if _, err := b.toMaintainers(tx, c.ID, outmail.Reminder, "reminder.reload", outmail.Spec{Text: "the case has no patch"}, false, now); err != nil {
			return err
		}
		if _, err := b.queueCRDNotices(tx, c, []string{"acme"}, time.Time{}, now); err != nil {
			return err
		}
		_, err := b.queueCVERequest(tx, c, *b.keys.CNA, "cve-request."+c.ID, []int{1}, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	w.st.View(func(tx *store.Tx) error {
		out, _ := tx.Outbox()
		for _, om := range out {
			ids[om.To[0]] = om.ID
		}
		return nil
	})
	if len(ids) != 5 {
		t.Fatalf("queued %v, want 5 mails", ids)
	}
	return ids
}

// TestQueuedMailSurvivesAReloadUnlessItsKeyChanged: a new Bot on the same
// store with a new configuration (a SIGHUP) sends every queued mail whose
// recipient's key is unchanged, encrypted to that key alone, however the
// other maintainers and contacts were reordered, added or removed. A mail
// whose recipient was removed or has a new key is refused, never sent to
// the new key, and the maintainers get a notice that says why.
func TestQueuedMailSurvivesAReloadUnlessItsKeyChanged(t *testing.T) {
	const (
		alice, bob, carol = "alice@demo.example", "bob@demo.example", "carol@demo.example"
		rita, acme, cna   = "rita@reporter.example", "security@acme.example", "cna@cve.example"
	)
	for _, tc := range []struct {
		name        string
		maintainers []string
		downstream  []string
		cna         string
		refused     map[string]string // recipient → what the refusal says
	}{
		{"maintainers reordered", []string{"bob", "alice"}, []string{"acme"}, "cna", nil},
		{"a maintainer added before the others", []string{"carol", "alice", "bob"}, []string{"beta", "acme"}, "cna", nil},
		{"another maintainer removed", []string{"alice"}, []string{"acme"}, "cna",
			map[string]string{bob: "no configured maintainer has the usable key"}},
		{"a maintainer's key changed", []string{"bob", "alice:alice2"}, []string{"acme"}, "cna",
			map[string]string{alice: "the key of maintainer alice changed"}},
		{"the downstream contact's key changed", []string{"alice", "bob"}, []string{"acme:acme2"}, "cna",
			map[string]string{acme: "the key of downstream contact acme changed"}},
		{"the downstream contact removed", []string{"alice", "bob"}, []string{"beta"}, "cna",
			map[string]string{acme: "downstream contact acme is no longer configured"}},
		{"the CNA's key changed", []string{"alice", "bob"}, []string{"acme"}, "cna2",
			map[string]string{cna: "the key of the CNA changed"}},
		{"the CNA removed", []string{"alice", "bob"}, []string{"acme"}, "",
			map[string]string{cna: "no CNA is configured any more"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newReloadWorld(t)
			ids := w.queueAll(t, w.bot(t, w.config([]string{"alice", "bob"}, []string{"acme"}, "cna")))
			b := w.bot(t, w.config(tc.maintainers, tc.downstream, tc.cna))
			q := &queue{b: b, rendered: map[string][]byte{}}
			entries, _, err := q.Due(b.now(), 100)
			if err != nil {
				t.Fatal(err)
			}
			rendered := map[string][]byte{}
			for _, e := range entries {
				rendered[e.ID] = e.Data
			}
			keyOf := map[string]*crypto.Key{alice: w.keys["alice"], bob: w.keys["bob"], acme: w.keys["acme"], cna: w.keys["cna"]}
			for rcpt, id := range ids {
				if why, ok := tc.refused[rcpt]; ok {
					w.checkRefused(t, b, id, why)
					continue
				}
				data, ok := rendered[id]
				if !ok {
					t.Errorf("mail to %s was not sent after the reload", rcpt)
					continue
				}
				for name, key := range w.keys {
					if name == "robot" {
						continue
					}
					if got, want := opens(t, data, key), key == keyOf[rcpt]; got != want {
						t.Errorf("mail to %s: the %s key decrypts it: %v, want %v", rcpt, name, got, want)
					}
				}
			}
			w.checkNotices(t, tc.refused, slices.Clone(tc.maintainers))
		})
	}
}

// checkRefused: the mail is retired, was never rendered (so never to the
// new key), and its outbox entry says why.
func (w *reloadWorld) checkRefused(t *testing.T, b *Bot, id, why string) {
	t.Helper()
	w.st.View(func(tx *store.Tx) error {
		om, err := tx.OutMail(id)
		if err != nil {
			t.Fatal(err)
		}
		if om.State != store.OutFailed || om.Data != nil || !strings.Contains(om.LastReply, why) {
			t.Errorf("%s: state %s, %d bytes rendered, reply %q; want it refused, unrendered, saying %q", id, om.State, len(om.Data), om.LastReply, why)
		}
		return nil
	})
}

// checkNotices: each refusal caused one notice to every maintainer the
// new configuration has, saying why; nothing else was refused.
func (w *reloadWorld) checkNotices(t *testing.T, refused map[string]string, maintainers []string) {
	t.Helper()
	got := map[string]int{}
	w.st.View(func(tx *store.Tx) error {
		out, _ := tx.Outbox()
		for _, om := range out {
			if !strings.HasPrefix(om.ID, "notice.fail.") {
				continue
			}
			var sp outmail.Spec
			if err := json.Unmarshal(om.Spec, &sp); err != nil {
				t.Fatal(err)
			}
			found := false
			for _, why := range refused {
				found = found || strings.Contains(sp.Text, "Reason:     "+why)
			}
			if !found || !strings.HasPrefix(sp.Title, "Mail refused before sending: ") {
				t.Errorf("notice %s: %q\n%s", om.ID, sp.Title, sp.Text)
			}
			got[om.To[0]]++
		}
		return nil
	})
	for _, m := range maintainers {
		name, _, _ := strings.Cut(m, ":")
		if n := got[name+"@demo.example"]; n != len(refused) {
			t.Errorf("%s got %d refusal notices, want %d", name, n, len(refused))
		}
	}
}

func opens(t *testing.T, mail []byte, key *crypto.Key) bool {
	t.Helper()
	ring, err := crypto.NewKeyRing(key)
	if err != nil {
		t.Fatal(err)
	}
	op, err := pgpmime.Open(mail, ring, nil)
	return err == nil && op.Encrypted
}
