package pgpmime

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"
	"github.com/emersion/go-message/mail"
)

func TestEncryptOpenRoundTrip(t *testing.T) {
	robot, alice, mallory := newKey(t, "Robot"), newKey(t, "Alice"), newKey(t, "Mallory")
	stranger := newKey(t, "Stranger")

	tests := []struct {
		name      string
		signed    bool
		decrypt   bool // decrypt with alice's key, else with the stranger's
		verifyBy  string
		wantErr   error
		wantValid bool
		wantSigEr error
	}{
		{name: "signed, known signer", signed: true, decrypt: true, verifyBy: "robot", wantValid: true},
		{name: "unsigned", decrypt: true, verifyBy: "robot"},
		{name: "signed, unknown signer", signed: true, decrypt: true, verifyBy: "mallory", wantSigEr: ErrUnknownKey},
		{name: "signed, empty verify ring", signed: true, decrypt: true, wantSigEr: ErrUnknownKey},
		{name: "wrong key", signed: true, verifyBy: "robot", wantErr: ErrNotForUs},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			signer := robot
			if !tc.signed {
				signer = nil
			}
			enc, err := Encrypt([]byte(plainMail), []*crypto.Key{publicOf(t, alice), mallory}, signer)
			if err != nil {
				t.Fatal(err)
			}
			dec := ring(t, stranger)
			if tc.decrypt {
				dec = ring(t, alice)
			}
			verify := ring(t)
			switch tc.verifyBy {
			case "robot":
				verify = ring(t, publicOf(t, robot))
			case "mallory":
				verify = ring(t, publicOf(t, mallory))
			}
			o, err := Open(enc, dec, verify)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Open error %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if !o.Encrypted || o.Format != "pgp-mime" || o.Signed != tc.signed || o.SignatureValid != tc.wantValid {
				t.Fatalf("got %+v", o)
			}
			if !errors.Is(o.SignatureError, tc.wantSigEr) || (tc.wantSigEr == nil) != (o.SignatureError == nil) {
				t.Fatalf("SignatureError %v, want %v", o.SignatureError, tc.wantSigEr)
			}
			if tc.wantValid && o.SignerFingerprint != strings.ToUpper(robot.GetFingerprint()) {
				t.Fatalf("signer %s, want robot %s", o.SignerFingerprint, robot.GetFingerprint())
			}
			if !tc.wantValid && o.SignerFingerprint != "" {
				t.Fatalf("unverified signature names signer %s", o.SignerFingerprint)
			}
			if tc.signed && o.SignatureTime.IsZero() {
				t.Fatal("no signature time")
			}
			checkSameContent(t, o.Message, []byte(plainMail))
			checkBody(t, o.Message, "From the start: été\r\ntrailing spaces\r\n")
		})
	}
}

// checkBody parses msg with go-message and compares the first text part.
func checkBody(t *testing.T, msg []byte, wantSuffix string) {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(p.Body)
	if !strings.HasSuffix(string(body), wantSuffix) {
		t.Fatalf("body %q, want suffix %q", body, wantSuffix)
	}
}

// checkSameContent checks that got carries want's content entity byte for
// byte (in CRLF form) and want's outer header fields.
func checkSameContent(t *testing.T, got, want []byte) {
	t.Helper()
	ge, err := parseEntity(got)
	if err != nil {
		t.Fatal(err)
	}
	we, err := parseEntity(toCRLF(want))
	if err != nil {
		t.Fatal(err)
	}
	if g, w := contentEntity(ge), contentEntity(we); !bytes.Equal(g, w) {
		t.Fatalf("content entity\n%q\nwant\n%q", g, w)
	}
	if g, w := outerHeader(ge.header, nil), outerHeader(we.header, nil); !bytes.Equal(g, w) {
		t.Fatalf("outer header\n%s\nwant\n%s", g, w)
	}
}

func TestSignOpen(t *testing.T) {
	robot, mallory := newKey(t, "Robot"), newKey(t, "Mallory")
	signed, err := Sign([]byte(plainMail), robot)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(signed, []byte("micalg=pgp-sha512;")) {
		t.Fatalf("micalg missing or not sha512:\n%s", signed)
	}
	tamper := func(from, to string) []byte {
		t.Helper()
		if !bytes.Contains(signed, []byte(from)) {
			t.Fatalf("%q not in message", from)
		}
		return bytes.Replace(signed, []byte(from), []byte(to), 1)
	}
	tests := []struct {
		name      string
		msg       []byte
		verify    *crypto.Key
		wantValid bool
		wantErr   error
	}{
		{"valid", signed, robot, true, nil},
		{"valid with LF line ends", bytes.ReplaceAll(signed, []byte("\r\n"), []byte("\n")), robot, true, nil},
		{"tampered body", tamper("Hello,=20", "Hullo,=20"), robot, false, ErrBadSignature},
		{"tampered part header", tamper("charset=utf-8", "charset=latin1"), robot, false, ErrBadSignature},
		{"unknown key", signed, mallory, false, ErrUnknownKey},
		{"subject change is outside the signature", tamper("heap overflow", "stack overflow"), robot, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := Open(tc.msg, nil, ring(t, publicOf(t, tc.verify)))
			if err != nil {
				t.Fatal(err)
			}
			if o.Encrypted || !o.Signed || o.Format != "pgp-mime" || o.SignatureValid != tc.wantValid {
				t.Fatalf("got %+v", o)
			}
			if !errors.Is(o.SignatureError, tc.wantErr) || (tc.wantErr == nil) != (o.SignatureError == nil) {
				t.Fatalf("SignatureError %v, want %v", o.SignatureError, tc.wantErr)
			}
			if tc.wantValid != (o.SignerFingerprint == strings.ToUpper(robot.GetFingerprint())) {
				t.Fatalf("signer %q", o.SignerFingerprint)
			}
			if tc.wantValid {
				checkBody(t, o.Message, "From the start: été\r\ntrailing spaces\r\n")
			}
		})
	}
}

