package outmail

import (
	"bytes"
	"strings"
	"testing"

	gomail "github.com/emersion/go-message/mail"
)

// TestGPGReplyNeedsNoKeyChoice reads the robot's mail with gpg as a
// maintainer's and a reporter's client would: it decrypts, the robot's
// signature verifies, and the address a reply goes to (Reply-To, else
// From) finds the robot key by itself, so that an encrypted reply needs
// no key chosen by hand.
func TestGPGReplyNeedsNoKeyChoice(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		kind  Kind
		class Class
	}{{Relay, Maintainer}, {Ack, Reporter}, {Reply, Reporter}} {
		t.Run(string(tc.kind), func(t *testing.T) {
			g := newGPG(t)
			g.importOwn(f.private[tc.class])
			g.importPeer(public(t, f.keys.Robot))
			rcpt, to := f.recipient(tc.class, true)
			out, err := f.render(t, kinds, tc.kind, rcpt, to, f.specFor(t, tc.kind))
			if err != nil {
				t.Fatal(err)
			}
			plain, status := g.Must(encryptedPart(t, out), "--decrypt")
			if !strings.Contains(status, "[GNUPG:] VALIDSIG "+f.keys.RobotFP) {
				t.Fatalf("gpg does not verify the robot's signature:\n%s", status)
			}
			if !bytes.Contains(plain, []byte("Subject: ["+caseID+"]")) {
				t.Errorf("no protected subject inside:\n%s", plain)
			}
			addr := replyAddress(t, out)
			located, _ := g.Must(nil, "--auto-key-locate", "clear,local", "--with-colons", "--locate-keys", addr)
			if !strings.Contains(string(located), "fpr:::::::::"+f.keys.RobotFP+":") {
				t.Fatalf("gpg --locate-keys %s does not find the robot key:\n%s", addr, located)
			}
			if _, st := g.Must([]byte("reply\n"), "--armor", "--encrypt", "-r", addr); !strings.Contains(st, "END_ENCRYPTION") {
				t.Fatalf("gpg cannot encrypt a reply to %s:\n%s", addr, st)
			}
		})
	}
}

// replyAddress is where a client sends a reply (RFC 5322 section 3.6.2):
// the Reply-To address when there is one, else From.
func replyAddress(t *testing.T, raw []byte) string {
	t.Helper()
	r, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"Reply-To", "From"} {
		list, err := r.Header.AddressList(field)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 1 {
			return list[0].Address
		}
	}
	t.Fatal("no reply address")
	return ""
}

// encryptedPart is the armored OpenPGP message of a PGP/MIME mail.
func encryptedPart(t *testing.T, raw []byte) []byte {
	t.Helper()
	start := bytes.Index(raw, []byte("-----BEGIN PGP MESSAGE-----"))
	end := bytes.Index(raw, []byte("-----END PGP MESSAGE-----"))
	if start < 0 || end < start {
		t.Fatalf("not encrypted:\n%s", topHeader(raw))
	}
	return raw[start : end+len("-----END PGP MESSAGE-----")]
}
