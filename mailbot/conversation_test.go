package mailbot_test

import (
	"strings"
	"testing"

	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/store"
)

// mailWith waits for the nth mail to p and returns the text of the
// newest one among them that contains marker.
func (e *env) mailWith(p demo.Person, n int, marker string) string {
	e.t.Helper()
	got := e.waitMail(p.Address, n)
	for i := len(got) - 1; i >= 0; i-- {
		if text := allText(e.t, e.read(p, got[i]).Message); strings.Contains(text, marker) {
			return text
		}
	}
	for _, d := range got {
		e.t.Logf("---\n%.600s", allText(e.t, e.read(p, d).Message))
	}
	e.t.Fatalf("no mail to %s holds %q among %d", p.Address, marker, len(got))
	return ""
}

// prenotifyAcme opens a case, sets its fields and pre-notifies acme
// alone; it returns the relay id to answer and acme's pre-notification id.
func (e *env) prenotifyAcme(mails *int) (relayID, prenotifyID string) {
	e.t.Helper()
	relayID = e.openCase()
	body, _ := fieldsBody(e, 7)
	e.command(relayID, body+"notify acme\nsend\nthanks\n")
	if tr := e.nextTranscript(mails); !strings.Contains(tr, "pre-notification sent to acme") {
		e.t.Fatalf("transcript:\n%s", tr)
	}
	pre := e.waitMail(e.Downstream["acme"].Address, 1)[0]
	return relayID, messageID(e.t, pre.Data)
}

// TestDownstreamAnswersAndTheMaintainerTellsBack: a pre-notified contact's
// signed reply reaches the maintainers marked as verified, an unsigned one
// in its name as a claim; neither reaches the reporter or another
// contact, nor is acknowledged. A maintainer answers with tell, encrypted
// to that contact alone, without the reporter's address; tell to a
// contact never pre-notified on the case is refused, and runs nothing.
func TestDownstreamAnswersAndTheMaintainerTellsBack(t *testing.T) {
	e := newEnv(t, demo.Options{})
	mails := 1
	relayID, preID := e.prenotifyAcme(&mails)
	acme, distros, alice := e.Downstream["acme"], e.Downstream["distros"], e.Maintainers[0]
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	reporterMails := len(e.Sim.To(e.Reporter.Address))

	e.send(acme, demo.Mail{Subject: "Re: [SEC-2026-0001] Embargoed pre-notification", InReplyTo: preID,
		Body: "Does the fix break ABI? ACME-QUESTION\n", Encrypt: true, Sign: true})
	mails++
	relay := e.mailWith(alice, mails, "From downstream acme")
	for _, want := range []string{"Embargoed pre-notification", "signed with the contact's key", "not to the reporter"} {
		if !strings.Contains(relay, want) {
			t.Errorf("relay lacks %q:\n%s", want, relay)
		}
	}
	e.send(distros, demo.Mail{Subject: "Re: [SEC-2026-0001] DISTROS-SUBJECT", InReplyTo: preID, Body: "hello\n", Sign: true})
	mails++
	if relay := e.mailWith(alice, mails, "DISTROS-SUBJECT"); strings.Contains(relay, "From downstream") {
		t.Errorf("distros was never pre-notified on the case, but its mail is relayed as theirs:\n%s", relay)
	}
	e.send(acme, demo.Mail{Subject: "Re: [SEC-2026-0001] CLAIMED-SUBJECT", InReplyTo: preID, Body: "I am acme, trust me\n"})
	mails++
	if relay := e.mailWith(alice, mails, "CLAIMED-SUBJECT"); !strings.Contains(relay, "claims to come from acme") || strings.Contains(relay, "Verified:  signed") {
		t.Errorf("an unsigned mail in acme's name is not marked as a claim:\n%s", relay)
	}

	e.command(relayID, "tell distros\n\nSECRET-TELL-TEXT\n")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "distros: never pre-notified on this case") || !strings.Contains(tr, "Nothing was run") {
		t.Errorf("tell to a contact never pre-notified:\n%s", tr)
	}
	e.command(relayID, "tell acme\n\nNo ABI change. SECRET-TELL-TEXT\n\nAlice")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "told acme (encrypted to each)") {
		t.Errorf("tell transcript:\n%s", tr)
	}
	got := e.waitMail(acme.Address, 2)
	told := e.read(acme, got[1])
	text := allText(t, told.Message)
	if !told.Encrypted || !strings.Contains(text, "SECRET-TELL-TEXT") || strings.Contains(text, e.Reporter.Address) {
		t.Errorf("tell mail: encrypted=%v\n%s", told.Encrypted, text)
	}
	if _, err := e.Read(distros, got[1]); err == nil {
		t.Errorf("the tell to acme decrypts with distros' key")
	}
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	if n := len(e.Sim.To(e.Reporter.Address)); n != reporterMails {
		t.Errorf("the reporter got %d more mails during the conversation", n-reporterMails)
	}
	if n := len(e.Sim.To(distros.Address)); n != 0 {
		t.Errorf("distros got %d mails (no acknowledgement, no tell)", n)
	}
	if n := len(e.Sim.To(acme.Address)); n != 2 {
		t.Errorf("acme got %d mails, want the pre-notification and the tell (no acknowledgement)", n)
	}
	c := e.caseByID("SEC-2026-0001")
	var dirs []string
	for _, tk := range c.Talk {
		dirs = append(dirs, tk.Dir+" "+strings.Join(tk.Contacts, ",")+map[bool]string{true: " signed"}[tk.Signed])
	}
	if want := []string{store.TalkFrom + " acme signed", store.TalkFrom + " acme", store.TalkTo + " acme"}; strings.Join(dirs, "|") != strings.Join(want, "|") {
		t.Errorf("talk %q, want %q", dirs, want)
	}
}
