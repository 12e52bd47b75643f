package outmail

import (
	"bytes"
	"fmt"
	"io"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
)

// textMail writes a single text/plain part.
func textMail(h gomail.Header, body []byte) ([]byte, error) {
	var buf bytes.Buffer
	h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	w, err := gomail.CreateSingleInlineWriter(&buf, h)
	if err != nil {
		return nil, fmt.Errorf("write mail: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		return nil, fmt.Errorf("write mail: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("write mail: %w", err)
	}
	return buf.Bytes(), nil
}

// attachment is one file attached to an outgoing mail.
type attachment struct {
	Name        string
	ContentType string // empty: message/rfc822 when it can travel unencoded
	Data        []byte
}

// mixedMail writes a text part and one attached message.
func mixedMail(h gomail.Header, body []byte, name string, attached []byte) ([]byte, error) {
	return multipartMail(h, body, []attachment{{Name: name, Data: attached}})
}

// multipartMail writes a text part followed by attachments.
func multipartMail(h gomail.Header, body []byte, atts []attachment) ([]byte, error) {
	var buf bytes.Buffer
	h.SetContentType("multipart/mixed", nil)
	w, err := message.CreateWriter(&buf, h.Header)
	if err != nil {
		return nil, fmt.Errorf("write mail: %w", err)
	}
	var th message.Header
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	th.Set("Content-Transfer-Encoding", "quoted-printable")
	if err := writePart(w, th, body); err != nil {
		return nil, err
	}
	for _, a := range atts {
		ah := attachmentHeader(a.Name, a.Data)
		if a.ContentType != "" {
			ah = fileHeader(a.Name, a.ContentType)
		}
		if err := writePart(w, ah, a.Data); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("write mail: %w", err)
	}
	return buf.Bytes(), nil
}

// fileHeader attaches a file base64-encoded, which keeps patches byte
// for byte (trailing spaces, long lines, CRLF) through any mail path.
func fileHeader(name, contentType string) message.Header {
	var h message.Header
	h.SetContentType(contentType, nil)
	h.Set("Content-Transfer-Encoding", "base64")
	h.SetContentDisposition("attachment", map[string]string{"filename": name})
	return h
}

// attachmentHeader attaches a message as message/rfc822 when it can travel
// unencoded, as RFC 2046 section 5.2.1 requires, else as an octet stream.
func attachmentHeader(name string, data []byte) message.Header {
	var h message.Header
	if safe8bit(data) {
		h.SetContentType("message/rfc822", nil)
		h.Set("Content-Transfer-Encoding", "8bit")
	} else {
		h.SetContentType("application/octet-stream", nil)
		h.Set("Content-Transfer-Encoding", "base64")
	}
	h.SetContentDisposition("attachment", map[string]string{"filename": name})
	return h
}

func safe8bit(data []byte) bool {
	if bytes.IndexByte(data, 0) >= 0 {
		return false
	}
	for line := range bytes.Lines(data) {
		if len(line) > 998 {
			return false
		}
		if i := bytes.IndexByte(line, '\r'); i >= 0 && i != len(line)-2 {
			return false
		}
	}
	return true
}

func writePart(w *message.Writer, h message.Header, body []byte) error {
	pw, err := w.CreatePart(h)
	if err != nil {
		return fmt.Errorf("create part: %w", err)
	}
	if _, err := io.Copy(pw, bytes.NewReader(body)); err != nil {
		return fmt.Errorf("write part: %w", err)
	}
	return pw.Close()
}
