package pgpmime

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

// KeyInfo describes a key as judged at one point in time.
type KeyInfo struct {
	Fingerprint string    // primary key fingerprint, upper hex, no spaces
	UserIDs     []string  // primary user ID first, then the others sorted
	Created     time.Time // primary key creation time
	Expires     time.Time // primary key expiry; zero means never
	Revoked     bool      // key or primary user ID revoked
	CanEncrypt  bool      // has a valid encryption (sub)key
	CanSign     bool      // has a valid signing (sub)key (public part suffices)
	IsPrivate   bool      // holds private key material
}

// Inspect describes k as of now; a nil key gives a zero KeyInfo.
func Inspect(k *crypto.Key, now time.Time) KeyInfo {
	if k == nil || k.GetEntity() == nil {
		return KeyInfo{}
	}
	e := k.GetEntity()
	info := KeyInfo{
		Fingerprint: fingerprint(e),
		UserIDs:     userIDs(e),
		Created:     e.PrimaryKey.CreationTime,
		Revoked:     entityRevoked(e, now),
		IsPrivate:   e.PrivateKey != nil,
	}
	if sig, _ := e.PrimarySelfSignature(); sig != nil && sig.KeyLifetimeSecs != nil && *sig.KeyLifetimeSecs != 0 {
		info.Expires = e.PrimaryKey.CreationTime.Add(time.Duration(*sig.KeyLifetimeSecs) * time.Second)
	}
	_, info.CanEncrypt = e.EncryptionKey(now)
	_, info.CanSign = e.SigningKey(now)
	return info
}

// UsableForEncryption says why mail to k cannot be encrypted at now, or nil.
func UsableForEncryption(k *crypto.Key, now time.Time) error {
	if err := checkPrimary(k, now); err != nil {
		return fmt.Errorf("key usable for encryption: %w", err)
	}
	if _, ok := k.GetEntity().EncryptionKey(now); !ok {
		return fmt.Errorf("key usable for encryption: %s has no valid encryption subkey: %w",
			fingerprint(k.GetEntity()), ErrKeyUnusable)
	}
	return nil
}

// UsableForSigning says why k cannot sign at now, or nil. Signing needs the
// unlocked private part of a valid signing (sub)key.
func UsableForSigning(k *crypto.Key, now time.Time) error {
	if err := checkPrimary(k, now); err != nil {
		return fmt.Errorf("key usable for signing: %w", err)
	}
	sk, ok := k.GetEntity().SigningKey(now)
	if !ok {
		return fmt.Errorf("key usable for signing: %s has no valid signing key: %w",
			fingerprint(k.GetEntity()), ErrKeyUnusable)
	}
	if sk.PrivateKey == nil || sk.PrivateKey.Encrypted || sk.PrivateKey.Dummy() {
		return fmt.Errorf("key usable for signing: %s has no unlocked private signing key: %w",
			fingerprint(k.GetEntity()), ErrKeyUnusable)
	}
	return nil
}

// checkPrimary checks what makes every use of a key invalid: revocation and
// expiry of the primary key or of its primary user ID binding.
func checkPrimary(k *crypto.Key, now time.Time) error {
	if k == nil || k.GetEntity() == nil {
		return fmt.Errorf("no key: %w", ErrKeyUnusable)
	}
	e := k.GetEntity()
	fp := fingerprint(e)
	if entityRevoked(e, now) {
		return fmt.Errorf("%s is revoked: %w", fp, ErrKeyRevoked)
	}
	sig, _ := e.PrimarySelfSignature()
	if sig == nil {
		return fmt.Errorf("%s has no valid self-signature: %w", fp, ErrKeyUnusable)
	}
	if e.PrimaryKey.KeyExpired(sig, now) || sig.SigExpired(now) {
		return fmt.Errorf("%s is expired at %s: %w", fp, now.UTC().Format(time.RFC3339), ErrKeyExpired)
	}
	return nil
}

func entityRevoked(e *openpgp.Entity, now time.Time) bool {
	if e.Revoked(now) {
		return true
	}
	_, id := e.PrimarySelfSignature()
	return id != nil && id.Revoked(now)
}

// fingerprint is the primary key fingerprint in upper hex.
func fingerprint(e *openpgp.Entity) string {
	return strings.ToUpper(fmt.Sprintf("%x", e.PrimaryKey.Fingerprint))
}

func userIDs(e *openpgp.Entity) []string {
	var primary string
	if _, id := e.PrimarySelfSignature(); id != nil {
		primary = id.Name
	}
	var rest []string
	for name := range e.Identities {
		if name != primary {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	if primary == "" {
		return rest
	}
	return append([]string{primary}, rest...)
}
