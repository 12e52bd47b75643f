package pgpmime

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

// decrypted is the content of one OpenPGP message.
type decrypted struct {
	plaintext []byte
	encrypted bool // false for a message that is only signed
	sig       sigResult
}

// decryptionRing lends go-crypto our private keys for decryption only. It
// offers no key for signature checks: those run afterwards in
// verifySignatures, against the verify keyring and at signature time.
type decryptionRing struct{ keys openpgp.EntityList }

func (r decryptionRing) KeysById(id uint64) []openpgp.Key { return r.keys.KeysById(id) }

func (r decryptionRing) KeysByIdUsage(uint64, byte) []openpgp.Key { return nil }

func (r decryptionRing) DecryptionKeys() []openpgp.Key { return r.keys.DecryptionKeys() }

// entities unwraps a gopenpgp keyring; nil gives an empty list.
func entities(ring *crypto.KeyRing) openpgp.EntityList {
	if ring == nil {
		return nil
	}
	var el openpgp.EntityList
	for _, k := range ring.GetKeys() {
		el = append(el, k.GetEntity())
	}
	return el
}

// dearmor decodes one armored block of the given type.
func dearmor(armored []byte, types ...string) ([]byte, error) {
	block, err := armor.Decode(bytes.NewReader(armored))
	if err != nil {
		return nil, fmt.Errorf("armor: %w: %w", ErrMalformed, err)
	}
	if !contains(types, block.Type) {
		return nil, fmt.Errorf("armor: %w: unexpected block type %q", ErrMalformed, block.Type)
	}
	data, err := readAtMost(block.Body, MaxMessageSize)
	if err != nil {
		return nil, fmt.Errorf("armor: %w", err)
	}
	return data, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// decryptMessage decrypts (if encrypted) and checks the signatures of one
// binary OpenPGP message. A bad signature is reported in the result, not as
// an error; the plaintext is only returned once fully read, i.e. after the
// integrity check (MDC or AEAD) passed.
func decryptMessage(data []byte, decrypt, verify openpgp.EntityList, arrived time.Time) (*decrypted, error) {
	if err := checkKeyPackets(data); err != nil {
		return nil, err
	}
	// go-crypto's limit bounds the decompression of packets that
	// ReadMessage skips on its way to the literal data, which readAtMost
	// never sees.
	limit := int64(MaxMessageSize)
	config := &packet.Config{MaxDecompressedMessageSize: &limit}
	md, err := openpgp.ReadMessage(bytes.NewReader(data), decryptionRing{decrypt}, nil, config)
	if err != nil {
		return nil, classifyReadError(err)
	}
	plaintext, err := readAtMost(md.UnverifiedBody, MaxMessageSize)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	d := &decrypted{plaintext: plaintext, encrypted: md.IsEncrypted}
	if md.IsSigned {
		d.sig = verifySignatures(plaintext, md.UnverifiedSignatures, verify, arrived)
	}
	return d, nil
}

func classifyReadError(err error) error {
	switch {
	case errors.Is(err, pgperrors.ErrKeyIncorrect):
		return fmt.Errorf("decrypt: %w", ErrNotForUs)
	case errors.Is(err, pgperrors.ErrMessageTooLarge):
		return fmt.Errorf("decrypt: %w", ErrTooLarge)
	}
	return fmt.Errorf("decrypt: %w: %w", ErrMalformed, err)
}

// checkKeyPackets refuses messages with more session key packets than any
// real mail has: each may cost a private-key operation in ReadMessage.
func checkKeyPackets(data []byte) error {
	packets := packet.NewReader(bytes.NewReader(data))
	for n := 0; ; {
		p, err := packets.Next()
		if err != nil {
			return nil // ReadMessage reports it
		}
		switch p.(type) {
		case *packet.EncryptedKey, *packet.SymmetricKeyEncrypted:
			n++
			if n > maxKeyPackets {
				return fmt.Errorf("decrypt: %w: more than %d session key packets", ErrMalformed, maxKeyPackets)
			}
		default:
			return nil
		}
	}
}
