package mailbot_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
)

const patchText = "--- a/frob.c\n+++ b/frob.c\n@@ -1 +1 @@\n-char name[256]; /* SECRET-PATCH */\n+char name[512];\n"

// fieldsBody sets every required advisory field, with a CRD days ahead
// on a Tuesday at 14:00 UTC.
func fieldsBody(e *env, days int) (string, time.Time) {
	crd := nextWeekday(e.Clock.Now().AddDate(0, 0, days), time.Tuesday)
	crd = time.Date(crd.Year(), crd.Month(), crd.Day(), 14, 0, 0, 0, time.UTC)
	return "accept\ntitle Heap overflow in frobnicate()\naffected >=1.2 <1.4.3\nnot-affected <1.2\nunchecked 0.9\n" +
		"type CWE-787 out-of-bounds write\nseverity high\ncrd " + crd.Format("2006-01-02 15:04") + " UTC\n" +
		"mitigation Only servers with frob=on.\nworkaround Set frob=off.\ncredit Rita Reporter as finder\nbranch 1.4 1.4.3\n" +
		"impact <<END\nSECRET-IMPACT: a remote attacker can run code.\nEND\n", crd
}

// quoted is the tail of a reply: the quoted mail it answers, which names
// the case inside the signed text.
const quoted = "\n> [SEC-2026-0001] New report, case SEC-2026-0001.\n"

func (e *env) command(relayID, body string, atts ...demo.Attachment) {
	e.t.Helper()
	e.send(e.Maintainers[0], demo.Mail{Subject: "Re: [SEC-2026-0001] Heap overflow", Body: body + quoted, InReplyTo: relayID, Sign: true, Attachments: atts})
}

// commandOK sends a command mail and returns its transcript, failing
// the test unless the transcript says want.
func (e *env) commandOK(relayID, body, want string, mails *int, atts ...demo.Attachment) string {
	e.t.Helper()
	e.command(relayID, body, atts...)
	tr := e.nextTranscript(mails)
	if !strings.Contains(tr, want) {
		e.t.Fatalf("%q: the transcript lacks %q:\n%s", strings.SplitN(body, "\n", 2)[0], want, tr)
	}
	return tr
}

// nextTranscript waits for the transcript after count mails to alice.
func (e *env) nextTranscript(count *int) string {
	e.t.Helper()
	*count += 2 // the relay of the command mail, and its transcript
	return e.transcript(*count)
}

