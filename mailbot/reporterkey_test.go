package mailbot_test

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/mailsim"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
)

// mallory is an attacker with a key whose user id names the reporter.
func (e *env) mallory() demo.Person {
	e.t.Helper()
	armored, err := pgpmime.GenerateKey("Rita Reporter", e.Reporter.Address, "x25519")
	if err != nil {
		e.t.Fatal(err)
	}
	key, err := pgpmime.ReadKey([]byte(armored))
	if err != nil {
		e.t.Fatal(err)
	}
	return demo.Person{Name: "Rita Reporter", Address: e.Reporter.Address, Key: key}
}

// readableBy returns the mails to the reporter that p can decrypt.
func (e *env) readableBy(p demo.Person) []mailsim.Delivery {
	var out []mailsim.Delivery
	for _, d := range e.Sim.To(e.Reporter.Address) {
		if op, err := e.Read(p, d); err == nil && op.Encrypted {
			out = append(out, d)
		}
	}
	return out
}

// TestForgedFromPlantsNoReporterKey: anyone who knows a case id and the
// reporter's address can send unsigned mail "from" the reporter with a
// key of their own. That key is never used: the reply a maintainer sends
// afterwards is not encrypted to it.
func TestForgedFromPlantsNoReporterKey(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase() // a plain report, no key
	mallory := e.mallory()
	malloryPub, _ := mallory.Key.GetArmoredPublicKey()
	e.send(mallory, demo.Mail{Subject: "Re: [SEC-2026-0001] Heap overflow", Body: "my new key:\n" + malloryPub + "\n"})
	e.waitMail(e.Maintainers[0].Address, 2)
	e.command(relayID, "reply\n\nSECRET-REPLY-TEXT: thanks, confirmed.\n")
	if tr := e.transcript(4); strings.Contains(tr, "(encrypted)") {
		t.Errorf("the transcript says the reply is encrypted, to the forged key:\n%s", tr)
	}
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	if got := e.readableBy(mallory); len(got) > 0 {
		t.Fatalf("%d mail(s) to the reporter are encrypted to the forged key", len(got))
	}
	if k := e.caseByID("SEC-2026-0001").UsableKey(e.Reporter.Address); k != nil {
		t.Errorf("the forged key is stored as the reporter's key: %+v", k)
	}
}

var tokenRE = regexp.MustCompile(`SECBOT-KEY-[A-Z2-7]{32}`)

// confirmation waits for the nth mail to the reporter, checks that it is
// a key confirmation for fp that carries nothing of the case, and returns
// its token.
func (e *env) confirmation(n int, fp string) string {
	e.t.Helper()
	d := e.waitMail(e.Reporter.Address, n)[n-1]
	if !bytes.Contains(d.Data, []byte("multipart/signed")) || bytes.Contains(d.Data, []byte("multipart/encrypted")) {
		e.t.Fatalf("the confirmation is not signed-only:\n%s", d.Data)
	}
	op := e.read(e.Reporter, d)
	if !op.SignatureValid {
		e.t.Errorf("the confirmation's robot signature does not verify")
	}
	text := allText(e.t, op.Message)
	for _, want := range []string{"[SEC-2026-0001] Please confirm the OpenPGP key", spaced(fp), "If you did not send this key, ignore this mail"} {
		if !strings.Contains(text, want) {
			e.t.Errorf("the confirmation lacks %q:\n%s", want, text)
		}
	}
	// Nothing of the case: not the report's subject, not a word of a mail.
	for _, secret := range []string{"Heap overflow", "frobnicate", "SECRET-", "my new key", "Reproducer"} {
		if strings.Contains(string(d.Data), secret) {
			e.t.Errorf("the confirmation carries %q:\n%s", secret, text)
		}
	}
	tokens := tokenRE.FindAllString(text, -1)
	if len(tokens) != 1 {
		e.t.Fatalf("the confirmation carries %d tokens:\n%s", len(tokens), text)
	}
	if strings.Contains(e.logs.String(), tokens[0]) {
		e.t.Errorf("the token is in the log")
	}
	return tokens[0]
}

// keyState reads the reporter's key state.
func (e *env) keyState() store.ReporterKeys {
	e.t.Helper()
	if st := e.caseByID("SEC-2026-0001").Keys[e.Reporter.Address]; st != nil {
		return *st
	}
	return store.ReporterKeys{}
}

// reporterSays sends mail from p as the reporter in the case, and waits
// until the maintainers have it.
func (e *env) reporterSays(p demo.Person, m demo.Mail, relays *int) {
	e.t.Helper()
	if m.Subject == "" {
		m.Subject = "Re: [SEC-2026-0001] Your report was received"
	}
	e.send(p, m)
	*relays++
	e.waitMail(e.Maintainers[0].Address, *relays)
	if err := e.WaitSent(e.ctx, wait); err != nil {
		e.t.Fatal(err)
	}
}

