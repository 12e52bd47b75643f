package pgpmime

import (
	"bytes"
	"io"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

// TestSignaturesCarryNoNotation: neither a detached signature (Sign) nor
// the signature inside an encrypted mail (Encrypt) carries a notation.
// go-crypto adds a binary salt notation by default, which mail clients
// print as garbage in the signature block.
func TestSignaturesCarryNoNotation(t *testing.T) {
	robot, reporter := newKey(t, "Robot"), newKey(t, "Reporter")
	check := func(name string, sig *packet.Signature) {
		t.Helper()
		if sig == nil {
			t.Fatalf("%s: no signature", name)
		}
		for _, n := range sig.Notations {
			t.Errorf("%s: signature carries notation %q (%d bytes)", name, n.Name, len(n.Value))
		}
	}

	signed, err := Sign([]byte(plainMail), robot)
	if err != nil {
		t.Fatal(err)
	}
	sigs, err := readSignatures(unarmorT(t, mimePart(t, signed, "application/pgp-signature")))
	if err != nil {
		t.Fatal(err)
	}
	check("Sign", sigs[0])

	enc, err := Encrypt([]byte(plainMail), []*crypto.Key{publicOf(t, reporter)}, robot)
	if err != nil {
		t.Fatal(err)
	}
	md, err := openpgp.ReadMessage(bytes.NewReader(unarmorT(t, mimePart(t, enc, "application/octet-stream"))),
		openpgp.EntityList{reporter.GetEntity(), robot.GetEntity()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(md.UnverifiedBody); err != nil {
		t.Fatal(err)
	}
	if md.SignatureError != nil {
		t.Fatalf("Encrypt: signature: %v", md.SignatureError)
	}
	check("Encrypt", md.Signature)
}

// mimePart is the body of the second part of a two-part PGP/MIME mail,
// which must be of type want.
func mimePart(t *testing.T, mail []byte, want string) []byte {
	t.Helper()
	e, err := parseEntity(mail)
	if err != nil {
		t.Fatal(err)
	}
	_, params, _ := e.contentType()
	parts, err := splitMultipart(e.body, params["boundary"], 2)
	if err != nil || len(parts) != 2 {
		t.Fatalf("split: %v (%d parts)", err, len(parts))
	}
	body, err := partOfType(parts[1], want)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func unarmorT(t *testing.T, armored []byte) []byte {
	t.Helper()
	b, err := armor.Decode(bytes.NewReader(armored))
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(b.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
