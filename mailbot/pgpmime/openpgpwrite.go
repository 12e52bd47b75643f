package pgpmime

import (
	"bytes"
	stdcrypto "crypto"
	"errors"
	"fmt"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

// writeConfig is the OpenPGP configuration of every signature and
// encryption secbot makes. It goes to go-crypto directly, because
// gopenpgp v2 builds its own and cannot turn off what this one does:
//
// go-crypto adds a non-critical "salt@notations.openpgpjs.org" notation
// with random binary bytes to every v4 signature by default. Mail clients
// (neomutt with gpgme) print it as garbage in the signature block, and
// it protects only against fault attacks on the signing machine, which
// secbot's deterministic EdDSA and RSA signatures do not need to defend
// against over the network. GnuPG never adds it and verifies without it.
func writeConfig(now time.Time) *packet.Config {
	off := false
	return &packet.Config{
		DefaultHash:                           stdcrypto.SHA512,
		DefaultCipher:                         packet.CipherAES256,
		Time:                                  func() time.Time { return now },
		NonDeterministicSignaturesViaNotation: &off,
	}
}

// detachSign makes a binary detached signature of data by signer.
func detachSign(data []byte, signer *crypto.Key, now time.Time) ([]byte, error) {
	if err := UsableForSigning(signer, now); err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	var out bytes.Buffer
	if err := openpgp.DetachSign(&out, signer.GetEntity(), bytes.NewReader(data), writeConfig(now)); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return out.Bytes(), nil
}

// encryptTo encrypts data to every key in to, signed by signer unless it
// is nil, as one binary OpenPGP message (a session key for each key).
func encryptTo(data []byte, to []*crypto.Key, signer *crypto.Key, now time.Time) ([]byte, error) {
	recipients, err := recipientEntities(to, now)
	if err != nil {
		return nil, err
	}
	var signEntity *openpgp.Entity
	if signer != nil {
		if err := UsableForSigning(signer, now); err != nil {
			return nil, fmt.Errorf("signer: %w", err)
		}
		signEntity = signer.GetEntity()
	}
	var out bytes.Buffer
	w, err := openpgp.Encrypt(&out, recipients, signEntity, &openpgp.FileHints{IsBinary: true}, writeConfig(now))
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	return out.Bytes(), nil
}

// recipientEntities checks every recipient key and returns its public
// part, so that a locked private key can be a recipient too.
func recipientEntities(to []*crypto.Key, now time.Time) ([]*openpgp.Entity, error) {
	if len(to) == 0 {
		return nil, errors.New("no recipient keys")
	}
	out := make([]*openpgp.Entity, 0, len(to))
	for _, k := range to {
		if err := UsableForEncryption(k, now); err != nil {
			return nil, fmt.Errorf("recipient: %w", err)
		}
		pub, err := publicPart(k)
		if err != nil {
			return nil, fmt.Errorf("recipient %s: %w", fingerprint(k.GetEntity()), err)
		}
		out = append(out, pub.GetEntity())
	}
	return out, nil
}
