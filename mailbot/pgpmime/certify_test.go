package pgpmime

import (
	"testing"
	"time"
)

// TestCertify: a new key certified by an old one carries a certification
// that verifies against the old key, survives armoring and reading back,
// and is not mistaken for one by a third key.
func TestCertify(t *testing.T) {
	gen := func() string {
		a, err := GenerateKey("Robot", "security@example.org", "")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	oldKey, _ := ReadKey([]byte(gen()))
	newKey, _ := ReadKey([]byte(gen()))
	other, _ := ReadKey([]byte(gen()))
	if CertifiedBy(newKey, oldKey) {
		t.Fatal("a fresh key is certified by the old one")
	}
	cert, err := Certify(newKey, oldKey, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	armored, err := cert.ArmorWithCustomHeaders("", "")
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadKey([]byte(armored))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := back.ToPublic()
	if err != nil {
		t.Fatal(err)
	}
	if !CertifiedBy(back, oldKey) || !CertifiedBy(pub, oldKey) {
		t.Error("the certification by the old key is lost after armoring, or in the public key")
	}
	if CertifiedBy(back, other) {
		t.Error("certified by a key that never signed it")
	}
	if back.GetFingerprint() != newKey.GetFingerprint() || !back.IsPrivate() {
		t.Error("certifying changed the key")
	}
}