func TestFromReportToAnnouncement(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	mails := 1
	body, crd := fieldsBody(e, 7)
	e.command(relayID, body+"cve request\nnotify distros acme\npatch\nsend\nthanks\n",
		demo.Attachment{Name: "0001-fix-frobnicate.patch", Data: []byte(patchText)})
	tr := e.nextTranscript(&mails)
	if !strings.Contains(tr, "0 error(s)") || !strings.Contains(tr, "pre-notification sent to acme, distros") {
		t.Fatalf("transcript:\n%s", tr)
	}
	if !strings.Contains(tr, "does not follow the naming convention") {
		t.Errorf("no naming suggestion in:\n%s", tr)
	}

	// The CNA got one request, encrypted to its key.
	cna := e.waitMail(e.CNA.Address, 1)
	if op := e.read(e.CNA, cna[0]); !strings.Contains(allText(t, op.Message), "We request one CVE id") {
		t.Errorf("CVE request text:\n%s", op.Message)
	}
	// Each downstream contact got the draft and the patch, encrypted to
	// its key only.
	for id, d := range e.Downstream {
		got := e.waitMail(d.Address, 1)[0]
		op := e.read(d, got)
		if !op.Encrypted || !op.SignatureValid {
			t.Errorf("%s: encrypted=%v signed=%v", id, op.Encrypted, op.SignatureValid)
		}
		if !bytes.Contains(op.Message, []byte("EMBARGOED DRAFT")) && !strings.Contains(allText(t, op.Message), "EMBARGOED DRAFT") {
			t.Errorf("%s: no draft advisory", id)
		}
		if !strings.Contains(allText(t, op.Message), "SECRET-PATCH") {
			t.Errorf("%s: patch not attached", id)
		}
		for other, p := range e.Downstream {
			if other != id {
				if _, err := e.Read(p, got); err == nil {
					t.Errorf("mail to %s decrypts with %s's key", id, other)
				}
			}
		}
	}
	// A second CVE request is refused; the case remembers the first.
	e.command(relayID, "cve request\n")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "already requested") {
		t.Errorf("second cve request:\n%s", tr)
	}
	if n := len(e.Sim.To(e.CNA.Address)); n != 1 {
		t.Errorf("CNA got %d mails, want 1", n)
	}

	// Arm, then let the clock reach the CRD.
	e.command(relayID, "publish\n")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "armed") {
		t.Fatalf("publish:\n%s", tr)
	}
	if err := e.Stop(); err != nil { // the timer must survive a restart
		t.Fatal(err)
	}
	e.Clock.AdvanceTo(crd.Add(time.Second))
	if err := e.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.KickScheduler()
	ann := e.waitMail(e.Announce, 1)[0]
	if bytes.Contains(ann.Data, []byte("multipart/encrypted")) || !bytes.Contains(ann.Data, []byte("multipart/signed")) {
		t.Fatal("announcement is not a signed, unencrypted mail")
	}
	robotPub, _ := e.Robot.Key.ToPublic()
	ring, _ := crypto.NewKeyRing(robotPub)
	op, err := pgpmime.Open(ann.Data, nil, ring)
	if err != nil || !op.SignatureValid {
		t.Fatalf("announcement does not verify with the project key: %v %+v", err, op)
	}
	text := allText(t, op.Message)
	for _, want := range []string{"Heap overflow in frobnicate()", "SECRET-IMPACT", "Versions affected:      >=1.2 <1.4.3", "Rita Reporter (finder)", "SECRET-PATCH"} {
		if !strings.Contains(text, want) {
			t.Errorf("announcement lacks %q", want)
		}
	}
	// Reporter and downstream hear that the embargo is over.
	e.waitMail(e.Reporter.Address, 3) // ack, CRD notice, embargo over
	for _, d := range e.Downstream {
		e.waitMail(d.Address, 2)
	}
	if c := e.caseByID("SEC-2026-0001"); c.State != store.StatePublished {
		t.Errorf("case state %s, want published", c.State)
	}
	// Nothing embargoed reached anyone in the clear: every mail secbot
	// sent before the announcement was encrypted, or carried none of it.
	for _, d := range e.Sim.Deliveries() {
		if d.From != e.Robot.Address || d.To[0] == e.Announce {
			continue
		}
		for _, secret := range []string{"SECRET-REPORT-TEXT", "SECRET-IMPACT", "SECRET-PATCH", "Heap overflow", "frobnicate"} {
			if bytes.Contains(d.Data, []byte(secret)) {
				t.Errorf("%q reached %v in the clear", secret, d.To)
			}
		}
	}
}

func TestDistrosRulesAndUpdates(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	mails := 1
	body, _ := fieldsBody(e, 7)
	e.command(relayID, body+"notify distros\nsend\n")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "Nothing was run") || !strings.Contains(tr, "patch") {
		t.Fatalf("distros without a patch was not refused:\n%s", tr)
	}
	if n := len(e.Sim.To(e.Downstream["distros"].Address)); n != 0 {
		t.Fatalf("distros got %d mails", n)
	}
	e.command(relayID, body+"notify distros\npatch\nsend\n", demo.Attachment{Name: "frob-1.4-SEC-2026-0001-r1.patch", Data: []byte(patchText)})
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "pre-notification sent to distros") {
		t.Fatalf("send:\n%s", tr)
	}
	// A CRD past the 14-day maximum of the distros list is refused.
	far := nextWeekday(e.Clock.Now().AddDate(0, 0, 20), time.Tuesday).Format("2006-01-02")
	e.command(relayID, "crd "+far+" 14:00 UTC\n")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "14") || !strings.Contains(tr, "error") {
		t.Errorf("long embargo not refused:\n%s", tr)
	}
	// A new patch revision and a new CRD: the re-send is an update that
	// says what changed, and the old revision is kept.
	newCRD := nextWeekday(e.Clock.Now().AddDate(0, 0, 8), time.Wednesday).Format("2006-01-02")
	e.command(relayID, "crd "+newCRD+" 14:00 UTC\npatch\nsend\n", demo.Attachment{Name: "frob-1.4-SEC-2026-0001-r1.patch", Data: []byte(patchText + "+/* r2 */\n")})
	tr := e.nextTranscript(&mails)
	if !strings.Contains(tr, "supersedes frob-1.4-SEC-2026-0001-r1.patch") {
		t.Errorf("no supersede note:\n%s", tr)
	}
	distros := e.Downstream["distros"]
	got := e.waitMail(distros.Address, 3) // first, CRD notice, update
	var update string
	for _, d := range got {
		if text := allText(t, e.read(distros, d).Message); strings.Contains(text, "UPDATE") {
			update = text
		}
	}
	for _, want := range []string{"the CRD is now", "new patch: frob-1.4-SEC-2026-0001-r2.patch", "withdrawn: frob-1.4-SEC-2026-0001-r1.patch"} {
		if !strings.Contains(update, want) {
			t.Errorf("update lacks %q:\n%s", want, update)
		}
	}
	e.View(func(tx *store.Tx) error {
		ps, _ := tx.Patches("SEC-2026-0001")
		if len(ps) != 2 || ps[0].State != store.PatchSuperseded || ps[1].State != store.PatchCurrent || ps[1].Rev != 2 {
			t.Errorf("patches: %+v %+v", ps[0], ps[len(ps)-1])
		}
		return nil
	})
}

