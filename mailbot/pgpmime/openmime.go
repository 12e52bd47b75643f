package pgpmime

import "fmt"

// openEncrypted unwraps RFC 3156 section 4 multipart/encrypted: exactly two
// parts, application/pgp-encrypted control information, then the armored
// OpenPGP message as application/octet-stream.
func (op *opener) openEncrypted(e *entity, boundary string) (*layer, error) {
	parts, err := splitMultipart(e.body, boundary, 2)
	if err != nil {
		return nil, fmt.Errorf("pgp/mime encrypted: %w: %w", ErrMalformed, err)
	}
	if len(parts) != 2 {
		return nil, fmt.Errorf("pgp/mime encrypted: %w: %d parts, want 2", ErrMalformed, len(parts))
	}
	if _, err := partOfType(parts[0], "application/pgp-encrypted"); err != nil {
		return nil, fmt.Errorf("pgp/mime encrypted: control part: %w", err)
	}
	armored, err := partOfType(parts[1], "application/octet-stream")
	if err != nil {
		return nil, fmt.Errorf("pgp/mime encrypted: data part: %w", err)
	}
	data, err := dearmor(armored, "PGP MESSAGE")
	if err != nil {
		return nil, fmt.Errorf("pgp/mime encrypted: %w", err)
	}
	d, err := decryptMessage(data, op.decrypt, op.verify, op.arrived)
	if err != nil {
		return nil, fmt.Errorf("pgp/mime encrypted: %w", err)
	}
	return &layer{entity: d.plaintext, encrypted: d.encrypted, format: "pgp-mime", sig: d.sig}, nil
}

// openSigned checks RFC 3156 section 5 multipart/signed. The signed data is
// the first part exactly as it appears in the message, in CRLF canonical
// form; it is never re-serialized.
func (op *opener) openSigned(e *entity, boundary string) (*layer, error) {
	parts, err := splitMultipart(e.body, boundary, 2)
	if err != nil {
		return nil, fmt.Errorf("pgp/mime signed: %w: %w", ErrMalformed, err)
	}
	if len(parts) != 2 {
		return nil, fmt.Errorf("pgp/mime signed: %w: %d parts, want 2", ErrMalformed, len(parts))
	}
	armored, err := partOfType(parts[1], "application/pgp-signature")
	if err != nil {
		return nil, fmt.Errorf("pgp/mime signed: signature part: %w", err)
	}
	// go-pgpmail armors detached signatures as "PGP MESSAGE"; accept both.
	sig, err := dearmor(armored, "PGP SIGNATURE", "PGP MESSAGE")
	if err != nil {
		return nil, fmt.Errorf("pgp/mime signed: %w", err)
	}
	signed := toCRLF(parts[0])
	res := verifyDetached(signed, sig, op.verify, op.arrived)
	return &layer{entity: signed, format: "pgp-mime", sig: res}, nil
}

// partOfType parses a raw body part, checks its media type and returns its
// body with the Content-Transfer-Encoding undone.
func partOfType(raw []byte, want string) ([]byte, error) {
	p, err := parseEntity(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	mediaType, _, err := p.contentType()
	if err != nil || mediaType != want {
		return nil, fmt.Errorf("%w: content type %q, want %s", ErrMalformed, p.header.Get("Content-Type"), want)
	}
	body, err := decodeTransfer(p.header.Get("Content-Transfer-Encoding"), p.body)
	if err != nil {
		return nil, fmt.Errorf("content-transfer-encoding: %w", err)
	}
	return body, nil
}
