package mailbot_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/secbot/secbot/mailbot"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/store"
)

// TestReporterReviewsTheDraftAndConfirmsTheCredit: a credit naming the
// reporter's address asks the reporter to confirm the exact line and is
// pending; share is refused for a reporter without a key, share plain
// sends the draft signed with a warning in the transcript; the reporter's
// answer is relayed; credit confirmed records it; publish warns while a
// credit is pending; a declined credit shows in case show without a name.
func TestReporterReviewsTheDraftAndConfirmsTheCredit(t *testing.T) {
	e := newEnv(t, demo.Options{})
	mails := 1
	relayID := e.openCase()
	body, _ := fieldsBody(e, 7)
	body = strings.Replace(body, "credit Rita Reporter as finder", "credit Rita Reporter <"+e.Reporter.Address+"> as finder", 1)
	e.command(relayID, body+"thanks\n")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "pending: "+e.Reporter.Address+" is asked to confirm it") {
		t.Fatalf("credit transcript:\n%s", tr)
	}
	// The ack, the CRD notice and the credit request.
	got := e.waitMail(e.Reporter.Address, 3)
	ask := allText(t, e.read(e.Reporter, got[len(got)-1]).Message)
	if ask = strings.ReplaceAll(ask, "\r\n", "\n"); !strings.Contains(ask, "exactly as:\n Rita Reporter (finder)\n") {
		t.Errorf("credit request:\n%s", ask)
	}
	if c := e.caseByID("SEC-2026-0001"); c.Fields.Credits[0].Status != store.CreditPending {
		t.Errorf("credit status %q", c.Fields.Credits[0].Status)
	}

	e.command(relayID, "share\n")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "write \"share plain\"") {
		t.Errorf("share without a key:\n%s", tr)
	}
	e.command(relayID, "share plain\n")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "NOT encrypted: the embargoed draft crosses the network in the clear") {
		t.Errorf("share plain:\n%s", tr)
	}
	got = e.waitMail(e.Reporter.Address, 4)
	draft := got[3]
	if text := allText(t, e.read(e.Reporter, draft).Message); !bytes.Contains(draft.Data, []byte("multipart/signed")) || !strings.Contains(text, "EMBARGOED DRAFT") || strings.Contains(text, ".patch") {
		t.Errorf("shared draft:\n%.800s", draft.Data)
	}

	e.send(e.Reporter, demo.Mail{Subject: "Re: [SEC-2026-0001] How should we credit you?", Body: "Yes, that is fine. CREDIT-OK\n", InReplyTo: messageID(t, got[2].Data)})
	mails++
	e.waitMail(e.Maintainers[0].Address, mails)
	e.command(relayID, "credit confirmed rita reporter\npublish\n")
	tr := e.nextTranscript(&mails)
	if !strings.Contains(tr, "credit confirmed: 1 credit(s)") || strings.Contains(tr, "not confirmed yet") {
		t.Errorf("credit confirmed:\n%s", tr)
	}
	if lines := mailbot.CreditLines(e.caseByID("SEC-2026-0001")); len(lines) != 1 || lines[0] != "Rita Reporter (finder) [confirmed]" {
		t.Errorf("case show credits %q", lines)
	}
	e.command(relayID, "hold\ncredit Jane Hidden <"+e.Reporter.Address+"> as analyst\ncredit declined Jane Hidden\npublish\n")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "will not be named") || strings.Contains(tr, "not confirmed yet") {
		t.Errorf("declined:\n%s", tr)
	}
	for _, l := range mailbot.CreditLines(e.caseByID("SEC-2026-0001")) {
		if strings.Contains(l, "Jane") {
			t.Errorf("case show names a declined credit: %q", l)
		}
	}
	e.command(relayID, "hold\ncredit Rita R. <"+e.Reporter.Address+">\npublish\n")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "credits not confirmed yet, published as written unless you correct them: Rita R.") {
		t.Errorf("publish with a pending credit:\n%s", tr)
	}
}

// TestTwoCreditsOneMailAskBoth: two credits naming two reporters in one
// command mail ask each of them: the two confirmation mails have Message-IDs
// of their own, so the second is not taken for a duplicate of the first.
func TestTwoCreditsOneMailAskBoth(t *testing.T) {
	e := newEnv(t, demo.Options{})
	mails := 1
	relayID := e.openCase()
	const bob = "bob@elsewhere.example"
	e.commandOK(relayID, "reporter Bob Builder <"+bob+">\n", "0 error(s)", &mails)
	tr := e.commandOK(relayID, "credit Rita Reporter <"+e.Reporter.Address+"> as finder\ncredit Bob Builder <"+bob+"> as analyst\n",
		"pending: "+e.Reporter.Address+" is asked to confirm it", &mails)
	if !strings.Contains(tr, "pending: "+bob+" is asked to confirm it") {
		t.Errorf("transcript does not ask %s:\n%s", bob, tr)
	}
	var to []string
	err := e.View(func(tx *store.Tx) error {
		all, err := tx.Outbox()
		for _, m := range all {
			if m.Kind == "credit-confirm" {
				to = append(to, m.To...)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(to)
	if want := []string{bob, e.Reporter.Address}; !slices.Equal(to, want) {
		t.Errorf("credit confirmations to %v, want %v", to, want)
	}
}
