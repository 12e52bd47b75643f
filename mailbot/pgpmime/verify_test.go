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
	return signedWith(t, func(content []byte) []byte { return signPacket(t, k, at, hash, content) })
}

// signedWith builds a multipart/signed mail of plainMail whose signature
// part holds the packets sigs returns for the signed content.
func signedWith(t *testing.T, sigs func(content []byte) []byte) []byte {
	t.Helper()
	e, err := parseEntity(toCRLF([]byte(plainMail)))
	if err != nil {
		t.Fatal(err)
	}
	content := contentEntity(e)
	armored, err := armor.ArmorWithTypeAndCustomHeaders(sigs(content), "PGP SIGNATURE", "", "")
	if err != nil {
		t.Fatal(err)
	}
	out, err := writeSigned(outerHeader(e.header, nil), content, []byte(armored), "pgp-sha256")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// signPacket is k's binary signature packet over content, made at at.
func signPacket(t *testing.T, k *crypto.Key, at time.Time, hash stdcrypto.Hash, content []byte) []byte {
	t.Helper()
	var sig bytes.Buffer
	cfg := &packet.Config{Time: func() time.Time { return at }, DefaultHash: hash}
	if err := openpgp.DetachSign(&sig, k.GetEntity(), bytes.NewReader(content), cfg); err != nil {
		t.Fatal(err)
	}
	return sig.Bytes()
}

// TestSignatureTime checks that the signing key must be valid both at the
// signature's own time and when the mail arrived, and that a revocation the
// verifier knows counts whatever its date.
func TestSignatureTime(t *testing.T) {
	arrived := time.Now().Truncate(time.Second)
	created := arrived.Add(-72 * time.Hour)
	k := newTimedKey(t, "Signer", created, 0)
	// The same key with a 24h lifetime: it expired 48h before arrival.
	expiring := newTimedKey(t, "Expiring", created, 24*time.Hour)
	expiry := created.Add(24 * time.Hour)
	// A key that signs with a subkey that expires 48h before arrival.
	// k as the verifier knows it after its holder shortened its lifetime
	// to 24h: go-crypto signs with it after that all the same.
	shortened := publicOf(t, k)
	lifetime := uint32(24 * 3600)
	shortened.GetEntity().PrimaryIdentity().SelfSignature.KeyLifetimeSecs = &lifetime
	subExpiring := withSigningSubkey(t, newTimedKey(t, "Sub", created, 0), created, 24*time.Hour)

	revoked := func(k *crypto.Key, reason packet.ReasonForRevocation, at time.Time) *crypto.Key {
		c := copyKey(t, k)
		cfg := &packet.Config{Time: func() time.Time { return at }}
		if err := c.GetEntity().RevokeKey(reason, "", cfg); err != nil {
			t.Fatal(err)
		}
		return publicOf(t, c)
	}
	// A key whose self-signature (not the key) expires after 24h.
	selfSigExpiring := newSigLifetimeKey(t, "Selfsig", created, 24*time.Hour)
	subSigner := withSigningSubkey(t, newTimedKey(t, "Subsigner", created, 0), created, 0)
	subRevoked := func(at time.Time) *crypto.Key {
		c := copyKey(t, subSigner)
		e := c.GetEntity()
		cfg := &packet.Config{Time: func() time.Time { return at }}
		if err := e.RevokeSubkey(&e.Subkeys[len(e.Subkeys)-1], packet.KeyRetired, "", cfg); err != nil {
			t.Fatal(err)
		}
		return publicOf(t, c)
	}
	tests := []struct {
		name    string
		signer  *crypto.Key
		at      time.Time // the signature's own time
		arrived time.Time // zero: arrived
		verify  *crypto.Key
		hash    stdcrypto.Hash
		wantErr error
	}{
		{"fresh", k, arrived.Add(-time.Minute), time.Time{}, publicOf(t, k), stdcrypto.SHA256, nil},
		{"sha384", k, arrived.Add(-time.Minute), time.Time{}, publicOf(t, k), stdcrypto.SHA384, nil},
		{"signed and arrived while valid", expiring, expiry.Add(-time.Hour), expiry.Add(-time.Minute), publicOf(t, expiring), stdcrypto.SHA256, nil},
		{"signed while valid, arrived after expiry", expiring, created.Add(time.Hour), time.Time{}, publicOf(t, expiring), stdcrypto.SHA256, ErrKeyExpired},
		{"signed while valid, arrived at the second of expiry", expiring, expiry.Add(-time.Hour), expiry, publicOf(t, expiring), stdcrypto.SHA256, nil},
		{"signed while valid, arrived a second after expiry", expiring, expiry.Add(-time.Hour), expiry.Add(time.Second), publicOf(t, expiring), stdcrypto.SHA256, ErrKeyExpired},
		{"signed after expiry", k, expiry.Add(time.Hour), expiry.Add(2 * time.Hour), shortened, stdcrypto.SHA256, ErrKeyExpired},
		{"subkey signed while valid, arrived after its expiry", subExpiring, created.Add(time.Hour), time.Time{}, publicOf(t, subExpiring), stdcrypto.SHA256, ErrKeyExpired},
		{"subkey signed and arrived while valid", subExpiring, created.Add(time.Hour), created.Add(2 * time.Hour), publicOf(t, subExpiring), stdcrypto.SHA256, nil},
		{"revoked before signing", k, arrived.Add(-time.Hour), time.Time{}, revoked(k, packet.KeySuperseded, arrived.Add(-2*time.Hour)), stdcrypto.SHA256, ErrKeyRevoked},
		{"revoked after signing", k, arrived.Add(-2 * time.Hour), time.Time{}, revoked(k, packet.KeySuperseded, arrived.Add(-time.Hour)), stdcrypto.SHA256, ErrKeyRevoked},
		{"revocation dated after arrival", k, arrived.Add(-2 * time.Hour), time.Time{}, revoked(k, packet.KeyRetired, arrived.Add(24*time.Hour)), stdcrypto.SHA256, ErrKeyRevoked},
		{"key compromised", k, arrived.Add(-2 * time.Hour), time.Time{}, revoked(k, packet.KeyCompromised, arrived.Add(-time.Hour)), stdcrypto.SHA256, ErrKeyRevoked},
		{"subkey revoked after signing", subSigner, arrived.Add(-2 * time.Hour), time.Time{}, subRevoked(arrived.Add(-time.Hour)), stdcrypto.SHA256, ErrKeyRevoked},
		{"subkey revocation dated after arrival", subSigner, arrived.Add(-2 * time.Hour), time.Time{}, subRevoked(arrived.Add(time.Hour)), stdcrypto.SHA256, ErrKeyRevoked},
		{"user ID revoked after signing", k, arrived.Add(-2 * time.Hour), time.Time{}, revokedUserID(t, k, arrived.Add(-time.Hour)), stdcrypto.SHA256, ErrKeyRevoked},
		{"self-signature expired before arrival", selfSigExpiring, created.Add(time.Hour), time.Time{}, publicOf(t, selfSigExpiring), stdcrypto.SHA256, ErrKeyExpired},
		{"self-signature valid at arrival", selfSigExpiring, created.Add(time.Hour), expiry, publicOf(t, selfSigExpiring), stdcrypto.SHA256, nil},
		{"from the future", k, arrived.Add(2 * time.Hour), time.Time{}, publicOf(t, k), stdcrypto.SHA256, ErrSignatureTime},
		{"slightly ahead clock", k, arrived.Add(10 * time.Minute), time.Time{}, publicOf(t, k), stdcrypto.SHA256, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at := tc.arrived
			if at.IsZero() {
				at = arrived
			}
			o, err := OpenAt(signedAt(t, tc.signer, tc.at, tc.hash), nil, ring(t, tc.verify), at)
			if err != nil {
				t.Fatal(err)
			}
			if !errors.Is(o.SignatureError, tc.wantErr) || (tc.wantErr == nil) != o.SignatureValid {
				t.Fatalf("valid=%v error=%v, want %v", o.SignatureValid, o.SignatureError, tc.wantErr)
			}
			if !o.Signed || !o.SignatureTime.Equal(tc.at) {
				t.Fatalf("signature time %v, want %v", o.SignatureTime, tc.at)
			}
			if o.SignatureValid != (o.SignerFingerprint == strings.ToUpper(tc.signer.GetFingerprint())) {
				t.Fatalf("signer %q", o.SignerFingerprint)
			}
		})
	}
}

