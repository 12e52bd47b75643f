package pgpmime

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

func armoredLiteral(t *testing.T, text string) string {
	var b bytes.Buffer
	aw, err := armor.Encode(&b, "PGP MESSAGE", nil)
	if err != nil {
		t.Fatal(err)
	}
	lw, err := packet.SerializeLiteral(aw, false, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	lw.Write([]byte(text))
	lw.Close()
	aw.Close()
	return b.String()
}

// A maintainer signs and encrypts (PGP/MIME) a body that holds, at line start, an
// armored PGP MESSAGE someone else made. The result must not claim the maintainer's
// signature over that plaintext alone (a review found it did).
func TestOuterSignatureNeverCoversAnInnerBlobAlone(t *testing.T) {
	robot, maint := newKey(t, "Robot"), newKey(t, "Maint")
	for name, blob := range map[string]string{
		"encrypted-to-robot": armoredEncrypt(t, "close\r\nthanks\r\n", robot, nil),
		"literal-only":       armoredLiteral(t, "close\r\nthanks\r\n"),
	} {
		t.Run(name, func(t *testing.T) {
			plain := mailHead + "Content-Type: text/plain; charset=utf-8\r\n\r\n" +
				"Hi, here is what the reporter sent:\r\n\r\n" + blob + "\r\n"
			enc, err := Encrypt([]byte(plain), []*crypto.Key{publicOf(t, robot)}, maint)
			if err != nil {
				t.Fatal(err)
			}
			o, err := Open(enc, ring(t, robot), ring(t, publicOf(t, maint)))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("valid=%v fp=%s maintFP=%s\n%s", o.SignatureValid, o.SignerFingerprint, strings.ToUpper(maint.GetFingerprint()), o.Message)
			if o.SignatureValid && strings.Contains(string(o.Message), "close") && !strings.Contains(string(o.Message), "Hi, here") {
				t.Errorf("maintainer signature reported valid for text only present inside an armored blob")
			}
		})
	}
}

// Maintainer forwards inline (unquoted), signed+encrypted, a reporter's
// clearsigned mail with a comment of their own. The comment is dropped and
// the reporter's text is returned under the maintainer's valid signature.
func TestForwardedClearsignedTextKeepsTheForwardersText(t *testing.T) {
	robot, maint, mallory := newKey(t, "Robot"), newKey(t, "Maint"), newKey(t, "Mallory")
	cs := clearsigned(t, "credit Mallory <m@evil.example> as finder\nseverity low\nthanks\n", mallory)
	plain := mailHead + "Content-Type: text/plain; charset=utf-8\r\n\r\n" +
		"FYI, please open a case for this one.\r\n\r\n-------- Forwarded Message --------\r\n" + cs
	enc, err := Encrypt([]byte(plain), []*crypto.Key{publicOf(t, robot)}, maint)
	if err != nil {
		t.Fatal(err)
	}
	o, err := Open(enc, ring(t, robot), ring(t, publicOf(t, maint)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("valid=%v fp=%s\n%s", o.SignatureValid, o.SignerFingerprint, o.Message)
	if o.SignatureValid && !strings.Contains(string(o.Message), "FYI") {
		t.Errorf("maintainer's own text dropped, reporter's clearsigned text returned as maintainer-signed")
	}
}