// TestLaterKeyIsLearnedAfterTheRoundTrip: a key the reporter sends after
// the report is not used until a reply carries the token mailed to the
// address; then the reply to the reporter is encrypted to it.
func TestLaterKeyIsLearnedAfterTheRoundTrip(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	relays := 1
	pub, _ := e.Reporter.Key.GetArmoredPublicKey()
	e.reporterSays(e.Reporter, demo.Mail{Body: "SECRET-FOLLOWUP. My key:\n" + pub + "\n"}, &relays)
	token := e.confirmation(2, e.Reporter.Key.GetFingerprint())
	if st := e.keyState(); st.Pending == nil || st.Current != nil || e.caseByID("SEC-2026-0001").UsableKey(e.Reporter.Address) != nil {
		t.Fatalf("before the round trip: %+v", st)
	}
	// Her encrypted reply carries the line in her own text (quoted-printable inside).
	e.reporterSays(e.Reporter, demo.Mail{Encrypt: true, Sign: true, Body: "Yes, that is my key.\n" + token + "\n\n> " + token + "\n"}, &relays)
	st := e.keyState()
	if st.Pending != nil || st.Current == nil || st.Current.Source != store.KeySourceConfirmed ||
		!strings.EqualFold(st.Current.Fingerprint, e.Reporter.Key.GetFingerprint()) {
		t.Fatalf("after the round trip: %+v", st)
	}
	e.command(relayID, "reply\n\nSECRET-REPLY-TEXT\n")
	if tr := e.transcript(relays + 2); !strings.Contains(tr, e.Reporter.Address+" (encrypted)") || !strings.Contains(tr, "confirmed by mail") {
		t.Errorf("transcript:\n%s", tr)
	}
	reply := e.waitMail(e.Reporter.Address, 3)[2]
	if op := e.read(e.Reporter, reply); !op.Encrypted || !strings.Contains(allText(t, op.Message), "SECRET-REPLY-TEXT") {
		t.Errorf("the reply is not encrypted to her confirmed key")
	}
	// The token worked once: sent again, it confirms nothing new.
	before := len(e.auditActions("SEC-2026-0001"))
	e.reporterSays(e.Reporter, demo.Mail{Body: token + "\n"}, &relays)
	if got := e.auditActions("SEC-2026-0001")[before:]; slices.Contains(got, "reporter-key-confirmed") {
		t.Errorf("a used token confirmed again: %v", got)
	}
}

// TestQuotedTokenConfirmsNothing: the token counts only in the reporter's
// own text. A reporter who did not send the key and answers the
// confirmation anyway ("I never sent this!") quotes it, token and all;
// that must not confirm the key someone else sent in their name.
func TestQuotedTokenConfirmsNothing(t *testing.T) {
	e := newEnv(t, demo.Options{})
	e.openCase()
	relays := 1
	pub, _ := e.Reporter.Key.GetArmoredPublicKey()
	e.reporterSays(e.Reporter, demo.Mail{Body: "A key, said to be hers:\n" + pub + "\n"}, &relays)
	token := e.confirmation(2, e.Reporter.Key.GetFingerprint())
	for _, body := range []string{
		"I never sent a key!\n\n> " + token + "\n",
		"I never sent a key!\n\nOn Mon, 2 Mar 2026, Security team <security@demo.example> wrote:\n  " + token + "\n",
		"I never sent a key!\n\n-----Original Message-----\nFrom: Security team\n\n  " + token + "\n",
	} {
		e.reporterSays(e.Reporter, demo.Mail{Body: body}, &relays)
		if st := e.keyState(); st.Current != nil || st.Pending == nil {
			t.Fatalf("a reply that only quotes the token (%q) changed the key: %+v", body, st)
		}
	}
}

