package pgpmime

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

func TestGenerateAndReadKey(t *testing.T) {
	armored, err := GenerateKey("Robot", "security@example.org", "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(armored, "Version:") || strings.Contains(armored, "Comment:") {
		t.Errorf("armor headers leak the library:\n%s", armored)
	}
	priv, err := ReadKey([]byte(armored))
	if err != nil {
		t.Fatal(err)
	}
	pubArmored, err := priv.GetArmoredPublicKey()
	if err != nil {
		t.Fatal(err)
	}
	pubBinary, err := priv.GetPublicKey()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "robot.asc")
	if err := os.WriteFile(path, []byte(armored), 0o600); err != nil {
		t.Fatal(err)
	}
	fromFile, err := LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for name, data := range map[string][]byte{"armored public": []byte(pubArmored), "binary public": pubBinary} {
		k, err := ReadKey(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if k.IsPrivate() || k.GetFingerprint() != priv.GetFingerprint() {
			t.Fatalf("%s: wrong key", name)
		}
		if err := UsableForEncryption(k, now); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := UsableForSigning(k, now); !errors.Is(err, ErrKeyUnusable) {
			t.Fatalf("%s: public key usable for signing: %v", name, err)
		}
	}
	if fromFile.GetFingerprint() != priv.GetFingerprint() {
		t.Fatal("LoadKeyFile read another key")
	}
	if err := UsableForSigning(priv, now); err != nil {
		t.Fatal(err)
	}
	info := Inspect(priv, now)
	if info.Fingerprint != strings.ToUpper(priv.GetFingerprint()) || len(info.Fingerprint) != 40 ||
		len(info.UserIDs) != 1 || info.UserIDs[0] != "Robot <security@example.org>" ||
		!info.Expires.IsZero() || info.Revoked || !info.CanEncrypt || !info.CanSign || !info.IsPrivate ||
		now.Sub(info.Created) > time.Minute {
		t.Fatalf("Inspect: %+v", info)
	}
}

func TestReadKeyErrors(t *testing.T) {
	for _, in := range []string{"", "garbage", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n"} {
		if _, err := ReadKey([]byte(in)); err == nil {
			t.Errorf("ReadKey(%q) succeeded", in)
		}
	}
	if _, err := LoadKeyFile(filepath.Join(t.TempDir(), "missing.asc")); err == nil {
		t.Error("LoadKeyFile of a missing file succeeded")
	}
	if _, err := GenerateKey("x", "x@example.org", "dsa"); err == nil {
		t.Error("unknown algorithm accepted")
	}
}

func TestGenerateRSA(t *testing.T) {
	if testing.Short() {
		t.Skip("RSA-4096 generation is slow")
	}
	armored, err := GenerateKey("Robot", "security@example.org", "rsa4096")
	if err != nil {
		t.Fatal(err)
	}
	k, err := ReadKey([]byte(armored))
	if err != nil {
		t.Fatal(err)
	}
	if bits, _ := k.GetEntity().PrimaryKey.BitLength(); bits != 4096 {
		t.Fatalf("%d bits", bits)
	}
	if err := UsableForEncryption(k, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestUsability(t *testing.T) {
	now := time.Now()
	created := now.Add(-48 * time.Hour)
	expiring := newTimedKey(t, "Expiring", created, 24*time.Hour)
	revoked := newTimedKey(t, "Revoked", created, 0)
	if err := revoked.GetEntity().RevokeKey(packet.KeySuperseded, "new key", &packet.Config{Time: func() time.Time { return now.Add(-time.Hour) }}); err != nil {
		t.Fatal(err)
	}
	noSubkey := newTimedKey(t, "Signonly", created, 0)
	noSubkey.GetEntity().Subkeys = nil
	locked, err := newKey(t, "Locked").Lock([]byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		k           *crypto.Key
		at          time.Time
		encrypt     error
		sign        error
		wantExpires bool
	}{
		{"expired now", expiring, now, ErrKeyExpired, ErrKeyExpired, true},
		{"valid before expiry", expiring, created.Add(time.Hour), nil, nil, true},
		{"not yet created", expiring, created.Add(-time.Hour), ErrKeyExpired, ErrKeyExpired, true},
		{"revoked", revoked, now, ErrKeyRevoked, ErrKeyRevoked, false},
		{"before revocation", revoked, now.Add(-2 * time.Hour), nil, nil, false},
		{"user ID revoked", revokedUserID(t, newTimedKey(t, "Gone", created, 0), now.Add(-time.Hour)), now, ErrKeyRevoked, ErrKeyRevoked, false},
		{"no encryption subkey", noSubkey, now, ErrKeyUnusable, nil, false},
		{"locked private key", locked, now, nil, ErrKeyUnusable, false},
		{"nil key", nil, now, ErrKeyUnusable, ErrKeyUnusable, false},
	}
	check := func(what string, got, want error) {
		t.Helper()
		if !errors.Is(got, want) || (want == nil) != (got == nil) {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	for _, tc := range tests {
		check(tc.name+": encryption", UsableForEncryption(tc.k, tc.at), tc.encrypt)
		check(tc.name+": signing", UsableForSigning(tc.k, tc.at), tc.sign)
		if tc.k == nil {
			continue
		}
		info := Inspect(tc.k, tc.at)
		if info.Expires.IsZero() == tc.wantExpires || info.CanEncrypt != (tc.encrypt == nil) ||
			info.Revoked != errors.Is(tc.encrypt, ErrKeyRevoked) {
			t.Errorf("%s: Inspect %+v", tc.name, info)
		}
	}
	if got := Inspect(expiring, now).Expires; !got.Equal(created.Add(24 * time.Hour).Truncate(time.Second)) {
		t.Errorf("Expires %v", got)
	}
}

// TestInspectNamesThePrimaryUserIDFirst checks that the primary user ID
// (the one made with the key, flagged primary) comes first, even when
// one added later sorts before it.
func TestInspectNamesThePrimaryUserIDFirst(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := newTimedKey(t, "Zed", created, 0)
	later := &packet.Config{Time: func() time.Time { return created.Add(time.Hour) }}
	if err := k.GetEntity().AddUserId("Alice", "", "alice@example.org", later); err != nil {
		t.Fatal(err)
	}
	got := Inspect(k, created.Add(2*time.Hour)).UserIDs
	want := []string{"Zed <zed@example.org>", "Alice <alice@example.org>"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("UserIDs %q, want %q", got, want)
	}
}
