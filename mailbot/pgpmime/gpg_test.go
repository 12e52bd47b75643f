package pgpmime

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/internal/gpgtest"
)

// gpgHome is a throw-away GnuPG home (gpgtest.Home) with this
// package's helpers.
type gpgHome struct {
	*gpgtest.Home
	t *testing.T
}

func newGPG(t *testing.T) *gpgHome {
	t.Helper()
	h := gpgtest.New(t)
	h.Args = []string{"--trust-model", "always"}
	return &gpgHome{Home: h, t: t}
}

// importKey imports a secbot key (secret part when private).
func (g *gpgHome) importKey(k *crypto.Key) {
	g.t.Helper()
	armored, err := k.Armor()
	if err != nil {
		g.t.Fatal(err)
	}
	g.Must([]byte(armored), "--import")
}

// genKey makes a GnuPG key (ed25519 primary, cv25519 subkey) and returns it
// as secbot reads the exported public key.
func (g *gpgHome) genKey(uid string) *crypto.Key {
	g.t.Helper()
	g.Must(nil, "--quick-gen-key", uid, "future-default", "default", "never")
	pub, _ := g.Must(nil, "--armor", "--export", uid)
	k, err := ReadKey(pub)
	if err != nil {
		g.t.Fatalf("read gpg key: %v\n%s", err, pub)
	}
	return k
}

// TestGPGReadsEncrypt: gpg decrypts what Encrypt produced and verifies the
// robot's signature inside it.
func TestGPGReadsEncrypt(t *testing.T) {
	g := newGPG(t)
	robot, reporter := newKey(t, "Robot"), newKey(t, "Reporter")
	g.importKey(reporter)
	g.importKey(publicOf(t, robot))
	in := mixedMail(t, []byte("diff --git a/x b/x\n"))
	enc, err := Encrypt(in, []*crypto.Key{publicOf(t, reporter)}, robot)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := parseEntity(enc)
	_, params, _ := e.contentType()
	parts, err := splitMultipart(e.body, params["boundary"], 2)
	if err != nil {
		t.Fatal(err)
	}
	armored, err := partOfType(parts[1], "application/octet-stream")
	if err != nil {
		t.Fatal(err)
	}
	plain, status := g.Must(armored, "--decrypt")
	inner, _ := parseEntity(toCRLF(in))
	if !bytes.Equal(plain, contentEntity(inner)) {
		t.Fatalf("gpg decrypted\n%q\nwant\n%q", plain, contentEntity(inner))
	}
	fpr := strings.ToUpper(robot.GetFingerprint())
	if !strings.Contains(status, "[GNUPG:] GOODSIG") || !strings.Contains(status, "[GNUPG:] VALIDSIG "+fpr) {
		t.Fatalf("gpg status lacks GOODSIG/VALIDSIG %s:\n%s", fpr, status)
	}
	noNotation(t, status)
}

// noNotation fails when gpg reports a signature notation: gpgme-based
// clients (neomutt) print it in the signature block.
func noNotation(t *testing.T, status string) {
	t.Helper()
	if strings.Contains(status, "NOTATION_NAME") {
		t.Errorf("gpg reports a signature notation:\n%s", status)
	}
}

// TestGPGVerifiesSign: gpg verifies the detached signature of Sign's output
// over the first body part.
func TestGPGVerifiesSign(t *testing.T) {
	g := newGPG(t)
	robot := newKey(t, "Robot")
	g.importKey(publicOf(t, robot))
	signed, err := Sign([]byte(plainMail), robot)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := parseEntity(signed)
	_, params, _ := e.contentType()
	parts, err := splitMultipart(e.body, params["boundary"], 2)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := partOfType(parts[1], "application/pgp-signature")
	if err != nil {
		t.Fatal(err)
	}
	dataFile, sigFile := filepath.Join(g.Dir, "part"), filepath.Join(g.Dir, "part.asc")
	os.WriteFile(dataFile, parts[0], 0o600)
	os.WriteFile(sigFile, sig, 0o600)
	_, status := g.Must(nil, "--verify", sigFile, dataFile)
	if !strings.Contains(status, "VALIDSIG "+strings.ToUpper(robot.GetFingerprint())) {
		t.Fatalf("gpg status:\n%s", status)
	}
	noNotation(t, status)
}

