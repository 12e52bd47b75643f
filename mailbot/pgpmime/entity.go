package pgpmime

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// entity is a MIME entity (or a whole message) kept as raw bytes: signed
// content must be passed on byte for byte, so nothing is re-serialized.
type entity struct {
	header textproto.Header
	body   []byte
}

// parseEntity splits b at the first empty line and parses the header with
// go-message. Raw header fields stay available through header.Fields().Raw().
func parseEntity(b []byte) (*entity, error) {
	head, body := splitHeaderBody(b)
	// ReadHeader wants the terminating empty line.
	r := bufio.NewReader(bytes.NewReader(append(head[:len(head):len(head)], '\r', '\n')))
	h, err := textproto.ReadHeader(r)
	if err != nil {
		return nil, fmt.Errorf("parse header: %w", err)
	}
	return &entity{header: h, body: body}, nil
}

// splitHeaderBody returns the header block (each field with its line break)
// and the body after the empty line. Without an empty line, all is header.
func splitHeaderBody(b []byte) (head, body []byte) {
	for rest := b; ; {
		if after, ok := bytes.CutPrefix(rest, []byte("\r\n")); ok {
			return b[:len(b)-len(rest)], after
		}
		if after, ok := bytes.CutPrefix(rest, []byte("\n")); ok {
			return b[:len(b)-len(rest)], after
		}
		_, next, ok := bytes.Cut(rest, []byte("\n"))
		if !ok {
			return b, nil
		}
		rest = next
	}
}

// contentType returns the lower-case media type and parameters. A missing
// header means text/plain (RFC 2045 section 5.2).
func (e *entity) contentType() (string, map[string]string, error) {
	if !e.header.Has("Content-Type") {
		return "text/plain", map[string]string{}, nil
	}
	h := messageHeader(e.header)
	t, params, err := h.ContentType()
	return strings.ToLower(t), params, err
}

// isContentField says whether a header field describes the content (RFC 2045
// "Content-*"); those move into the protected entity, the rest stays outside.
func isContentField(key string) bool {
	return strings.HasPrefix(strings.ToLower(key), "content-")
}

// rawFields returns the raw header fields (with CRLF line ends) selected by
// keep, in their original order.
func rawFields(h textproto.Header, keep func(key string) bool) []byte {
	var buf bytes.Buffer
	fields := h.Fields()
	for fields.Next() {
		if !keep(fields.Key()) {
			continue
		}
		raw, err := fields.Raw()
		if err != nil {
			continue // only possible for fields we did not read
		}
		buf.Write(toCRLF(raw))
	}
	return buf.Bytes()
}

// outerHeader is the top-level header minus Content-* fields and minus fields
// named in skip, with a MIME-Version added when missing.
func outerHeader(h textproto.Header, skip map[string]bool) []byte {
	out := rawFields(h, func(k string) bool { return !isContentField(k) && !skip[strings.ToLower(k)] })
	if !h.Has("Mime-Version") && !skip["mime-version"] {
		out = append(out, "MIME-Version: 1.0\r\n"...)
	}
	return out
}

// contentEntity is the MIME entity made of e's Content-* fields and body:
// what Encrypt protects and Sign signs.
func contentEntity(e *entity) []byte {
	var buf bytes.Buffer
	buf.Write(rawFields(e.header, isContentField))
	if !e.header.Has("Content-Type") {
		// Spell out the RFC 2045 default so the entity reads the same alone.
		buf.WriteString("Content-Type: text/plain; charset=us-ascii\r\n")
	}
	buf.WriteString("\r\n")
	buf.Write(e.body)
	return buf.Bytes()
}

// toCRLF turns every bare LF into CRLF: the canonical form of RFC 3156
// section 5 and of SMTP.
func toCRLF(b []byte) []byte {
	n := bytes.Count(b, []byte("\n")) - bytes.Count(b, []byte("\r\n"))
	if n == 0 {
		return b
	}
	out := make([]byte, 0, len(b)+n)
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

// newBoundary returns a random boundary that does not occur in content.
func newBoundary(content []byte) (string, error) {
	for {
		var r [18]byte
		if _, err := rand.Read(r[:]); err != nil {
			return "", fmt.Errorf("boundary: %w", err)
		}
		b := "secbot-" + hex.EncodeToString(r[:])
		if !bytes.Contains(content, []byte("--"+b)) {
			return b, nil
		}
	}
}

// messageHeader gives access to go-message's parameter parsing.
func messageHeader(h textproto.Header) message.Header {
	return message.Header{Header: h}
}