// TestExpiredAtArrivalSaysWhen checks that the error names the expiry and
// the arrival, for the transcript.
func TestExpiredAtArrivalSaysWhen(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := newTimedKey(t, "Expiring", created, 24*time.Hour)
	o, err := OpenAt(signedAt(t, k, created.Add(time.Hour), stdcrypto.SHA256), nil, ring(t, publicOf(t, k)), created.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := "expired at 2026-01-02T00:00:00Z, before the mail arrived at 2026-01-03T00:00:00Z"
	if o.SignatureError == nil || !strings.Contains(o.SignatureError.Error(), want) {
		t.Fatalf("error %v, want it to say %q", o.SignatureError, want)
	}
}

// withSigningSubkey adds a signing subkey made at created that expires
// after lifetime (0 = never); go-crypto then signs with it.
func withSigningSubkey(t *testing.T, k *crypto.Key, created time.Time, lifetime time.Duration) *crypto.Key {
	t.Helper()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, KeyLifetimeSecs: uint32(lifetime / time.Second),
		Time: func() time.Time { return created }}
	if err := k.GetEntity().AddSigningSubkey(cfg); err != nil {
		t.Fatal(err)
	}
	return k
}

func copyKey(t *testing.T, k *crypto.Key) *crypto.Key {
	t.Helper()
	c, err := k.Copy()
	if err != nil {
		t.Fatal(err)
	}
	return c
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

// newSigLifetimeKey makes a key created at created whose self-signatures
// expire after lifetime, while the key itself never does (RFC 9580
// section 5.2.3.18).
func newSigLifetimeKey(t *testing.T, name string, created time.Time, lifetime time.Duration) *crypto.Key {
	t.Helper()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, SigLifetimeSecs: uint32(lifetime / time.Second),
		Time: func() time.Time { return created }}
	e, err := openpgp.NewEntity(name, "", strings.ToLower(name)+"@example.org", cfg)
	if err != nil {
		t.Fatal(err)
	}
	k, err := crypto.NewKeyFromEntity(e)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// revokedUserID is the public part of k after its holder revoked its only
// user ID at at ("user ID no longer valid"), read back from its
// serialization so that go-crypto checks the revocation as it would a
// key from a file. go-crypto has no API that makes one.
func revokedUserID(t *testing.T, k *crypto.Key, at time.Time) *crypto.Key {
	t.Helper()
	c := copyKey(t, k)
	e := c.GetEntity()
	_, id := e.PrimarySelfSignature()
	reason := packet.ReasonForRevocation(32)
	sig := &packet.Signature{
		Version: e.PrimaryKey.Version, SigType: packet.SigTypeCertificationRevocation,
		PubKeyAlgo: e.PrimaryKey.PubKeyAlgo, Hash: stdcrypto.SHA256, CreationTime: at,
		IssuerKeyId: &e.PrimaryKey.KeyId, IssuerFingerprint: e.PrimaryKey.Fingerprint,
		RevocationReason: &reason,
	}
	cfg := &packet.Config{Time: func() time.Time { return at }}
	if err := sig.SignUserId(id.Name, e.PrimaryKey, e.PrivateKey, cfg); err != nil {
		t.Fatal(err)
	}
	id.Signatures = append(id.Signatures, sig)
	var buf bytes.Buffer
	if err := e.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	pub, err := crypto.NewKeyFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, id := pub.GetEntity().PrimarySelfSignature(); id == nil || len(id.Revocations) != 1 {
		t.Fatal("the user ID revocation did not survive reading the key")
	}
	return pub
}

// TestSignatureErrorKeepsTheReason checks that a signature that does not
// verify reports go-crypto's reason, not a bare "no signer".
func TestSignatureErrorKeepsTheReason(t *testing.T) {
	k := newKey(t, "Signer")
	now := time.Now()
	tampered := func(content []byte) []byte {
		return signPacket(t, k, now, stdcrypto.SHA256, append([]byte("forged "), content...))
	}
	tests := []struct {
		name string
		sigs func(content []byte) []byte
		want string
	}{
		{"forged", tampered, "openpgp: invalid signature"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := OpenAt(signedWith(t, tc.sigs), nil, ring(t, publicOf(t, k)), now)
			if err != nil {
				t.Fatal(err)
			}
			if o.SignatureValid || !errors.Is(o.SignatureError, ErrBadSignature) ||
				!strings.Contains(o.SignatureError.Error(), tc.want) {
				t.Fatalf("valid=%v error=%v, want %v saying %q", o.SignatureValid, o.SignatureError, ErrBadSignature, tc.want)
			}
		})
	}
}

