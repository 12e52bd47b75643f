package mailbot_test

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"github.com/secbot/secbot/mailbot/demo"
)

// TestMaintainerMailThreadsUnderTheFirstRelay: every later mail a
// maintainer gets about a case (relays of the reporter's follow-ups,
// transcripts) has References that start at the first relay of the case
// that maintainer got, so that a client threads the case as one
// conversation, even when the follow-up answered the acknowledgement,
// which maintainers never see.
func TestMaintainerMailThreadsUnderTheFirstRelay(t *testing.T) {
	e := newEnv(t, demo.Options{})
	e.send(e.Reporter, report("Heap overflow"))
	ackID := messageID(t, e.waitMail(e.Reporter.Address, 1)[0].Data)
	roots := map[string]string{}
	for _, m := range e.Maintainers {
		first := e.waitMail(m.Address, 1)[0].Data
		roots[m.Address] = messageID(t, first)
		if refs := msgIDs(t, first, "References"); len(refs) != 0 {
			t.Errorf("the first relay to %s is not a thread root: References %v", m.Address, refs)
		}
	}
	e.send(e.Reporter, demo.Mail{Subject: "Re: [SEC-2026-0001] Your report", Body: "more\n", InReplyTo: ackID, Encrypt: true})
	alice := e.Maintainers[0]
	relay2 := e.waitMail(alice.Address, 2)[1].Data
	e.send(alice, demo.Mail{Subject: "Re: [SEC-2026-0001] Heap overflow", InReplyTo: messageID(t, relay2), Sign: true,
		Body: "title Heap overflow in frob()\n\n> [SEC-2026-0001] Heap overflow\n"})
	for _, m := range e.Maintainers {
		got := e.waitMail(m.Address, 4) // first relay, follow-up, alice's mail, transcript
		for i, d := range got[1:] {
			refs := msgIDs(t, d.Data, "References")
			if len(refs) == 0 || refs[0] != roots[m.Address] {
				t.Errorf("mail %d to %s: References %v, want them to start at its first relay %s", i+2, m.Address, refs, roots[m.Address])
			}
		}
	}
}

// msgIDs is the message-id list of field in a mail's header.
func msgIDs(t *testing.T, raw []byte, field string) []string {
	t.Helper()
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	ids, err := (&gomail.Header{Header: message.Header{Header: h}}).MsgIDList(field)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestEncryptedFollowUpIsKnownByItsProtectedSubject: a client that hides
// the subject ("..." outside, the real one inside the encryption) still
// joins the case by the tag of its real subject, and the relay shows that
// subject, not the placeholder.
func TestEncryptedFollowUpIsKnownByItsProtectedSubject(t *testing.T) {
	e := newEnv(t, demo.Options{})
	e.send(e.Reporter, report("Heap overflow"))
	e.waitMail(e.Maintainers[0].Address, 1)
	e.send(e.Reporter, demo.Mail{Subject: "Re: [SEC-2026-0001] Heap overflow, a second crash", Body: "more\n", Encrypt: true})
	relay := e.read(e.Maintainers[0], e.waitMail(e.Maintainers[0].Address, 2)[1])
	if want := "Subject: [SEC-2026-0001] Heap overflow, a second crash\r\n"; !bytes.Contains(relay.Message, []byte(want)) {
		t.Errorf("relay lacks %q:\n%s", want, relay.Message)
	}
	if cases := e.cases(); len(cases) != 1 {
		t.Errorf("%d cases, want the follow-up in the first", len(cases))
	}
}
