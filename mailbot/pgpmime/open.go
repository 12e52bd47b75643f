package pgpmime

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

// Opened is an incoming message with its OpenPGP protection removed.
type Opened struct {
	// Message is the effective message: the original top-level header
	// fields other than Content-* followed by the decrypted or unwrapped
	// content entity (CRLF line endings). Header fields of that entity
	// (e.g. protected headers) replace same-named outer ones. For inline
	// PGP only the text inside the armored block is kept: text around it
	// is neither encrypted nor signed. Message is the input itself when
	// nothing was wrapped.
	Message []byte
	// Encrypted says the content was encrypted.
	Encrypted bool
	// Format is how the outermost layer was protected: "", "pgp-mime" or "inline".
	Format string
	// Signed says a signature was present.
	Signed bool
	// SignatureValid says the signature verified against a key in the
	// verify keyring that was valid both when it signed and when the mail
	// arrived, and that the keyring knows no revocation of, whatever its date.
	SignatureValid bool
	// SignerFingerprint is the primary key fingerprint (upper hex) of the
	// key that verified; empty unless SignatureValid. Never from headers.
	SignerFingerprint string
	// SignatureTime is the creation time in the signature packet. It is
	// only authenticated when SignatureValid.
	SignatureTime time.Time
	// SignatureError says why the signature did not verify (wrapping
	// ErrUnknownKey, ErrBadSignature, ErrSignatureTime, ErrKeyExpired or
	// ErrKeyRevoked); nil when valid or unsigned.
	SignatureError error
}

// layer is one unwrapped level of protection.
type layer struct {
	entity    []byte // the content entity inside, CRLF
	encrypted bool
	format    string
	sig       sigResult
}

// opener carries what every level of Open needs.
type opener struct {
	decrypt openpgp.EntityList
	verify  openpgp.EntityList
	arrived time.Time // when the mail arrived: see OpenAt
}

// Open unwraps PGP/MIME multipart/encrypted (signed inside or not, either in
// the same OpenPGP message or as multipart/signed within), PGP/MIME
// multipart/signed, and inline armored or clearsigned text/plain bodies.
// decrypt may be nil: encrypted mail then gives ErrNotForUs. Only keys in
// verify make a signature valid. A bad or unverifiable signature is not an
// error: see Opened.SignatureError. Errors wrap ErrNotForUs, ErrMalformed or
// ErrTooLarge where they apply.
func Open(msg []byte, decrypt *crypto.KeyRing, verify *crypto.KeyRing) (*Opened, error) {
	return OpenAt(msg, decrypt, verify, time.Now())
}

// OpenAt is Open for a mail that arrived at arrived (Open takes the current
// time). A signing key must have been valid both at the signature's own
// time, which the signer chooses, and at arrived, which it does not; a
// signature dated more than an hour after arrived is refused. A revocation
// the verify keyring holds counts whatever its date.
func OpenAt(msg []byte, decrypt, verify *crypto.KeyRing, arrived time.Time) (o *Opened, err error) {
	defer func() {
		// Last line of defence for a mail robot reading hostile input: a
		// library panic becomes a malformed-message error.
		if r := recover(); r != nil {
			o, err = nil, fmt.Errorf("open: %w: internal panic: %v", ErrMalformed, r)
		}
	}()
	if len(msg) > MaxMessageSize {
		return nil, fmt.Errorf("open: %w", ErrTooLarge)
	}
	top, err := parseEntity(msg)
	if err != nil {
		return nil, fmt.Errorf("open: %w: %w", ErrMalformed, err)
	}
	op := &opener{decrypt: entities(decrypt), verify: entities(verify), arrived: arrived}
	l, err := op.open(top, 0)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	if l == nil {
		return &Opened{Message: msg}, nil
	}
	return l.opened(top)
}

// open unwraps e if it is protected; nil means it is not.
func (op *opener) open(e *entity, depth int) (*layer, error) {
	mediaType, params, err := e.contentType()
	if err != nil {
		return nil, nil // an unreadable Content-Type is no PGP/MIME
	}
	var unwrap func() (*layer, error)
	switch {
	case mediaType == "multipart/encrypted" && strings.EqualFold(params["protocol"], "application/pgp-encrypted"):
		unwrap = func() (*layer, error) { return op.openEncrypted(e, params["boundary"]) }
	case mediaType == "multipart/signed" && strings.EqualFold(params["protocol"], "application/pgp-signature"):
		unwrap = func() (*layer, error) { return op.openSigned(e, params["boundary"]) }
	case mediaType == "text/plain":
		// Checks depth itself: most text/plain is not inline PGP.
		unwrap = func() (*layer, error) { return op.openInline(e, params["charset"], depth) }
	default:
		return nil, nil
	}
	if err := checkDepth(depth); err != nil && mediaType != "text/plain" {
		return nil, err
	}
	l, err := unwrap()
	if l == nil || err != nil || !l.encrypted {
		return l, err
	}
	return op.openInner(l, depth)
}

// checkDepth bounds nesting, so hostile mail cannot make Open loop through
// layer after layer.
func checkDepth(depth int) error {
	if depth >= maxDepth {
		return fmt.Errorf("%w: nested deeper than %d levels", ErrMalformed, maxDepth)
	}
	return nil
}

// openInner unwraps what was encrypted: PGP/MIME may sign inside the
// encryption (RFC 3156 section 6.1).
func (op *opener) openInner(l *layer, depth int) (*layer, error) {
	inner, err := parseEntity(l.entity)
	if err != nil {
		return nil, fmt.Errorf("decrypted entity: %w: %w", ErrMalformed, err)
	}
	il, err := op.open(inner, depth+1)
	if il == nil || err != nil {
		return l, err
	}
	// The content and the signature that vouches for it are replaced
	// together, never one alone: a valid outer signature must not end up
	// attached to an inner text its signer did not sign (say, a forwarded
	// clearsigned mail). With a valid outer signature and an inner layer
	// that is not itself validly signed, the whole signed plaintext stays.
	if il.sig.valid || !l.sig.signed {
		l.entity, l.sig = il.entity, il.sig
	}
	return l, nil
}

// opened assembles the result: outer header fields, then the content entity.
func (l *layer) opened(top *entity) (*Opened, error) {
	inner, err := parseEntity(l.entity)
	if err != nil {
		return nil, fmt.Errorf("open: content entity: %w: %w", ErrMalformed, err)
	}
	skip := map[string]bool{}
	fields := inner.header.Fields()
	for fields.Next() {
		skip[strings.ToLower(fields.Key())] = true
	}
	var msg bytes.Buffer
	msg.Write(outerHeader(top.header, skip))
	msg.Write(toCRLF(l.entity))
	return &Opened{
		Message:           msg.Bytes(),
		Encrypted:         l.encrypted,
		Format:            l.format,
		Signed:            l.sig.signed,
		SignatureValid:    l.sig.valid,
		SignerFingerprint: l.sig.fingerprint,
		SignatureTime:     l.sig.created,
		SignatureError:    l.sig.err,
	}, nil
}
