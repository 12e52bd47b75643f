package pgpmime

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

const mailHead = "From: reporter@example.org\r\nTo: security@example.org\r\nSubject: report\r\nMessage-ID: <r1@example.org>\r\n"

func textMail(body string) []byte {
	return []byte(mailHead + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body)
}

func armoredEncrypt(t *testing.T, text string, to, signer *crypto.Key) string {
	t.Helper()
	var signers *crypto.KeyRing
	if signer != nil {
		signers = ring(t, signer)
	}
	m, err := ring(t, publicOf(t, to)).Encrypt(crypto.NewPlainMessage([]byte(text)), signers)
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.GetArmoredWithCustomHeaders("", "")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func clearsigned(t *testing.T, text string, k *crypto.Key) string {
	t.Helper()
	var b bytes.Buffer
	w, err := clearsign.Encode(&b, k.GetEntity().PrivateKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(text))
	w.Close()
	return b.String()
}

func TestOpenInline(t *testing.T) {
	robot, alice, mallory := newKey(t, "Robot"), newKey(t, "Alice"), newKey(t, "Mallory")
	secret := "Steps to reproduce:\n- run ./poc\n"
	enc := armoredEncrypt(t, secret, alice, robot)
	cs := clearsigned(t, secret, robot)
	tests := []struct {
		name      string
		msg       []byte
		encrypted bool
		signed    bool
		valid     bool
		wantText  string
	}{
		{"encrypted and signed", textMail("Hi,\r\n\r\n" + enc + "\r\ninjected text\r\n"), true, true, true, secret},
		{"encrypted and signed, LF", textMail(strings.ReplaceAll(enc, "\r\n", "\n")), true, true, true, secret},
		{"clearsigned", textMail("Hello\r\n" + cs), false, true, true, secret},
		{"clearsigned, tampered", textMail(strings.Replace(cs, "./poc", "./rm", 1)), false, true, false, "./rm"},
		{"clearsigned by stranger", textMail(clearsigned(t, secret, mallory)), false, true, false, secret},
		{"encrypted only", textMail(armoredEncrypt(t, secret, alice, nil)), true, false, false, secret},
		{"quoted-printable body", []byte(mailHead + "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
			strings.ReplaceAll(enc, "=", "=3D")), true, true, true, secret},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := Open(tc.msg, ring(t, alice), ring(t, publicOf(t, robot)))
			if err != nil {
				t.Fatal(err)
			}
			if o.Format != "inline" || o.Encrypted != tc.encrypted || o.Signed != tc.signed || o.SignatureValid != tc.valid {
				t.Fatalf("got %+v", o)
			}
			if (o.SignatureError == nil) != (tc.valid || !tc.signed) {
				t.Fatalf("SignatureError %v", o.SignatureError)
			}
			checkBody(t, o.Message, "")
			if !strings.Contains(bodyText(t, o.Message), strings.ReplaceAll(tc.wantText, "\n", "\r\n")) {
				t.Fatalf("body %q lacks %q", bodyText(t, o.Message), tc.wantText)
			}
			if strings.Contains(string(o.Message), "injected") || strings.Contains(bodyText(t, o.Message), "Hi,") {
				t.Fatal("unprotected text kept")
			}
			if h := headerOf(t, o.Message); h.Get("Subject") != "report" || h.Get("Message-Id") != "<r1@example.org>" {
				t.Fatalf("headers lost:\n%s", o.Message)
			}
		})
	}
}

