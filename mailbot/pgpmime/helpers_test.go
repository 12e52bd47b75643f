package pgpmime

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ProtonMail/gopenpgp/v2/crypto"
	"github.com/emersion/go-message/mail"
)

// newKey generates an x25519 key through the public API.
func newKey(t testing.TB, name string) *crypto.Key {
	t.Helper()
	armored, err := GenerateKey(name, strings.ToLower(name)+"@example.org", "x25519")
	if err != nil {
		t.Fatal(err)
	}
	k, err := ReadKey([]byte(armored))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newTimedKey makes a key created at created that expires after lifetime
// (0 = never), for validity tests.
func newTimedKey(t testing.TB, name string, created time.Time, lifetime time.Duration) *crypto.Key {
	t.Helper()
	cfg := &packet.Config{
		Algorithm:       packet.PubKeyAlgoEdDSA,
		KeyLifetimeSecs: uint32(lifetime / time.Second),
		Time:            func() time.Time { return created },
	}
	e, err := openpgp.NewEntity(name, "", strings.ToLower(name)+"@example.org", cfg)
	if err != nil {
		t.Fatal(err)
	}
	k, err := crypto.NewKeyFromEntity(e)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ring(t testing.TB, keys ...*crypto.Key) *crypto.KeyRing {
	t.Helper()
	r, err := crypto.NewKeyRing(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if err := r.AddKey(k); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func publicOf(t testing.TB, k *crypto.Key) *crypto.Key {
	t.Helper()
	pub, err := k.ToPublic()
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// plainMail is a message as the caller renders it, with LF line endings
// to check that they are canonicalized.
const plainMail = "From: Reporter <reporter@example.org>\n" +
	"To: security@example.org\n" +
	"Subject: Re: [SEC-42] heap overflow in parser\n" +
	"Date: Mon, 23 Nov 2026 10:00:00 +0000\n" +
	"Message-ID: <reply-1@example.org>\n" +
	"In-Reply-To: <case-42@secbot.example.org>\n" +
	"References: <case-42@secbot.example.org>\n" +
	"MIME-Version: 1.0\n" +
	"Content-Type: text/plain; charset=utf-8\n" +
	"Content-Transfer-Encoding: quoted-printable\n" +
	"\n" +
	"Hello,=20\n" +
	"-- \n" +
	"From the start: =C3=A9t=C3=A9 \n" +
	"trailing spaces   \n"

// mixedMail renders a multipart/mixed message with an attachment through
// go-message, as the robot would.
func mixedMail(t testing.TB, attachment []byte) []byte {
	t.Helper()
	var h mail.Header
	h.SetDate(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	h.SetAddressList("From", []*mail.Address{{Name: "secbot", Address: "security@example.org"}})
	h.SetAddressList("To", []*mail.Address{{Address: "reporter@example.org"}})
	h.SetSubject("[SEC-42] patch attached")
	h.SetMessageID("case-42-3@secbot.example.org")
	h.SetMsgIDList("In-Reply-To", []string{"reply-1@example.org"})
	h.SetMsgIDList("References", []string{"case-42@secbot.example.org", "reply-1@example.org"})
	var buf bytes.Buffer
	w, err := mail.CreateWriter(&buf, h)
	if err != nil {
		t.Fatal(err)
	}
	tw, err := w.CreateInline()
	if err != nil {
		t.Fatal(err)
	}
	var th mail.InlineHeader
	th.Set("Content-Type", "text/plain; charset=utf-8")
	pw, err := tw.CreatePart(th)
	if err != nil {
		t.Fatal(err)
	}
	pw.Write([]byte("Please find the patch attached.\n"))
	pw.Close()
	tw.Close()
	var ah mail.AttachmentHeader
	ah.Set("Content-Type", "application/octet-stream")
	ah.SetFilename("fix.patch")
	aw, err := w.CreateAttachment(ah)
	if err != nil {
		t.Fatal(err)
	}
	aw.Write(attachment)
	aw.Close()
	w.Close()
	return buf.Bytes()
}

// headerOf returns the top-level header of a message.
func headerOf(t testing.TB, msg []byte) mail.Header {
	t.Helper()
	e, err := parseEntity(msg)
	if err != nil {
		t.Fatal(err)
	}
	return mail.Header{Header: messageHeader(e.header)}
}
