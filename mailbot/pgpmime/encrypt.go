package pgpmime

import (
	"bytes"
	"fmt"
	"mime"
	"strings"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/armor"
	"github.com/ProtonMail/gopenpgp/v2/constants"
	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

// Encrypt wraps msg, a complete RFC 5322 message, as PGP/MIME
// multipart/encrypted (RFC 3156 section 4). Header fields other than
// Content-* stay on the outer message unchanged (Message-ID, threading,
// Subject...); the encrypted payload is the MIME entity made of msg's
// Content-* fields and body, so attachments survive. The payload is encrypted
// to every key in to and, unless signer is nil, signed by signer in the same
// OpenPGP message (RFC 3156 section 6.2). The result uses CRLF line endings.
func Encrypt(msg []byte, to []*crypto.Key, signer *crypto.Key) ([]byte, error) {
	return EncryptHidingSubject(msg, to, signer, "")
}

// EncryptHidingSubject is Encrypt, but when outerSubject is not empty the
// real Subject travels only inside the encryption, as a protected header
// (the "protected-headers" convention that Thunderbird and others read),
// and the outer, readable Subject becomes outerSubject: a subject line
// can give an embargo away.
func EncryptHidingSubject(msg []byte, to []*crypto.Key, signer *crypto.Key, outerSubject string) ([]byte, error) {
	e, err := parseEntity(toCRLF(msg))
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	inner := contentEntity(e)
	outer := outerHeader(e.header, nil)
	if outerSubject != "" {
		inner = protectSubject(e, inner)
		outer = append(outerHeader(e.header, map[string]bool{"subject": true}), "Subject: "+outerSubject+"\r\n"...)
	}
	sealed, err := encryptTo(inner, to, signer, time.Now())
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	// No Version or Comment armor headers (they only leak the library).
	armored, err := armor.ArmorWithTypeAndCustomHeaders(sealed, constants.PGPMessageHeader, "", "")
	if err != nil {
		return nil, fmt.Errorf("encrypt: armor: %w", err)
	}
	return writeEncrypted(outer, toCRLF([]byte(armored)))
}

// protectSubject copies the Subject field into the encrypted entity and
// marks its Content-Type with protected-headers="v1".
func protectSubject(e *entity, inner []byte) []byte {
	subject := rawFields(e.header, func(k string) bool { return strings.EqualFold(k, "Subject") })
	ct := e.header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || ct == "" {
		return append(subject, inner...)
	}
	params["protected-headers"] = "v1"
	rest := rawFields(e.header, func(k string) bool { return isContentField(k) && !strings.EqualFold(k, "Content-Type") })
	var buf bytes.Buffer
	buf.WriteString("Content-Type: " + mime.FormatMediaType(mt, params) + "\r\n")
	buf.Write(rest)
	buf.Write(subject)
	buf.WriteString("\r\n")
	buf.Write(e.body)
	return buf.Bytes()
}

// publicPart drops private material: a recipient is only ever its public
// key, and a locked private key can be one too.
func publicPart(k *crypto.Key) (*crypto.Key, error) {
	if !k.IsPrivate() {
		return k, nil
	}
	return k.ToPublic()
}

// writeEncrypted lays out RFC 3156 section 4: a control part holding
// "Version: 1", then the armored OpenPGP message as application/octet-stream.
func writeEncrypted(outer, armored []byte) ([]byte, error) {
	boundary, err := newBoundary(armored)
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	var b bytes.Buffer
	b.Write(outer)
	fmt.Fprintf(&b, "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\";\r\n boundary=\"%s\"\r\n\r\n", boundary)
	b.WriteString("This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n")
	fmt.Fprintf(&b, "--%s\r\n", boundary)
	b.WriteString("Content-Type: application/pgp-encrypted\r\n")
	b.WriteString("Content-Description: PGP/MIME version identification\r\n\r\n")
	b.WriteString("Version: 1\r\n\r\n")
	fmt.Fprintf(&b, "--%s\r\n", boundary)
	b.WriteString("Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n")
	b.WriteString("Content-Description: OpenPGP encrypted message\r\n")
	b.WriteString("Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n")
	b.Write(armored)
	if !bytes.HasSuffix(armored, []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "\r\n--%s--\r\n", boundary)
	return b.Bytes(), nil
}