// TestSignedPartByteIdentical checks RFC 3156 section 5: the first part of
// multipart/signed is exactly the bytes signed.
func TestSignedPartByteIdentical(t *testing.T) {
	robot := newKey(t, "Robot")
	signed, err := Sign([]byte(plainMail), robot)
	if err != nil {
		t.Fatal(err)
	}
	e, err := parseEntity(signed)
	if err != nil {
		t.Fatal(err)
	}
	_, params, _ := e.contentType()
	parts, err := splitMultipart(e.body, params["boundary"], 2)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := parseEntity(toCRLF([]byte(plainMail)))
	if !bytes.Equal(parts[0], contentEntity(in)) {
		t.Fatalf("signed part\n%q\nwant\n%q", parts[0], contentEntity(in))
	}
	if bytes.Contains(signed, []byte("\n")) && bytes.Count(signed, []byte("\n")) != bytes.Count(signed, []byte("\r\n")) {
		t.Fatal("output has bare LF")
	}
}

func TestThreadHeadersKept(t *testing.T) {
	robot, alice := newKey(t, "Robot"), newKey(t, "Alice")
	in := mixedMail(t, []byte("patch"))
	enc, err := Encrypt(in, []*crypto.Key{alice}, robot)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := Sign(in, robot)
	if err != nil {
		t.Fatal(err)
	}
	want := headerOf(t, in)
	for name, out := range map[string][]byte{"encrypt": enc, "sign": signed} {
		got := headerOf(t, out)
		for _, k := range []string{"Message-Id", "In-Reply-To", "References", "Subject", "From", "To", "Date", "Mime-Version"} {
			if got.Get(k) != want.Get(k) || got.Get(k) == "" {
				t.Errorf("%s: %s = %q, want %q", name, k, got.Get(k), want.Get(k))
			}
		}
		if n := len(got.Values("Content-Type")); n != 1 {
			t.Errorf("%s: %d Content-Type fields", name, n)
		}
	}
}

func TestAttachmentsSurvive(t *testing.T) {
	robot, alice := newKey(t, "Robot"), newKey(t, "Alice")
	attachment := make([]byte, 5000)
	for i := range attachment {
		attachment[i] = byte(i * 7)
	}
	in := mixedMail(t, attachment)
	enc, err := Encrypt(in, []*crypto.Key{publicOf(t, alice)}, robot)
	if err != nil {
		t.Fatal(err)
	}
	o, err := Open(enc, ring(t, alice), ring(t, publicOf(t, robot)))
	if err != nil {
		t.Fatal(err)
	}
	if !o.SignatureValid {
		t.Fatalf("signature: %v", o.SignatureError)
	}
	checkSameContent(t, o.Message, in)
	r, err := mail.CreateReader(bytes.NewReader(o.Message))
	if err != nil {
		t.Fatal(err)
	}
	for {
		p, err := r.NextPart()
		if err != nil {
			t.Fatalf("attachment not found: %v", err)
		}
		if h, ok := p.Header.(*mail.AttachmentHeader); ok {
			name, _ := h.Filename()
			body, _ := io.ReadAll(p.Body)
			if name != "fix.patch" || !bytes.Equal(body, attachment) {
				t.Fatalf("attachment %q differs", name)
			}
			return
		}
	}
}

// TestSignedInsideEncrypted covers RFC 3156 section 6.1: multipart/signed
// inside multipart/encrypted.
func TestSignedInsideEncrypted(t *testing.T) {
	robot, alice := newKey(t, "Robot"), newKey(t, "Alice")
	signed, err := Sign([]byte(plainMail), robot)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := Encrypt(signed, []*crypto.Key{alice}, nil)
	if err != nil {
		t.Fatal(err)
	}
	o, err := Open(enc, ring(t, alice), ring(t, publicOf(t, robot)))
	if err != nil {
		t.Fatal(err)
	}
	if !o.Encrypted || !o.Signed || !o.SignatureValid || o.SignerFingerprint != strings.ToUpper(robot.GetFingerprint()) {
		t.Fatalf("got %+v", o)
	}
	checkSameContent(t, o.Message, []byte(plainMail))
}

func TestEncryptRefusesUnusableKeys(t *testing.T) {
	alice := newKey(t, "Alice")
	expired := newTimedKey(t, "Old", time.Now().Add(-48*time.Hour), time.Hour)
	if _, err := Encrypt([]byte(plainMail), nil, nil); err == nil {
		t.Fatal("no recipients accepted")
	}
	if _, err := Encrypt([]byte(plainMail), []*crypto.Key{alice, expired}, nil); !errors.Is(err, ErrKeyExpired) {
		t.Fatalf("expired recipient: %v", err)
	}
	if _, err := Encrypt([]byte(plainMail), []*crypto.Key{alice}, publicOf(t, alice)); !errors.Is(err, ErrKeyUnusable) {
		t.Fatalf("public signer: %v", err)
	}
	if _, err := Sign([]byte(plainMail), expired); !errors.Is(err, ErrKeyExpired) {
		t.Fatalf("expired signer: %v", err)
	}
}
