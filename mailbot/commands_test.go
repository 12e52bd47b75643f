package mailbot_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"
	"github.com/emersion/go-message"

	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/internal/gpgtest"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
)

// openCase sends a report and waits until it is relayed, returning the
// relay a maintainer would answer.
func (e *env) openCase() (relayID string) {
	e.t.Helper()
	e.send(e.Reporter, report("Heap overflow in frobnicate()"))
	relay := e.waitMail(e.Maintainers[0].Address, 1)[0]
	e.waitMail(e.Reporter.Address, 1)
	return messageID(e.t, relay.Data)
}

func (e *env) caseByID(id string) *store.Case {
	e.t.Helper()
	var c *store.Case
	if err := e.View(func(tx *store.Tx) error {
		var err error
		c, err = tx.Case(id)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// transcript waits for the nth mail to maintainer 0 and returns it
// decrypted, checking that it is a transcript.
func (e *env) transcript(n int) string {
	e.t.Helper()
	got := e.waitMail(e.Maintainers[0].Address, n)
	for i := len(got) - 1; i >= 0; i-- {
		text := allText(e.t, e.read(e.Maintainers[0], got[i]).Message)
		if strings.Contains(text, "Processed") || strings.Contains(text, "No command ran") {
			return text
		}
	}
	e.t.Fatalf("no transcript among %d mails", len(got))
	return ""
}

func TestSignedCommandsChangeTheCase(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	alice := e.Maintainers[0]
	crd := nextWeekday(time.Now().AddDate(0, 0, 10), time.Tuesday).Format("2006-01-02")
	body := "accept\ntitle Heap overflow in frobnicate()\naffected >=1.2 <1.4.3\nnot-affected <1.2\ntype CWE-787 out-of-bounds write\n" +
		"severity high\ncve CVE-2026-12345\ncrd " + crd + " 14:00 UTC\ncredit Rita Reporter <rita@reporter.example> as finder\n" +
		"branch 1.4 1.4.3\nimpact <<END\nA remote attacker can crash the server.\nPossibly more.\nEND\nthanks\n\n> [SEC-2026-0001] quoted relay text\n"
	e.send(alice, demo.Mail{Subject: "Re: [SEC-2026-0001] Heap overflow", Body: body, InReplyTo: relayID, Sign: true})

	tr := e.transcript(3) // relay of the report, relay of the command mail, transcript
	for _, want := range []string{"Processed: 11 line(s), 0 error(s)", "> title Heap overflow", "ok: title = \"Heap overflow in frobnicate()\"",
		"ok: state = accepted", "Signed by: Alice Maintainer", "CVE:            CVE-2026-12345", "Title:          Heap overflow in frobnicate()"} {
		if !strings.Contains(tr, want) {
			t.Errorf("transcript lacks %q:\n%s", want, tr)
		}
	}
	c := e.caseByID("SEC-2026-0001")
	f, v := c.Fields, c.Vulns[0]
	if c.State != store.StateAccepted || v.Title != "Heap overflow in frobnicate()" || v.Affected.String() != ">=1.2 <1.4.3" || v.Affected[0].Fixed != "1.4.3" || v.CWE != "CWE-787" ||
		v.CVE != "CVE-2026-12345" || f.CRD.Format("2006-01-02 15:04") != crd+" 14:00" || len(f.Credits) != 1 || len(v.Branches) != 1 ||
		v.Impact != "A remote attacker can crash the server.\nPossibly more." {
		t.Errorf("case after commands: state %s fields %+v %+v", c.State, f, v)
	}
	var audit []store.AuditEntry
	e.View(func(tx *store.Tx) error { audit, _ = tx.AuditLog(c.ID); return nil })
	var cmds int
	for _, a := range audit {
		if a.Action == "command" {
			cmds++
			if !strings.EqualFold(a.Actor, alice.Key.GetFingerprint()) {
				t.Errorf("audit actor %s, want alice's fingerprint", a.Actor)
			}
		}
	}
	if cmds != 11 {
		t.Errorf("%d audited commands, want 11", cmds)
	}
	// Every transcript copy is encrypted.
	for _, d := range e.Sim.To(alice.Address) {
		if !bytes.Contains(d.Data, []byte("multipart/encrypted")) {
			t.Error("a maintainer mail went out unencrypted")
		}
	}
}

func nextWeekday(t time.Time, wd time.Weekday) time.Time {
	for t.Weekday() != wd {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

func TestForgedUnsignedCommandChangesNothing(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	// Mallory writes as alice, unsigned.
	e.send(e.Maintainers[0], demo.Mail{Subject: "Re: [SEC-2026-0001]", Body: "reject not a bug\ntitle pwned\n", InReplyTo: relayID})
	tr := e.transcript(3)
	if !strings.Contains(tr, "No command ran") || !strings.Contains(tr, "not OpenPGP-signed") {
		t.Errorf("transcript does not say why nothing ran:\n%s", tr)
	}
	c := e.caseByID("SEC-2026-0001")
	if c.State != store.StateNew || c.Vulns[0].Title != "" {
		t.Errorf("forged mail changed the case: %s %q", c.State, c.Vulns[0].Title)
	}
	if len(c.Messages) != 2 {
		t.Errorf("forged mail not kept on the case: %d messages", len(c.Messages))
	}
}

func TestSignatureByUnknownKeyRunsNothing(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	mallory := e.Reporter
	mallory.Address = e.Maintainers[0].Address // claims alice, signs with another key
	e.send(mallory, demo.Mail{Subject: "Re: [SEC-2026-0001]", Body: "title pwned\n", InReplyTo: relayID, Sign: true})
	tr := e.transcript(3)
	if !strings.Contains(tr, "did not verify against any configured maintainer key") {
		t.Errorf("transcript does not name the signature problem:\n%s", tr)
	}
	if c := e.caseByID("SEC-2026-0001"); c.Vulns[0].Title != "" {
		t.Errorf("title set to %q by an unknown key", c.Vulns[0].Title)
	}
}

func TestReplayedCommandMailNeverRunsTwice(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	alice := e.Maintainers[0]
	raw, _, err := e.Compose(alice, demo.Mail{Subject: "Re: [SEC-2026-0001]", Body: "title first\n" + quoted, InReplyTo: relayID, Sign: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Sim.Send(alice.Address, []string{e.Robot.Address}, raw); err != nil {
		t.Fatal(err)
	}
	e.transcript(3)
	e.send(alice, demo.Mail{Subject: "Re: [SEC-2026-0001]", Body: "title second\n" + quoted, InReplyTo: relayID, Sign: true})
	e.transcript(5)
	// The replay: the same signed mail under a new Message-ID (outer
	// headers are not signed in PGP/MIME).
	replay := bytes.Replace(raw, []byte("Message-Id: <"), []byte("Message-Id: <replay."), 1)
	if bytes.Equal(replay, raw) {
		t.Fatal("test could not rewrite the Message-Id")
	}
	if err := e.Sim.Send(alice.Address, []string{e.Robot.Address}, replay); err != nil {
		t.Fatal(err)
	}
	tr := e.transcript(7)
	if !strings.Contains(tr, "already executed") {
		t.Errorf("replay transcript:\n%s", tr)
	}
	if c := e.caseByID("SEC-2026-0001"); c.Vulns[0].Title != "second" {
		t.Errorf("title %q after replay, want %q", c.Vulns[0].Title, "second")
	}
	// And after a restart the guard still holds.
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	replay2 := bytes.Replace(raw, []byte("Message-Id: <"), []byte("Message-Id: <replay2."), 1)
	if err := e.Sim.Send(alice.Address, []string{e.Robot.Address}, replay2); err != nil {
		t.Fatal(err)
	}
	if tr := e.transcript(9); !strings.Contains(tr, "already executed") {
		t.Errorf("replay after restart ran:\n%s", tr)
	}
	if c := e.caseByID("SEC-2026-0001"); c.Vulns[0].Title != "second" {
		t.Errorf("title %q after replay, want %q", c.Vulns[0].Title, "second")
	}
}

func TestAllOrNothingWhenAStateChangeFails(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	e.send(e.Maintainers[0], demo.Mail{Subject: "Re: [SEC-2026-0001]", Body: "title ok\ncrd 2026-02-30\naccept\nfrobnicate\n" + quoted, InReplyTo: relayID, Sign: true})
	tr := e.transcript(3)
	for _, want := range []string{"Nothing was run", "error: ", "not run (valid): title = \"ok\""} {
		if !strings.Contains(tr, want) {
			t.Errorf("transcript lacks %q:\n%s", want, tr)
		}
	}
	if c := e.caseByID("SEC-2026-0001"); c.State != store.StateNew || c.Vulns[0].Title != "" {
		t.Errorf("all-or-nothing mail changed the case: %s %q", c.State, c.Vulns[0].Title)
	}
	// Without a state change, the valid lines run and the bad one is reported.
	e.send(e.Maintainers[0], demo.Mail{Subject: "Re: [SEC-2026-0001]", Body: "title ok\ncve CVE-26-1\n" + quoted, InReplyTo: relayID, Sign: true})
	tr = e.transcript(5)
	if !strings.Contains(tr, "1 error(s)") || !strings.Contains(tr, "ok: title") {
		t.Errorf("transcript:\n%s", tr)
	}
	if c := e.caseByID("SEC-2026-0001"); c.Vulns[0].Title != "ok" {
		t.Errorf("title %q, want ok", c.Vulns[0].Title)
	}
}

func TestReplyReachesTheReporterEncryptedWhenTheirKeyIsKnown(t *testing.T) {
	e := newEnv(t, demo.Options{})
	pub, err := e.Reporter.Key.GetArmoredPublicKey()
	if err != nil {
		t.Fatal(err)
	}
	e.send(e.Reporter, demo.Mail{Subject: "bug", Body: "SECRET-REPORT-TEXT\n\nMy key:\n" + pub + "\n"})
	relay := e.waitMail(e.Maintainers[0].Address, 1)[0]
	e.waitMail(e.Reporter.Address, 1)
	e.send(e.Maintainers[0], demo.Mail{Subject: "Re: [SEC-2026-0001] bug", InReplyTo: messageID(t, relay.Data), Sign: true,
		Body: "reply\n\nThanks, we can reproduce it. A fix is planned for next week.\n" + quoted})
	got := e.waitMail(e.Reporter.Address, 2)
	reply := got[1]
	if !bytes.Contains(reply.Data, []byte("multipart/encrypted")) {
		t.Fatal("reply to a reporter with a known key went out unencrypted")
	}
	op := e.read(e.Reporter, reply)
	if !strings.Contains(allText(t, op.Message), "we can reproduce it") || !op.SignatureValid {
		t.Errorf("reply: signed=%v\n%s", op.SignatureValid, op.Message)
	}
}

func TestMaintainerMailWithoutCaseOpensInternalCase(t *testing.T) {
	e := newEnv(t, demo.Options{})
	e.send(e.Maintainers[1], demo.Mail{Subject: "Found a bug in parse()", Body: "title parse() reads past the end\n\nDetails follow.\n", Sign: true})
	e.transcript(2)
	cases := e.cases()
	if len(cases) != 1 || !cases[0].Internal || cases[0].Vulns[0].Title != "parse() reads past the end" || len(cases[0].Reporters) != 0 {
		t.Fatalf("cases: %+v", cases)
	}
}

// gpgSign signs text with a maintainer's key inside a fresh GnuPG home,
// so that secbot is tested against GnuPG's own signatures.
func gpgSign(t *testing.T, p demo.Person, args []string, input []byte) []byte {
	t.Helper()
	h := gpgtest.New(t)
	run := func(stdin []byte, a ...string) []byte {
		out, _ := h.Must(stdin, append([]string{"--yes"}, a...)...)
		return out
	}
	home := h.Dir
	armored, err := p.Key.Armor()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(home, "key.asc"), []byte(armored), 0o600)
	run(nil, "--import", filepath.Join(home, "key.asc"))
	return run(input, append([]string{"--local-user", p.Key.GetFingerprint()}, args...)...)
}

func TestGnuPGSignedCommandsAreObeyed(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	alice := e.Maintainers[0]
	hdr := "From: Alice <" + alice.Address + ">\r\nTo: " + e.Robot.Address + "\r\nSubject: Re: [SEC-2026-0001]\r\nIn-Reply-To: <" + relayID + ">\r\nMIME-Version: 1.0\r\n"

	// 1. gpg --clearsign, inline.
	clear := gpgSign(t, alice, []string{"--clearsign"}, []byte("# SEC-2026-0001\ntitle from gpg clearsign\n"))
	mail1 := hdr + "Message-Id: <gpg1@demo.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(string(clear), "\n", "\r\n")
	if err := e.Sim.Send(alice.Address, []string{e.Robot.Address}, []byte(mail1)); err != nil {
		t.Fatal(err)
	}
	if tr := e.transcript(3); !strings.Contains(tr, "ok: title = \"from gpg clearsign\"") {
		t.Fatalf("clearsigned command not obeyed:\n%s", tr)
	}

	// 2. PGP/MIME multipart/signed around gpg --detach-sign output.
	part := "Content-Type: text/plain; charset=utf-8\r\n\r\ntitle from gpg detach-sign\r\n\r\n> [SEC-2026-0001] relay\r\n"
	sig := gpgSign(t, alice, []string{"--detach-sign", "--armor", "--digest-algo", "SHA256"}, []byte(part))
	mail2 := hdr + "Message-Id: <gpg2@demo.example>\r\nContent-Type: multipart/signed; boundary=\"b1\"; micalg=pgp-sha256; protocol=\"application/pgp-signature\"\r\n\r\n" +
		"--b1\r\n" + part + "\r\n--b1\r\nContent-Type: application/pgp-signature\r\n\r\n" + strings.ReplaceAll(string(sig), "\n", "\r\n") + "\r\n--b1--\r\n"
	if err := e.Sim.Send(alice.Address, []string{e.Robot.Address}, []byte(mail2)); err != nil {
		t.Fatal(err)
	}
	if tr := e.transcript(5); !strings.Contains(tr, "ok: title = \"from gpg detach-sign\"") {
		t.Fatalf("PGP/MIME command signed by gpg not obeyed:\n%s", tr)
	}
	if c := e.caseByID("SEC-2026-0001"); c.Vulns[0].Title != "from gpg detach-sign" {
		t.Errorf("title %q", c.Vulns[0].Title)
	}
}

// allText decodes and joins every text/plain part of a message, with its
// top-level Subject first.
var wrapped = regexp.MustCompile(`\r?\n +`)

func allText(t *testing.T, raw []byte) string {
	t.Helper()
	ent, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	var out strings.Builder
	out.WriteString("Subject: " + ent.Header.Get("Subject") + "\n")
	ent.Walk(func(_ []int, part *message.Entity, _ error) error {
		if mt, _, _ := part.Header.ContentType(); strings.HasPrefix(mt, "text/") || mt == "" {
			b, _ := io.ReadAll(part.Body)
			out.Write(b)
		}
		return nil
	})
	// secbot wraps mail text (templates.Wrap), indenting a continuation
	// under its label: the tests search the lines unwrapped.
	return wrapped.ReplaceAllString(out.String(), " ")
}

func TestUnreadableSignatureStillGetsATranscript(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	alice := e.Maintainers[0]
	raw := "From: Alice <" + alice.Address + ">\r\nTo: " + e.Robot.Address + "\r\nSubject: Re: [SEC-2026-0001]\r\n" +
		"In-Reply-To: <" + relayID + ">\r\nMessage-Id: <garbage-sig@demo.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/signed; boundary=\"b\"; micalg=pgp-sha256; protocol=\"application/pgp-signature\"\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\ntitle pwned\r\n--b\r\nContent-Type: application/pgp-signature\r\n\r\n" +
		"-----BEGIN PGP SIGNATURE-----\r\n\r\nbm90IGEgc2lnbmF0dXJl\r\n-----END PGP SIGNATURE-----\r\n--b--\r\n"
	if err := e.Sim.Send(alice.Address, []string{e.Robot.Address}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	tr := e.transcript(3)
	if !strings.Contains(tr, "No command ran") || !strings.Contains(tr, "did not verify") {
		t.Errorf("transcript:\n%s", tr)
	}
	// Encrypted, but not to the robot: its commands cannot even be read.
	stranger, _ := pgpmime.GenerateKey("Stranger", "s@x.example", "x25519")
	strangerKey, _ := pgpmime.ReadKey([]byte(stranger))
	plain, _, err := e.Compose(alice, demo.Mail{Subject: "Re: [SEC-2026-0001]", Body: "title pwned\n", InReplyTo: relayID})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := pgpmime.Encrypt(plain, []*crypto.Key{strangerKey}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Sim.Send(alice.Address, []string{e.Robot.Address}, enc); err != nil {
		t.Fatal(err)
	}
	tr = e.transcript(5)
	if !strings.Contains(tr, "No command ran") || !strings.Contains(tr, "could not be read") {
		t.Errorf("transcript:\n%s", tr)
	}
	if c := e.caseByID("SEC-2026-0001"); c.Vulns[0].Title != "" {
		t.Errorf("title %q set by an unreadable mail", c.Vulns[0].Title)
	}
}

func TestSignedMailNamingAnotherCaseRunsNothing(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	// A second case, then alice's signed mail about it, re-addressed (its
	// unsigned In-Reply-To) to the first case.
	e.send(e.Reporter, report("second"))
	e.waitMail(e.Maintainers[0].Address, 2)
	e.send(e.Maintainers[0], demo.Mail{Subject: "Re: [SEC-2026-0001]", InReplyTo: relayID, Sign: true,
		Body: "close\n\n> [SEC-2026-0002] New report\n"})
	tr := e.transcript(4)
	if !strings.Contains(tr, "No command ran") || !strings.Contains(tr, "names SEC-2026-0002") {
		t.Errorf("transcript:\n%s", tr)
	}
	if c := e.caseByID("SEC-2026-0001"); c.State != store.StateNew {
		t.Errorf("state %s", c.State)
	}
}

// TestPinLineOverridesAMention: the explicit pin line names case 0002 and
// mentions 0001 in passing; threaded into 0001, the mail runs nothing, on
// either case, and the transcript says why.
func TestPinLineOverridesAMention(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	e.send(e.Reporter, report("second"))
	e.waitMail(e.Maintainers[0].Address, 2)
	e.send(e.Maintainers[0], demo.Mail{Subject: "Re: [SEC-2026-0001]", InReplyTo: relayID, Sign: true,
		Body: "# SEC-2026-0002 (same root cause as SEC-2026-0001)\nclose\n"})
	tr := e.transcript(4)
	if !strings.Contains(tr, "No command ran") || !strings.Contains(tr, "pins case SEC-2026-0002") {
		t.Errorf("transcript:\n%s", tr)
	}
	for _, id := range []string{"SEC-2026-0001", "SEC-2026-0002"} {
		if c := e.caseByID(id); c.State != store.StateNew {
			t.Errorf("%s: state %s", id, c.State)
		}
	}
}

func TestHoldRunsEvenFromAMailWithErrors(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	mails := 1
	body, _ := fieldsBody(e, 6)
	e.command(relayID, body+"publish\n")
	e.nextTranscript(&mails)
	e.command(relayID, "hold\nclose\ncrd 2026-13-01\n")
	tr := e.nextTranscript(&mails)
	if !strings.Contains(tr, "Only \"hold\" ran") || !strings.Contains(tr, "ok: disarmed") {
		t.Errorf("transcript:\n%s", tr)
	}
	if c := e.caseByID("SEC-2026-0001"); c.Embargo.Armed || c.State != store.StateAccepted {
		t.Errorf("armed %v state %s; want disarmed and still accepted", c.Embargo.Armed, c.State)
	}
}

func TestSignedMailMustNameItsCase(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	e.send(e.Maintainers[0], demo.Mail{Subject: "Re: [SEC-2026-0001]", InReplyTo: relayID, Sign: true, Body: "close\n"})
	tr := e.transcript(3)
	if !strings.Contains(tr, "does not name case SEC-2026-0001") {
		t.Errorf("transcript:\n%s", tr)
	}
	// A comment line naming the case is enough.
	e.send(e.Maintainers[0], demo.Mail{Subject: "Re: [SEC-2026-0001]", InReplyTo: relayID, Sign: true, Body: "# SEC-2026-0001\nclose\n"})
	if tr := e.transcript(5); !strings.Contains(tr, "ok: state = closed") {
		t.Errorf("transcript:\n%s", tr)
	}
}
