package mailbot

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/mailbot/pgpmime"
)

// testKey generates a public key for addr, armored.
func testKey(t *testing.T, addr string) string {
	t.Helper()
	armored, err := pgpmime.GenerateKey("Test Person", addr, "x25519")
	if err != nil {
		t.Fatal(err)
	}
	key, err := pgpmime.ReadKey([]byte(armored))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := key.GetArmoredPublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// qpAll encodes every byte of s as quoted-printable hex, with a soft
// line break every 72 characters: what a cautious encoder may write.
func qpAll(s string) string {
	var b, line strings.Builder
	for _, c := range []byte(strings.ReplaceAll(s, "\n", "\r\n")) {
		if c == '\r' || c == '\n' {
			b.WriteString(line.String())
			line.Reset()
			if c == '\n' {
				b.WriteString("\r\n")
			}
			continue
		}
		if line.Len() >= 72 {
			b.WriteString(line.String() + "=\r\n")
			line.Reset()
		}
		line.WriteString("=" + strings.ToUpper(hexByte(c)))
	}
	b.WriteString(line.String())
	return b.String()
}

func hexByte(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}

func b64Lines(s string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(s, "\n", "\r\n")))
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	return b.String() + enc + "\r\n"
}

func TestSenderKeyEncodings(t *testing.T) {
	const from = "rita@reporter.example"
	pub := testKey(t, from)
	other := testKey(t, "mallory@evil.example")
	text := "Hi,\n\nmy key:\n" + pub + "\n"
	head := "From: Rita <" + from + ">\r\nSubject: key\r\nMIME-Version: 1.0\r\n"
	check := func(name, raw string, want bool) {
		t.Helper()
		got := senderKey([]byte(raw), from, time.Now())
		if (got != "") != want {
			t.Errorf("%s: found=%v, want %v", name, got != "", want)
		}
		if got != "" && keyFingerprint(got) != keyFingerprint(pub) {
			t.Errorf("%s: found another key", name)
		}
	}
	plain := "Content-Type: text/plain; charset=utf-8\r\n"
	check("7bit", head+plain+"\r\n"+strings.ReplaceAll(text, "\n", "\r\n"), true)
	check("base64 text part", head+plain+"Content-Transfer-Encoding: base64\r\n\r\n"+b64Lines(text), true)
	check("quoted-printable, every byte encoded", head+plain+"Content-Transfer-Encoding: quoted-printable\r\n\r\n"+qpAll(text), true)
	multi := "Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n" + plain + "Content-Transfer-Encoding: base64\r\n\r\n" +
		b64Lines("see the attachment\n") + "--XX\r\nContent-Type: application/pgp-keys\r\nContent-Disposition: attachment; filename=\"key.asc\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + b64Lines(pub) + "--XX--\r\n"
	check("base64 application/pgp-keys attachment", head+multi, true)
	nested := "Content-Type: multipart/mixed; boundary=OUT\r\n\r\n--OUT\r\nContent-Type: multipart/alternative; boundary=IN\r\n\r\n--IN\r\n" +
		plain + "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + qpAll(text) + "\r\n--IN--\r\n--OUT--\r\n"
	check("quoted-printable inside nested multiparts", head+nested, true)
	check("a key for someone else", head+plain+"Content-Transfer-Encoding: base64\r\n\r\n"+b64Lines("key:\n"+other), false)
	check("no key", head+plain+"Content-Transfer-Encoding: base64\r\n\r\n"+b64Lines("just text\n"), false)
}

// TestKeyConfirmIsNotEmbargoed: the confirmation goes to an address whose
// key is not trusted yet, so it is signed only: its row must say so, or
// (by default, only ever encrypted) it could never be sent.
func TestKeyConfirmIsNotEmbargoed(t *testing.T) {
	if row, ok := outmail.RowOf(outmail.KeyConfirm); !ok || row.Clear != outmail.Always {
		t.Fatalf("%s is not always sent signed only (row %+v): it could never be sent", outmail.KeyConfirm, row)
	}
}

func TestTokens(t *testing.T) {
	tok, hash, err := newToken()
	if err != nil {
		t.Fatal(err)
	}
	tok2, _, _ := newToken()
	if !tokenRE.MatchString(tok) || tok == tok2 || hash != hashToken(tok) || strings.Contains(hash, tok) {
		t.Fatalf("token %q, %q, hash %q", tok, tok2, hash)
	}
	if !anyTokenMatches([]string{"SECBOT-KEY-AAAA", tok}, hash) || anyTokenMatches([]string{tok2}, hash) {
		t.Errorf("token matching is wrong")
	}
}

// TestOwnText: a token counts only in the sender's own text, before what
// they quote of the mail they answer.
func TestOwnText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"yes\nT\n", "yes\nT\n"},
		{"yes\nT\n\n> T\n", "yes\nT\n\n"},
		{"no!\n\n> T\n", "no!\n\n"},
		{"no!\r\n\r\n  > T\r\n", "no!\r\n\r\n"},
		{"no!\nOn Mon, 2 Mar 2026, Security team <s@x> wrote:\n  T\n", "no!\n"},
		{"no!\n-----Original Message-----\nT\n", "no!\n"},
		{"no!\n________________________________\nFrom: x\nT\n", "no!\n"},
		{"> T", ""},
		{"", ""},
	} {
		if got := string(ownText([]byte(tc.in))); got != tc.want {
			t.Errorf("ownText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
