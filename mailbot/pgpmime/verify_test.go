package pgpmime

import (
	"bytes"
	stdcrypto "crypto"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ProtonMail/gopenpgp/v2/armor"
	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

// signedAt builds a multipart/signed mail signed by k at the given time,
// bypassing Sign (which always signs now).
func signedAt(t *testing.T, k *crypto.Key, at time.Time, hash stdcrypto.Hash) []byte {
	t.Helper()
	e, err := parseEntity(toCRLF([]byte(plainMail)))
	if err != nil {
		t.Fatal(err)
	}
	content := contentEntity(e)
	var sig bytes.Buffer
	cfg := &packet.Config{Time: func() time.Time { return at }, DefaultHash: hash}
	if err := openpgp.DetachSign(&sig, k.GetEntity(), bytes.NewReader(content), cfg); err != nil {
		t.Fatal(err)
	}
	armored, err := armor.ArmorWithTypeAndCustomHeaders(sig.Bytes(), "PGP SIGNATURE", "", "")
	if err != nil {
		t.Fatal(err)
	}
	out, err := writeSigned(outerHeader(e.header, nil), content, []byte(armored), "pgp-sha256")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSignatureTime checks that keys are judged at signature time, except
// revocation, which is judged now.
func TestSignatureTime(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	created := now.Add(-72 * time.Hour)
	k := newTimedKey(t, "Signer", created, 0)

	// The same key as the verifier would know it after it set a 24h
	// lifetime: signatures made after that are made with an expired key.
	expiring := publicOf(t, k)
	lifetime := uint32(24 * 3600)
	expiring.GetEntity().PrimaryIdentity().SelfSignature.KeyLifetimeSecs = &lifetime

	revokedLater := func(reason packet.ReasonForRevocation) *crypto.Key {
		c, err := k.Copy()
		if err != nil {
			t.Fatal(err)
		}
		cfg := &packet.Config{Time: func() time.Time { return now.Add(-time.Hour) }}
		if err := c.GetEntity().RevokeKey(reason, "", cfg); err != nil {
			t.Fatal(err)
		}
		return publicOf(t, c)
	}
	tests := []struct {
		name    string
		at      time.Time
		verify  *crypto.Key
		hash    stdcrypto.Hash
		wantErr error
	}{
		{"fresh", now.Add(-time.Minute), publicOf(t, k), stdcrypto.SHA256, nil},
		{"sha384", now.Add(-time.Minute), publicOf(t, k), stdcrypto.SHA384, nil},
		{"signed while valid, expired since", created.Add(time.Hour), expiring, stdcrypto.SHA256, nil},
		{"signed after expiry", now.Add(-time.Minute), expiring, stdcrypto.SHA256, ErrKeyExpired},
		{"signed before a revocation", now.Add(-2 * time.Hour), revokedLater(packet.KeySuperseded), stdcrypto.SHA256, ErrKeyRevoked},
		{"key compromised", now.Add(-2 * time.Hour), revokedLater(packet.KeyCompromised), stdcrypto.SHA256, ErrKeyRevoked},
		{"from the future", now.Add(2 * time.Hour), publicOf(t, k), stdcrypto.SHA256, ErrSignatureTime},
		{"slightly ahead clock", now.Add(10 * time.Minute), publicOf(t, k), stdcrypto.SHA256, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := OpenAt(signedAt(t, k, tc.at, tc.hash), nil, ring(t, tc.verify), now)
			if err != nil {
				t.Fatal(err)
			}
			if !errors.Is(o.SignatureError, tc.wantErr) || (tc.wantErr == nil) != o.SignatureValid {
				t.Fatalf("valid=%v error=%v, want %v", o.SignatureValid, o.SignatureError, tc.wantErr)
			}
			if !o.Signed || !o.SignatureTime.Equal(tc.at) {
				t.Fatalf("signature time %v, want %v", o.SignatureTime, tc.at)
			}
			if o.SignatureValid != (o.SignerFingerprint == strings.ToUpper(k.GetFingerprint())) {
				t.Fatalf("signer %q", o.SignerFingerprint)
			}
		})
	}
}

// TestSignerIsTheVerifyingKey checks that a valid signature is attributed to
// the key that verified it when the verify ring holds several.
func TestSignerIsTheVerifyingKey(t *testing.T) {
	a, b, c := newKey(t, "A"), newKey(t, "B"), newKey(t, "C")
	signed, err := Sign([]byte(plainMail), b)
	if err != nil {
		t.Fatal(err)
	}
	o, err := Open(signed, nil, ring(t, publicOf(t, a), publicOf(t, b), publicOf(t, c)))
	if err != nil || !o.SignatureValid || o.SignerFingerprint != strings.ToUpper(b.GetFingerprint()) {
		t.Fatalf("got %+v, %v", o, err)
	}
}
