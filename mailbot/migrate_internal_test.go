package mailbot

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/secbot/secbot/store"
)

// TestSchema3QueuedMailStillRenders: mail queued by a schema 3 secbot,
// its recipient in the old spec flags, goes out after the store is
// upgraded on open exactly as it would have: encrypted to the key it
// pinned, or signed where it had none.
func TestSchema3QueuedMailStillRenders(t *testing.T) {
	w := newReloadWorld(t)
	cfg := w.config([]string{"alice", "bob"}, []string{"acme"}, "cna")
	b := w.bot(t, cfg)
	now := b.now()
	fpOf := func(name string) string { return strings.ToUpper(w.keys[name].GetFingerprint()) }
	old := []struct{ kind, to, spec, key string }{
		{"reminder", "bob@demo.example", `{"text":"the case has no patch","encrypt_fp":"` + fpOf("bob") + `","maintainer":1}`, "bob"},
		{"reply", "rita@reporter.example", `{"text":"Thanks."}`, ""},
		{"crd-notice", "security@acme.example", `{"downstream":"acme","encrypt_fp":"` + fpOf("acme") + `"}`, "acme"},
		{"cve-request", "cna@cve.example", `{"cna":true,"encrypt_fp":"` + fpOf("cna") + `"}`, "cna"},
		{"announce", "oss-security@lists.example", `{"public":true}`, ""},
	}
	err := w.st.Update(func(tx *store.Tx) error {
		c := &store.Case{ID: "SEC-2026-0001", State: store.StateAccepted, Subject: "x", Opened: now, Reporters: []string{"rita@reporter.example"},
			Fields: store.Fields{CRD: now.Add(240 * time.Hour)}, Vulns: []store.Vuln{{N: 1, Title: "Heap overflow"}}, VulnSeq: 1}
		if err := tx.PutCase(c); err != nil {
			return err
		}
		for _, m := range old {
			om := &store.OutMail{ID: m.kind + ".old@demo.example", Case: c.ID, Kind: m.kind, Spec: []byte(m.spec),
				From: cfg.Robot.Address, To: []string{m.to}, Queued: now}
			if _, err := tx.Enqueue(om); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w.reopenAsSchema3(t)
	b = w.bot(t, cfg)
	for _, m := range old {
		var out []byte
		err := w.st.View(func(tx *store.Tx) error {
			om, err := tx.OutMail(m.kind + ".old@demo.example")
			if err != nil {
				return err
			}
			out, err = b.render(tx, om)
			return err
		})
		if err != nil {
			t.Errorf("%s: %v", m.kind, err)
			continue
		}
		head, _, _ := strings.Cut(string(out), "\r\n\r\n")
		switch {
		case m.key == "" && !strings.Contains(head, "multipart/signed"):
			t.Errorf("%s: not signed:\n%s", m.kind, head)
		case m.key != "" && !opens(t, out, w.keys[m.key]):
			t.Errorf("%s: the %s key does not decrypt it", m.kind, m.key)
		}
	}
}

// reopenAsSchema3 marks the world's store as written by schema 3, and
// opens it again, which upgrades it.
func (w *reloadWorld) reopenAsSchema3(t *testing.T) {
	t.Helper()
	path := filepath.Join(w.dir, "s.db")
	if err := w.st.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(btx *bolt.Tx) error {
		return btx.Bucket([]byte("meta")).Put([]byte("schema"), []byte{0, 0, 0, 0, 0, 0, 0, 3})
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if w.st, err = store.Open(path, store.Options{}); err != nil {
		t.Fatal(err)
	}
}
