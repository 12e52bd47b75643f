package pgpmime

import (
	"bytes"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
)

// Armor lines that start inline PGP in a text/plain body. They must start a
// line: a quoted ("> -----BEGIN ...") block in a reply is not ours to open.
const (
	beginMessage = "-----BEGIN PGP MESSAGE-----"
	beginSigned  = "-----BEGIN PGP SIGNED MESSAGE-----"
)

// openInline unwraps an armored OpenPGP message or a clearsigned text in a
// text/plain body. Only the protected text is kept: anything around the
// armor was neither encrypted nor signed and could have been added by anyone.
func (op *opener) openInline(e *entity, charset string, depth int) (*layer, error) {
	text, err := decodeTransfer(e.header.Get("Content-Transfer-Encoding"), e.body)
	if err != nil {
		return nil, nil // not readable as text, so not inline PGP either
	}
	msgAt, signedAt := lineStartIndex(text, beginMessage), lineStartIndex(text, beginSigned)
	if msgAt < 0 && signedAt < 0 {
		return nil, nil
	}
	if err := checkDepth(depth); err != nil {
		return nil, err
	}
	switch {
	case msgAt >= 0 && (signedAt < 0 || msgAt < signedAt):
		return op.openInlineMessage(text[msgAt:], charset)
	default:
		return op.openClearsigned(text[signedAt:], charset)
	}
}

func (op *opener) openInlineMessage(armored []byte, charset string) (*layer, error) {
	data, err := dearmor(armored, "PGP MESSAGE")
	if err != nil {
		return nil, fmt.Errorf("inline pgp: %w", err)
	}
	d, err := decryptMessage(data, op.decrypt, op.verify, op.arrived)
	if err != nil {
		return nil, fmt.Errorf("inline pgp: %w", err)
	}
	return &layer{entity: textEntity(d.plaintext, charset), encrypted: d.encrypted, format: "inline", sig: d.sig}, nil
}

// openClearsigned checks a cleartext signature (RFC 4880 section 7): the
// signature covers the dash-unescaped text with trailing whitespace removed
// and CRLF line ends, which clearsign.Decode returns as Bytes.
func (op *opener) openClearsigned(text []byte, charset string) (*layer, error) {
	block, _ := clearsign.Decode(text)
	if block == nil {
		return nil, fmt.Errorf("clearsigned: %w: cannot parse", ErrMalformed)
	}
	if block.ArmoredSignature.Type != "PGP SIGNATURE" {
		return nil, fmt.Errorf("clearsigned: %w: armor type %q", ErrMalformed, block.ArmoredSignature.Type)
	}
	sig, err := readAtMost(block.ArmoredSignature.Body, MaxMessageSize)
	if err != nil {
		return nil, fmt.Errorf("clearsigned: %w", err)
	}
	res := verifyDetached(block.Bytes, sig, op.verify, op.arrived)
	return &layer{entity: textEntity(block.Plaintext, charset), format: "inline", sig: res}, nil
}

// lineStartIndex finds marker at the start of a line, or returns -1.
func lineStartIndex(text []byte, marker string) int {
	if bytes.HasPrefix(text, []byte(marker)) {
		return 0
	}
	if i := bytes.Index(text, []byte("\n"+marker)); i >= 0 {
		return i + 1
	}
	return -1
}

// textEntity wraps plain text as a text/plain entity. Quoted-printable keeps
// it 7-bit clean whatever the text holds.
//
// The charset comes from the outer header, which no signature covers, so
// only charsets that are ASCII supersets are kept: another (UTF-16, EBCDIC)
// would let whoever relays the mail change how the signed bytes read.
func textEntity(text []byte, charset string) []byte {
	if !asciiSuperset(charset) {
		charset = "utf-8"
	}
	// Never empty: the type and the attribute are tokens; a value that is
	// not one is quoted, or RFC 2231 encoded.
	ct := mime.FormatMediaType("text/plain", map[string]string{"charset": charset})
	var b bytes.Buffer
	fmt.Fprintf(&b, "Content-Type: %s\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", ct)
	w := quotedprintable.NewWriter(&b)
	w.Write(text) // writes to a bytes.Buffer cannot fail
	w.Close()
	return b.Bytes()
}

// asciiSuperset reports whether charset decodes ASCII bytes as ASCII.
func asciiSuperset(charset string) bool {
	c := strings.ToLower(strings.TrimSpace(charset))
	switch {
	case c == "us-ascii", c == "ascii", c == "utf-8", c == "utf8":
		return true
	case strings.HasPrefix(c, "iso-8859-"), strings.HasPrefix(c, "windows-125"):
		return true
	}
	return false
}
