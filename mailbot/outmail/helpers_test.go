package outmail

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

const caseID = "SEC-2026-0001"

// fixture is a store holding one case with a message, a reporter with a
// trusted key, and keys for a maintainer, a downstream contact and the CNA.
type fixture struct {
	st   *store.Store
	cfg  *config.Config
	keys *keyring.Keys
	tmpl *templates.Set
	now  time.Time
	msg  uint64
	// private are the recipients' private keys, to decrypt what they get.
	private map[Class]*crypto.Key
	// reporterFP is the reporter's stored key.
	reporterFP string
}

func genKey(t *testing.T, addr string) *crypto.Key {
	t.Helper()
	armored, err := pgpmime.GenerateKey("Test", addr, "x25519")
	if err != nil {
		t.Fatal(err)
	}
	k, err := pgpmime.ReadKey([]byte(armored))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func public(t *testing.T, k *crypto.Key) *crypto.Key {
	t.Helper()
	pub, err := k.ToPublic()
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func fp(k *crypto.Key) string { return strings.ToUpper(k.GetFingerprint()) }

func newFixture(t *testing.T) *fixture {
	t.Helper()
	robot := genKey(t, "security@demo.example")
	f := &fixture{private: map[Class]*crypto.Key{
		Maintainer: genKey(t, "alice@demo.example"), Reporter: genKey(t, "rita@reporter.example"),
		Downstream: genKey(t, "security@acme.example"), CNA: genKey(t, "cna@cve.example"),
		Escalation: genKey(t, "boss@demo.example"),
	}}
	// Now, after the keys were made: a key is not valid before its
	// creation second.
	f.now = time.Now()
	f.keys = &keyring.Keys{Robot: robot, RobotFP: fp(robot), Project: robot,
		Maintainers: []keyring.MaintainerKey{{Name: "Alice", Address: "alice@demo.example", Key: public(t, f.private[Maintainer]), FP: fp(f.private[Maintainer])}},
		Downstream:  []keyring.ContactKey{{ID: "acme", Name: "Acme", Address: "security@acme.example", Kind: "distros", Key: public(t, f.private[Downstream]), FP: fp(f.private[Downstream])}},
		CNA:         &keyring.ContactKey{ID: "cna", Name: "CNA", Address: "cna@cve.example", Key: public(t, f.private[CNA]), FP: fp(f.private[CNA])},
		Escalate:    &keyring.ContactKey{ID: "escalate", Name: "escalation", Address: "boss@demo.example", Key: public(t, f.private[Escalation]), FP: fp(f.private[Escalation])},
	}
	var err error
	if f.keys.Autocrypt, err = keyring.RobotAutocrypt(robot, "security@demo.example", f.now); err != nil {
		t.Fatal(err)
	}
	f.cfg = &config.Config{Robot: config.Robot{Address: "security@demo.example", Name: "Security team", Domain: "demo.example", CasePrefix: "SEC", ProjectName: "frob"}}
	if f.tmpl, err = templates.Load(""); err != nil {
		t.Fatal(err)
	}
	if f.st, err = store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.st.Close() })
	f.addCase(t)
	return f
}

