package pgpmime

import (
	"fmt"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

// Certify signs every user id of key with signer (a certification
// signature, RFC 4880 section 5.2.1, type 0x10) and returns key with the
// certifications added: whoever trusts signer can check key by it. The
// robot's key rotation certifies the new key with the old one.
func Certify(key, signer *crypto.Key, now time.Time) (*crypto.Key, error) {
	k, err := key.Copy()
	if err != nil {
		return nil, fmt.Errorf("certify: copy key: %w", err)
	}
	cfg := &packet.Config{Time: func() time.Time { return now }}
	e := k.GetEntity()
	for id := range e.Identities {
		if err := e.SignIdentity(id, signer.GetEntity(), cfg); err != nil {
			return nil, fmt.Errorf("certify %q: %w", id, err)
		}
	}
	return k, nil
}

// CertifiedBy says whether some user id of key carries a valid
// certification made by signer's primary key.
func CertifiedBy(key, signer *crypto.Key) bool {
	e, s := key.GetEntity(), signer.GetEntity()
	for _, ident := range e.Identities {
		for _, sig := range ident.Signatures {
			if sig.IssuerKeyId == nil || *sig.IssuerKeyId != s.PrimaryKey.KeyId {
				continue
			}
			if s.PrimaryKey.VerifyUserIdSignature(ident.UserId.Id, e.PrimaryKey, sig) == nil {
				return true
			}
		}
	}
	return false
}