// TestAtMostMaxSignaturesAreRead checks the bound on the signature packets
// checked for one message: a valid signature after maxSignatures others
// is never looked at, one at position maxSignatures is.
func TestAtMostMaxSignaturesAreRead(t *testing.T) {
	k, stranger := newKey(t, "Signer"), newKey(t, "Stranger")
	now := time.Now()
	tests := []struct {
		strangers int // signatures by an unknown key before k's
		valid     bool
	}{
		{0, true},
		{maxSignatures - 1, true},
		{maxSignatures, false},
	}
	for _, tc := range tests {
		sigs := func(content []byte) []byte {
			var all []byte
			for i := 0; i < tc.strangers; i++ {
				all = append(all, signPacket(t, stranger, now, stdcrypto.SHA256, content)...)
			}
			return append(all, signPacket(t, k, now, stdcrypto.SHA256, content)...)
		}
		o, err := OpenAt(signedWith(t, sigs), nil, ring(t, publicOf(t, k)), now)
		if err != nil {
			t.Fatal(err)
		}
		if o.SignatureValid != tc.valid || !tc.valid && !errors.Is(o.SignatureError, ErrUnknownKey) {
			t.Errorf("%d strangers first: valid=%v error=%v, want valid=%v", tc.strangers, o.SignatureValid, o.SignatureError, tc.valid)
		}
	}
}