func bodyText(t *testing.T, msg []byte) string {
	t.Helper()
	e, err := parseEntity(msg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := decodeTransfer(e.header.Get("Content-Transfer-Encoding"), e.body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestOpenUnwrapped(t *testing.T) {
	for name, msg := range map[string][]byte{
		"plain":           textMail("hello\r\n"),
		"quoted armor":    textMail("> -----BEGIN PGP MESSAGE-----\r\n> xyz\r\n"),
		"smime signed":    []byte(mailHead + "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n"),
		"html":            []byte(mailHead + "Content-Type: text/html\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n"),
		"bad type header": []byte(mailHead + "Content-Type: ;;;\r\n\r\nx"),
		"no body":         []byte(mailHead),
		"LF only":         []byte("Subject: x\n\nbody\n"),
	} {
		o, err := Open(msg, nil, nil)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !bytes.Equal(o.Message, msg) || o.Format != "" || o.Signed || o.Encrypted {
			t.Errorf("%s: got %+v", name, o)
		}
	}
}

func TestOpenMalformed(t *testing.T) {
	robot, alice := newKey(t, "Robot"), newKey(t, "Alice")
	good, err := Encrypt(textMail("secret\r\n"), []*crypto.Key{alice}, robot)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := Sign(textMail("signed\r\n"), robot)
	if err != nil {
		t.Fatal(err)
	}
	boundary := func(msg []byte) string {
		e, _ := parseEntity(msg)
		_, p, _ := e.contentType()
		return p["boundary"]
	}
	cut := func(msg []byte, marker string, before int) []byte {
		i := bytes.Index(msg, []byte(marker)) - before
		return msg[:i:i]
	}
	enc := func(body string) []byte {
		return []byte(mailHead + "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=b\r\n\r\n" + body)
	}
	tests := map[string]struct {
		msg  []byte
		want error
	}{
		"truncated armor":     {append(cut(good, "-----END PGP MESSAGE-----", 80), "\r\n--"+boundary(good)+"--\r\n"...), ErrMalformed},
		"missing close":       {cut(good, "\r\n--"+boundary(good)+"--", 0), ErrMalformed},
		"boundary absent":     {bytes.Replace(good, []byte(boundary(good)), []byte("other"), 1), ErrMalformed},
		"no boundary param":   {bytes.Replace(enc("--b\r\n\r\nx\r\n--b--\r\n"), []byte("; boundary=b"), nil, 1), ErrMalformed},
		"one part":            {enc("--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b--\r\n"), ErrMalformed},
		"wrong part type":     {bytes.Replace(good, []byte("application/octet-stream"), []byte("text/plain"), 1), ErrMalformed},
		"garbage armor":       {enc("--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n\r\n!!!!\r\n-----END PGP MESSAGE-----\r\n--b--\r\n"), ErrMalformed},
		"signature truncated": {append(cut(signed, "-----END PGP SIGNATURE-----", 40), "\r\n--"+boundary(signed)+"--\r\n"...), ErrMalformed},
		"inline truncated":    {textMail(armoredEncrypt(t, "x", alice, nil)[:200]), ErrMalformed},
		"clearsign truncated": {textMail(clearsigned(t, "x", robot)[:150]), ErrMalformed},
		"too large":           {append(textMail(""), make([]byte, MaxMessageSize)...), ErrTooLarge},
		"not for us":          {good, ErrNotForUs},
	}
	for name, tc := range tests {
		dec := ring(t, alice)
		if name == "not for us" {
			dec = nil
		}
		o, err := Open(tc.msg, dec, ring(t, publicOf(t, robot)))
		if !errors.Is(err, tc.want) || o != nil {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}

func TestOpenCorruptSignatureIsNoError(t *testing.T) {
	robot := newKey(t, "Robot")
	signed, err := Sign(textMail("signed\r\n"), robot)
	if err != nil {
		t.Fatal(err)
	}
	// Valid armor around a packet that is no signature.
	junk := "-----BEGIN PGP SIGNATURE-----\r\n\r\nyAN0ZXN0\r\n=Xl0Q\r\n-----END PGP SIGNATURE-----\r\n"
	start := bytes.Index(signed, []byte("-----BEGIN PGP SIGNATURE-----"))
	end := bytes.Index(signed, []byte("-----END PGP SIGNATURE-----\r\n")) + len("-----END PGP SIGNATURE-----\r\n")
	msg := append(append(append([]byte{}, signed[:start]...), junk...), signed[end:]...)
	o, err := Open(msg, nil, ring(t, robot))
	if err != nil {
		if errors.Is(err, ErrMalformed) && strings.Contains(err.Error(), "armor") {
			t.Skipf("test armor checksum wrong: %v", err)
		}
		t.Fatal(err)
	}
	if !o.Signed || o.SignatureValid || !errors.Is(o.SignatureError, ErrBadSignature) {
		t.Fatalf("got %+v", o)
	}
}

func TestOpenNesting(t *testing.T) {
	alice := newKey(t, "Alice")
	msg := textMail("deep\r\n")
	for i := 1; i <= maxDepth+1; i++ {
		var err error
		msg, err = Encrypt(msg, []*crypto.Key{alice}, nil)
		if err != nil {
			t.Fatal(err)
		}
		o, err := Open(msg, ring(t, alice), nil)
		if i <= maxDepth {
			if err != nil || !strings.Contains(bodyText(t, o.Message), "deep") {
				t.Fatalf("%d levels: %v", i, err)
			}
			continue
		}
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("%d levels: %v", i, err)
		}
	}
}
