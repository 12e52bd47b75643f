package pgpmime

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime/quotedprintable"
	"strings"
)

// decodeTransfer undoes a Content-Transfer-Encoding (RFC 2045 section 6).
// Charsets are left alone: armor is ASCII.
func decodeTransfer(cte string, body []byte) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "", "7bit", "8bit", "binary":
		return body, nil
	case "quoted-printable":
		return readAtMost(quotedPrintableReader(body), MaxMessageSize)
	case "base64":
		return readAtMost(base64Reader(body), MaxMessageSize)
	}
	return nil, fmt.Errorf("%w: unknown content-transfer-encoding %q", ErrMalformed, cte)
}

func quotedPrintableReader(b []byte) io.Reader {
	return quotedprintable.NewReader(bytes.NewReader(b))
}

// base64Reader ignores line breaks and other characters outside the base64
// alphabet, as RFC 2045 section 6.8 requires of decoders.
func base64Reader(b []byte) io.Reader {
	clean := make([]byte, 0, len(b))
	for _, c := range b {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' {
			clean = append(clean, c)
		}
	}
	return base64.NewDecoder(base64.StdEncoding, bytes.NewReader(clean))
}