func TestReminderBeforeCRD(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	mails := 1
	body, crd := fieldsBody(e, 5)
	e.command(relayID, body)
	e.nextTranscript(&mails)
	e.Clock.AdvanceTo(crd.Add(-47 * time.Hour))
	e.KickScheduler()
	got := e.waitMail(e.Maintainers[0].Address, mails+1)
	text := allText(t, e.read(e.Maintainers[0], got[len(got)-1]).Message)
	if !strings.Contains(text, "Reminder") || !strings.Contains(text, "not armed") || !strings.Contains(text, "no patch") {
		t.Errorf("reminder:\n%s", text)
	}
}

func TestHoldDisarms(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	mails := 1
	body, crd := fieldsBody(e, 6)
	e.command(relayID, body+"publish\n")
	e.nextTranscript(&mails)
	e.command(relayID, "hold\n")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "disarmed") {
		t.Fatalf("hold:\n%s", tr)
	}
	e.passCRDUnannounced(crd)
}

// passCRDUnannounced moves the clock past the CRD and checks that no
// announcement goes out.
func (e *env) passCRDUnannounced(crd time.Time) {
	e.t.Helper()
	e.Clock.AdvanceTo(crd.Add(time.Minute))
	e.KickScheduler()
	if err := e.WaitSent(e.ctx, wait); err != nil {
		e.t.Fatal(err)
	}
	e.Sim.WaitFor(ctxTimeout(e.t, 300*time.Millisecond), func() bool { return len(e.Sim.To(e.Announce)) > 0 })
	if n := len(e.Sim.To(e.Announce)); n != 0 {
		e.t.Errorf("the case was announced (%d mails)", n)
	}
}

func TestRejectedArmedCaseIsNotPublished(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	mails := 1
	body, crd := fieldsBody(e, 6)
	e.command(relayID, body+"publish\n")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "armed") {
		t.Fatalf("publish:\n%s", tr)
	}
	e.command(relayID, "reject not a bug after all\n")
	e.nextTranscript(&mails)
	e.passCRDUnannounced(crd)
	if c := e.caseByID("SEC-2026-0001"); c.State != store.StateRejected || c.Embargo.Armed {
		t.Errorf("state %s armed %v", c.State, c.Embargo.Armed)
	}
}

// TestPrenotifyUpdateOnAdvisoryChange: a changed advisory field or a new
// vulnerability makes the next send an update to a contact that had the
// earlier draft, saying which fields of which vulnerability changed; an
// unchanged draft is not sent again.
func TestPrenotifyUpdateOnAdvisoryChange(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	mails := 1
	body, _ := fieldsBody(e, 7)
	e.commandOK(relayID, body+"notify distros\npatch\nsend\n", "pre-notification sent to distros", &mails,
		demo.Attachment{Name: "frob-1.4-SEC-2026-0001-r1.patch", Data: []byte(patchText)})
	e.commandOK(relayID, "send\n", "already up to date: distros", &mails) // an unchanged draft is not sent again
	e.commandOK(relayID, "affected >=1.2 <1.4.4\nseverity critical\nvuln add\ntitle A second flaw\nseverity low\naffected <1.4.3\n"+
		"type CWE-20 improper input validation\nimpact A crash.\nsend\n", "pre-notification sent to distros", &mails)
	distros := e.Downstream["distros"]
	got := e.waitMail(distros.Address, 2)
	update := allText(t, e.read(distros, got[len(got)-1]).Message)
	for _, want := range []string{"UPDATE", "vulnerability 1: affected, severity changed", "vulnerability 2 added"} {
		if !strings.Contains(update, want) {
			t.Errorf("update lacks %q:\n%s", want, update)
		}
	}
}
