package pgpmime

import (
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

// FuzzOpen feeds arbitrary mail to Open. Seeds live in
// testdata/fuzz/FuzzOpen; more are made here with the fuzz keys so that
// mutations reach decryption and verification.
func FuzzOpen(f *testing.F) {
	// Keys are made once per fuzz process, never in the loop.
	robot, alice := newKey(f, "Robot"), newKey(f, "Alice")
	decrypt, verify := ring(f, alice), ring(f, publicOf(f, robot))
	for _, seed := range fuzzSeeds(f, robot, alice) {
		f.Add(seed)
	}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, msg []byte) {
		o, err := OpenAt(msg, decrypt, verify, now)
		if err != nil {
			if strings.Contains(err.Error(), "internal panic") {
				t.Fatalf("panic: %v", err)
			}
			if o != nil {
				t.Fatal("result with error")
			}
			return
		}
		if o.SignatureValid && (!o.Signed || o.SignerFingerprint == "" || o.SignatureError != nil) {
			t.Fatalf("inconsistent valid signature: %+v", o)
		}
		if !o.SignatureValid && o.SignerFingerprint != "" {
			t.Fatalf("signer named without valid signature: %+v", o)
		}
		if o.Signed && !o.SignatureValid && o.SignatureError == nil {
			t.Fatalf("invalid signature without reason: %+v", o)
		}
		if o.Format == "" && (o.Encrypted || o.Signed || string(o.Message) != string(msg)) {
			t.Fatalf("unwrapped message changed: %+v", o)
		}
	})
}

func fuzzSeeds(f *testing.F, robot, alice *crypto.Key) [][]byte {
	msg := []byte(plainMail)
	enc, err := Encrypt(msg, []*crypto.Key{alice}, robot)
	if err != nil {
		f.Fatal(err)
	}
	signed, err := Sign(msg, robot)
	if err != nil {
		f.Fatal(err)
	}
	both, err := Encrypt(signed, []*crypto.Key{alice}, nil)
	if err != nil {
		f.Fatal(err)
	}
	m, err := ring(f, publicOf(f, alice)).Encrypt(crypto.NewPlainMessage([]byte("inline\n")), ring(f, robot))
	if err != nil {
		f.Fatal(err)
	}
	armored, err := m.GetArmoredWithCustomHeaders("", "")
	if err != nil {
		f.Fatal(err)
	}
	return [][]byte{enc, signed, both, textMail(armored), textMail(armored[:len(armored)/2])}
}