// TestOpenReadsGPG: Open verifies and decrypts what GnuPG makes, in every
// form a reporter may send.
func TestOpenReadsGPG(t *testing.T) {
	g := newGPG(t)
	const uid = "Reporter <reporter@example.org>"
	reporter := g.genKey(uid)
	robot := newKey(t, "Robot")
	g.importKey(publicOf(t, robot))
	robotUID := "Robot <robot@example.org>"

	text := []byte("Steps to reproduce:\n-- not a signature\nrun ./poc   \n")
	clear, _ := g.Must(text, "--clearsign", "-u", uid)

	part := []byte("Content-Type: text/plain; charset=us-ascii\r\n\r\nSigned by gpg.\r\n-- \r\nReporter\r\n")
	detached, _ := g.Must(part, "--detach-sign", "--armor", "-u", uid)

	inline, _ := g.Must(text, "--encrypt", "--sign", "--armor", "-r", robotUID, "-u", uid)
	entity := []byte("Content-Type: text/plain; charset=utf-8\r\n\r\nEncrypted PGP/MIME from gpg.\r\n")
	pgpMIME, _ := g.Must(entity, "--encrypt", "--sign", "--armor", "-r", robotUID, "-u", uid)

	tests := []struct {
		name      string
		msg       []byte
		encrypted bool
		want      string
	}{
		{"clearsigned", textMail(string(clear)), false, "run ./poc"},
		{"multipart/signed", signedMail(part, detached), false, "Signed by gpg."},
		{"inline encrypted and signed", textMail(string(inline)), true, "run ./poc"},
		{"pgp/mime encrypted and signed", encryptedMail(pgpMIME), true, "Encrypted PGP/MIME from gpg."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := Open(tc.msg, ring(t, robot), ring(t, reporter))
			if err != nil {
				t.Fatal(err)
			}
			if !o.Signed || !o.SignatureValid || o.SignatureError != nil || o.Encrypted != tc.encrypted {
				t.Fatalf("got %+v", o)
			}
			if o.SignerFingerprint != strings.ToUpper(reporter.GetFingerprint()) {
				t.Fatalf("signer %s, want %s", o.SignerFingerprint, reporter.GetFingerprint())
			}
			if time.Since(o.SignatureTime) > time.Minute {
				t.Fatalf("signature time %v", o.SignatureTime)
			}
			if !strings.Contains(bodyText(t, o.Message), tc.want) {
				t.Fatalf("message lacks %q:\n%s", tc.want, o.Message)
			}
			if tc.name == "multipart/signed" {
				if e, _ := parseEntity(o.Message); !bytes.Equal(contentEntity(e), part) {
					t.Fatalf("signed part changed:\n%q", contentEntity(e))
				}
			}
		})
	}
}

// signedMail hand-builds RFC 3156 section 5 around a gpg signature.
func signedMail(part, sig []byte) []byte {
	var b bytes.Buffer
	b.WriteString(mailHead)
	b.WriteString("Content-Type: multipart/signed; micalg=pgp-sha512; protocol=\"application/pgp-signature\"; boundary=\"sig\"\r\n\r\n")
	b.WriteString("--sig\r\n")
	b.Write(part)
	b.WriteString("\r\n--sig\r\nContent-Type: application/pgp-signature\r\n\r\n")
	b.Write(toCRLF(sig))
	b.WriteString("\r\n--sig--\r\n")
	return b.Bytes()
}

// encryptedMail hand-builds RFC 3156 section 4 around a gpg message.
func encryptedMail(armored []byte) []byte {
	var b bytes.Buffer
	b.WriteString(mailHead)
	b.WriteString("Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"enc\"\r\n\r\n")
	b.WriteString("--enc\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n")
	b.WriteString("--enc\r\nContent-Type: application/octet-stream\r\n\r\n")
	b.Write(toCRLF(armored))
	b.WriteString("\r\n--enc--\r\n")
	return b.Bytes()
}