// TestKeyConfirmationRules: the rate limit, a newer key that replaces a
// pending one (whose token dies), expiry, and a maintainer's key, which
// no mail replaces.
func TestKeyConfirmationRules(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	relays := 1
	mallory := e.mallory()
	malloryPub, _ := mallory.Key.GetArmoredPublicKey()
	e.reporterSays(mallory, demo.Mail{Body: "key:\n" + malloryPub}, &relays)
	malloryToken := e.confirmation(2, mallory.Key.GetFingerprint())

	// Within the hour a second key is not taken, and nobody is mailed.
	pub, _ := e.Reporter.Key.GetArmoredPublicKey()
	e.reporterSays(e.Reporter, demo.Mail{Body: "my real key:\n" + pub}, &relays)
	if n := len(e.Sim.To(e.Reporter.Address)); n != 2 {
		t.Fatalf("the reporter got %d mails, want 2: the rate limit did not hold", n)
	}
	if st := e.keyState(); st.Pending == nil || !strings.EqualFold(st.Pending.Fingerprint, mallory.Key.GetFingerprint()) {
		t.Fatalf("pending %+v, want mallory's, untouched", st.Pending)
	}

	// Later, the real key replaces the pending one; the old token is dead.
	e.Clock.Advance(2 * time.Hour)
	e.reporterSays(e.Reporter, demo.Mail{Body: "my real key:\n" + pub}, &relays)
	ritaToken := e.confirmation(3, e.Reporter.Key.GetFingerprint())
	e.reporterSays(mallory, demo.Mail{Body: malloryToken}, &relays)
	if st := e.keyState(); st.Current != nil || st.Pending == nil {
		t.Fatalf("the replaced token confirmed something: %+v", st)
	}

	// Expired: eight days later her token no longer works.
	e.Clock.Advance(8 * 24 * time.Hour)
	e.reporterSays(e.Reporter, demo.Mail{Body: ritaToken}, &relays)
	if st := e.keyState(); st.Current != nil || st.Pending != nil {
		t.Fatalf("an expired token: %+v", st)
	}
	if a := e.auditActions("SEC-2026-0001"); !slices.Contains(a, "reporter-key-expired") {
		t.Errorf("audit %v lacks the expiry", a)
	}

	// A maintainer sets her key from an attachment; mail cannot replace it.
	e.command(relayID, "reporter-key "+e.Reporter.Address+"\n", demo.Attachment{Name: "rita.asc", Data: []byte(pub)})
	if tr := e.transcript(relays + 2); !strings.Contains(tr, "ok: reporter key of "+e.Reporter.Address+" = "+spaced(e.Reporter.Key.GetFingerprint())) ||
		!strings.Contains(tr, "set by maintainer "+spaced(e.Maintainers[0].Key.GetFingerprint())) {
		t.Fatalf("transcript:\n%s", tr)
	}
	relays += 2
	e.Clock.Advance(2 * time.Hour)
	mails := len(e.Sim.To(e.Reporter.Address))
	e.reporterSays(mallory, demo.Mail{Body: "key:\n" + malloryPub}, &relays)
	if n := len(e.Sim.To(e.Reporter.Address)); n != mails {
		t.Errorf("a key sent after a maintainer set one caused a confirmation mail")
	}
	if k := e.caseByID("SEC-2026-0001").UsableKey(e.Reporter.Address); k == nil || k.Source != store.KeySourceMaintainer ||
		!strings.EqualFold(k.Fingerprint, e.Reporter.Key.GetFingerprint()) {
		t.Errorf("key %+v, want hers as set by the maintainer", k)
	}

	// And it can be dropped.
	e.command(relayID, "reporter-key "+e.Reporter.Address+" drop\n")
	if tr := e.transcript(relays + 2); !strings.Contains(tr, "ok: reporter key dropped") || !strings.Contains(tr, "no key (mail to them is signed") {
		t.Fatalf("transcript:\n%s", tr)
	}
	if k := e.caseByID("SEC-2026-0001").UsableKey(e.Reporter.Address); k != nil {
		t.Errorf("dropped key still usable: %+v", k)
	}
}

// TestMaintainerVouchesForPendingKey: "reporter-key ADDRESS FINGERPRINT"
// trusts the pending key, whose token then changes nothing.
func TestMaintainerVouchesForPendingKey(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	relays := 1
	pub, _ := e.Reporter.Key.GetArmoredPublicKey()
	e.reporterSays(e.Reporter, demo.Mail{Body: "my key:\n" + pub}, &relays)
	token := e.confirmation(2, e.Reporter.Key.GetFingerprint())
	e.command(relayID, "reporter-key "+e.Reporter.Address+" 0000000000000000000000000000000000000000\n")
	if tr := e.transcript(relays + 2); !strings.Contains(tr, "has no pending or stored key") {
		t.Fatalf("transcript:\n%s", tr)
	}
	relays += 2
	e.command(relayID, "reporter-key "+e.Reporter.Address+" "+spaced(e.Reporter.Key.GetFingerprint())+"\n")
	if tr := e.transcript(relays + 2); !strings.Contains(tr, "ok: reporter key of "+e.Reporter.Address) {
		t.Fatalf("transcript:\n%s", tr)
	}
	relays += 2
	st := e.keyState()
	if st.Pending != nil || st.Current == nil || st.Current.Source != store.KeySourceMaintainer ||
		!strings.EqualFold(st.Current.By, e.Maintainers[0].Key.GetFingerprint()) {
		t.Fatalf("after vouching: %+v", st)
	}
	e.reporterSays(e.Reporter, demo.Mail{Body: token}, &relays)
	if after := e.keyState(); after.Current.Source != store.KeySourceMaintainer {
		t.Errorf("the token replaced a maintainer's key: %+v", after.Current)
	}
	if a := e.auditActions("SEC-2026-0001"); !slices.Contains(a, "command") {
		t.Errorf("the command is not in the audit log: %v", a)
	}
}