func (f *fixture) addCase(t *testing.T) {
	t.Helper()
	armored, err := public(t, f.private[Reporter]).GetArmoredPublicKey()
	if err != nil {
		t.Fatal(err)
	}
	f.reporterFP = fp(f.private[Reporter])
	err = f.st.Update(func(tx *store.Tx) error {
		raw := []byte("From: rita@reporter.example\r\nSubject: Heap overflow\r\nMessage-ID: <r1@reporter.example>\r\n\r\nfrob() overflows.\r\n")
		f.msg, err = tx.AddMessage(&store.Message{Case: caseID, MessageID: "r1@reporter.example", From: "rita@reporter.example",
			Subject: "Heap overflow", Received: f.now}, raw, nil)
		if err != nil {
			return err
		}
		return tx.PutCase(&store.Case{ID: caseID, State: store.StateAccepted, Subject: "Heap overflow", Opened: f.now,
			Reporters: []string{"rita@reporter.example"}, Messages: []uint64{f.msg},
			Keys: map[string]*store.ReporterKeys{"rita@reporter.example": {Current: &store.ReporterKey{
				Armored: armored, Fingerprint: f.reporterFP, Source: store.KeySourceReport, Since: f.now}}},
			Fields: store.Fields{CRD: f.now.Add(7 * 24 * time.Hour)},
			Vulns:  []store.Vuln{{N: 1, Title: "Heap overflow in frob()"}}, VulnSeq: 1,
			Embargo: store.Embargo{Published: f.now}})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// recipient is a recipient of class c, with its key when withKey.
func (f *fixture) recipient(c Class, withKey bool) (Recipient, string) {
	key := func(fp string) string {
		if withKey {
			return fp
		}
		return ""
	}
	switch c {
	case Maintainer:
		return ToMaintainer(key(f.keys.Maintainers[0].FP)), "alice@demo.example"
	case Reporter:
		return ToReporter("rita@reporter.example", key(f.reporterFP)), "rita@reporter.example"
	case Downstream:
		return ToDownstream("acme", key(f.keys.Downstream[0].FP)), "security@acme.example"
	case CNA:
		return ToCNA(key(f.keys.CNA.FP)), "cna@cve.example"
	case Escalation:
		return ToEscalation(key(f.keys.Escalate.FP)), "boss@demo.example"
	}
	return ToPublic(), "oss-security@lists.example"
}

// specFor is a spec that kind k can be rendered from in the fixture.
func (f *fixture) specFor(t *testing.T, k Kind) Spec {
	t.Helper()
	sp := Spec{Msg: f.msg, Title: "A notice", Text: "the case has no patch"}
	switch k {
	case Transcript:
		td, err := json.Marshal(TranscriptData{Header: "Commands ran.", From: "alice@demo.example", Lines: []TranscriptLine{{Raw: "title x", OK: true, Msg: "ok"}}})
		if err != nil {
			t.Fatal(err)
		}
		sp.Text = string(td)
	case KeyConfirm:
		sp.Confirm = &KeyConfirmSpec{Fingerprint: f.reporterFP, Token: "SECBOT-KEY-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Expires: f.now.Add(time.Hour)}
	}
	return sp
}

// render renders one mail of kind k for rcpt through table tb.
func (f *fixture) render(t *testing.T, tb table, k Kind, rcpt Recipient, to string, sp Spec) ([]byte, error) {
	t.Helper()
	sp.For = rcpt
	raw, err := json.Marshal(sp)
	if err != nil {
		t.Fatal(err)
	}
	om := &store.OutMail{ID: string(k) + ".test@demo.example", Case: caseID, Kind: string(k), Spec: raw,
		From: f.cfg.Robot.Address, To: []string{to}, Queued: f.now}
	var out []byte
	err = f.st.View(func(tx *store.Tx) error {
		var err error
		out, err = tb.render(Env{Tx: tx, Config: f.cfg, Keys: f.keys, Templates: f.tmpl, Now: f.now}, om)
		return err
	})
	return out, err
}

// topHeader is the header section of a mail.
func topHeader(mail []byte) string {
	head, _, _ := bytes.Cut(mail, []byte("\r\n\r\n"))
	return string(head)
}

// decrypts says whether key opens mail as encrypted content.
func decrypts(t *testing.T, mail []byte, key *crypto.Key) ([]byte, bool) {
	t.Helper()
	ring, err := crypto.NewKeyRing(key)
	if err != nil {
		t.Fatal(err)
	}
	op, err := pgpmime.Open(mail, ring, nil)
	if err != nil || !op.Encrypted {
		return nil, false
	}
	return op.Message, true
}
