package pgpmime

import (
	"errors"
	"time"
)

// Limits that bound the work Open does on hostile input.
const (
	// MaxMessageSize is the largest message Open accepts, and the largest
	// plaintext it will decrypt or decompress.
	MaxMessageSize = 64 << 20
	// maxDepth bounds nested wrapping (encrypted inside encrypted, signed
	// inside encrypted, ...). Real mail uses at most two levels.
	maxDepth = 4
	// maxSignatures bounds the signature packets checked for one message.
	maxSignatures = 16
	// maxKeyPackets bounds the public-key encrypted session key packets of
	// one message: each one may cost a private-key operation.
	maxKeyPackets = 64
	// maxClockSkew is how far in the future a signature may claim to be made.
	maxClockSkew = time.Hour
	// maxKeyFileSize bounds LoadKeyFile.
	maxKeyFileSize = 1 << 20
)

// ErrNotForUs means the message is encrypted, but to none of our keys.
var ErrNotForUs = errors.New("pgpmime: not encrypted to any of our keys")

// ErrMalformed means a broken PGP/MIME structure, armor or OpenPGP packet
// stream (including a failed integrity check of the ciphertext).
var ErrMalformed = errors.New("pgpmime: malformed openpgp message")

// ErrTooLarge means the input, or its decrypted or decompressed content, is
// larger than MaxMessageSize.
var ErrTooLarge = errors.New("pgpmime: message too large")

// Key usability errors, returned (wrapped) by UsableForEncryption and
// UsableForSigning, and used in Opened.SignatureError for signing keys.
var (
	// ErrKeyExpired means the key is expired (or not yet valid) at the time checked.
	ErrKeyExpired = errors.New("pgpmime: key expired")
	// ErrKeyRevoked means the key, its primary user ID or the subkey is revoked.
	ErrKeyRevoked = errors.New("pgpmime: key revoked")
	// ErrKeyUnusable means the key has no valid subkey for the operation,
	// or lacks (unlocked) private material for it.
	ErrKeyUnusable = errors.New("pgpmime: key unusable")
)

// Signature verification failures, found wrapped in Opened.SignatureError.
var (
	// ErrUnknownKey means no key of the verify keyring made the signature.
	ErrUnknownKey = errors.New("pgpmime: signature by unknown key")
	// ErrBadSignature means the signature does not verify, is malformed or
	// uses a hash we do not accept.
	ErrBadSignature = errors.New("pgpmime: bad signature")
	// ErrSignatureTime means the signature claims to be made in the future.
	ErrSignatureTime = errors.New("pgpmime: signature created in the future")
)
