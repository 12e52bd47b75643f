package mailbot_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp/clearsign"

	"github.com/secbot/secbot/mailbot/demo"
)

// replyBody is a maintainer's reply as a mail client writes it: the
// command, the text for the reporter, a sign-off and the quoted mail.
func replyBody(n int) string {
	return fmt.Sprintf("reply\n\nHi Rita, reply number %d: we can reproduce it.\n-- \nAlice SIGNOFF-MARKER\n"+
		"\nOn Mon, 30 Nov 2026, Rita wrote:\n> [SEC-2026-0001] QUOTED-MARKER\n", n)
}

// clearsignedMail wraps a clearsigned text as from's reply to relayID.
func (e *env) clearsignedMail(from demo.Person, relayID, id string, clear []byte) []byte {
	return []byte("From: " + from.Name + " <" + from.Address + ">\r\nTo: " + e.Robot.Address + "\r\nSubject: Re: [SEC-2026-0001]\r\n" +
		"In-Reply-To: <" + relayID + ">\r\nMessage-Id: <" + id + "@demo.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(string(clear), "\n", "\r\n"))
}

// goCryptoClearsign is what a go-crypto client makes of text.
func goCryptoClearsign(t *testing.T, p demo.Person, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := clearsign.Encode(&b, p.Key.GetEntity().PrivateKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(text))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestReplyLeavesOutSignOffAndQuoteInEverySigningForm: the reporter's copy
// of a reply holds neither the maintainer's sign-off nor the quoted mail,
// whichever way the command mail was signed. A clearsigned "-- " arrives
// as "--".
func TestReplyLeavesOutSignOffAndQuoteInEverySigningForm(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	alice := e.Maintainers[0]
	compose := func(n int, m demo.Mail) []byte {
		m.Subject, m.Body, m.InReplyTo = "Re: [SEC-2026-0001]", replyBody(n), relayID
		raw, _, err := e.Compose(alice, m)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	tests := []struct {
		name string
		mail func(t *testing.T, n int) []byte
	}{
		{"PGP/MIME multipart/signed", func(t *testing.T, n int) []byte { return compose(n, demo.Mail{Sign: true}) }},
		{"PGP/MIME signed and encrypted", func(t *testing.T, n int) []byte { return compose(n, demo.Mail{Sign: true, Encrypt: true}) }},
		{"clearsigned by go-crypto", func(t *testing.T, n int) []byte {
			return e.clearsignedMail(alice, relayID, fmt.Sprintf("clear%d", n), goCryptoClearsign(t, alice, replyBody(n)))
		}},
		{"clearsigned by gpg", func(t *testing.T, n int) []byte {
			clear := gpgSign(t, alice, []string{"--clearsign"}, []byte(replyBody(n)))
			if !bytes.Contains(clear, []byte("\n- -- \n")) {
				t.Fatalf("gpg did not dash-escape the separator:\n%s", clear)
			}
			return e.clearsignedMail(alice, relayID, fmt.Sprintf("gpg%d", n), clear)
		}},
	}
	replies := 1 // the acknowledgement
	for n, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.mail(t, n)
			if err := e.Sim.Send(alice.Address, []string{e.Robot.Address}, raw); err != nil {
				t.Fatal(err)
			}
			replies++
			got := e.waitMail(e.Reporter.Address, replies)
			text := allText(t, e.read(e.Reporter, got[replies-1]).Message)
			if !strings.Contains(text, fmt.Sprintf("reply number %d: we can reproduce it.", n)) {
				t.Fatalf("reply lacks its text:\n%s", text)
			}
			for _, leak := range []string{"SIGNOFF-MARKER", "QUOTED-MARKER", "Rita wrote", "reproduce it.\n--"} {
				if strings.Contains(text, leak) {
					t.Errorf("the reporter's copy holds %q:\n%s", leak, text)
				}
			}
		})
	}
}
