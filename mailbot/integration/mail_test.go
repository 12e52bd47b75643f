package integration

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message"
	"github.com/emersion/go-smtp"
)

// sendSMTP submits raw from the test to Postfix, as an MTA client would.
func sendSMTP(t *testing.T, addr, from string, to []string, raw []byte) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatalf("dial postfix: %v", err)
	}
	_ = conn.SetDeadline(time.Now().Add(mailTimeout))
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.Hello("client.test"); err != nil {
		t.Fatalf("EHLO: %v", err)
	}
	if err := c.SendMail(from, to, bytes.NewReader(raw)); err != nil {
		t.Fatalf("send mail from %s to %v: %v", from, to, err)
	}
	if err := c.Quit(); err != nil {
		t.Fatalf("QUIT: %v", err)
	}
}

// fetchAll logs in as user and returns every message in INBOX, oldest
// first, as the server sends them (CRLF line ends), without setting \Seen.
func fetchAll(addr, user string) ([][]byte, error) {
	c, err := imapclient.DialInsecure(addr, &imapclient.Options{Dialer: &net.Dialer{Timeout: 10 * time.Second}})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.Login(user, mailPassword).Wait(); err != nil {
		return nil, fmt.Errorf("login %s: %w", user, err)
	}
	mbox, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil, fmt.Errorf("select INBOX of %s: %w", user, err)
	}
	if mbox.NumMessages == 0 {
		return nil, c.Logout().Wait()
	}
	section := &imap.FetchItemBodySection{Peek: true}
	all := imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}} // 1:*
	msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return nil, fmt.Errorf("fetch INBOX of %s: %w", user, err)
	}
	out := make([][]byte, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, m.FindBodySection(section))
	}
	return out, c.Logout().Wait()
}

// waitMail waits until user's INBOX holds a message for which match is
// true, and returns it. Messages already handled (seen) are skipped.
func waitMail(t *testing.T, imapAddr, user, what string, seen int, match func([]byte) bool) ([]byte, int) {
	t.Helper()
	var found []byte
	var index int
	waitFor(t, mailTimeout, what+" in the mailbox of "+user, func() (bool, error) {
		msgs, err := fetchAll(imapAddr, user)
		if err != nil {
			return false, err
		}
		for i := seen; i < len(msgs); i++ {
			if match(msgs[i]) {
				found, index = msgs[i], i
				return true, nil
			}
		}
		return false, fmt.Errorf("%d messages, none matches", len(msgs))
	})
	return found, index
}

// header parses the header of raw.
func header(t *testing.T, raw []byte) mail.Header {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse mail: %v\n%s", err, raw)
	}
	return m.Header
}

// subject decodes the Subject header of raw.
func subject(t *testing.T, raw []byte) string {
	t.Helper()
	s := header(t, raw).Get("Subject")
	if dec, err := new(mime.WordDecoder).DecodeHeader(s); err == nil {
		return dec
	}
	return s
}

// splitMultipart returns the exact bytes of each body part of a multipart
// message: from after the boundary line up to, not including, the CRLF
// before the next boundary (RFC 2046), which is what RFC 3156 signs.
func splitMultipart(raw []byte) (mediaType string, parts [][]byte, err error) {
	hdrEnd := bytes.Index(raw, []byte("\r\n\r\n"))
	if hdrEnd < 0 {
		return "", nil, errors.New("no end of header")
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", nil, err
	}
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return "", nil, fmt.Errorf("content type: %w", err)
	}
	boundary := params["boundary"]
	if !strings.HasPrefix(mediaType, "multipart/") || boundary == "" {
		return mediaType, nil, fmt.Errorf("not multipart: %s", mediaType)
	}
	body := raw[hdrEnd+2:] // keep the CRLF so that the first delimiter is "\r\n--b" too
	delim := []byte("\r\n--" + boundary)
	chunks := bytes.Split(body, delim)
	if len(chunks) < 3 {
		return mediaType, nil, fmt.Errorf("%d delimiters of %q", len(chunks)-1, boundary)
	}
	for _, c := range chunks[1:] {
		if bytes.HasPrefix(c, []byte("--")) { // the close delimiter
			break
		}
		// Skip transport padding and the CRLF that ends the boundary line.
		nl := bytes.Index(c, []byte("\r\n"))
		if nl < 0 {
			return mediaType, nil, errors.New("boundary line without CRLF")
		}
		parts = append(parts, c[nl+2:])
	}
	return mediaType, parts, nil
}

// partBody returns the body of a raw body part, transfer-decoded.
func partBody(t *testing.T, part []byte) (mediaType string, body []byte) {
	t.Helper()
	e, err := message.Read(bytes.NewReader(part))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		t.Fatalf("read part: %v", err)
	}
	mediaType, _, _ = e.Header.ContentType()
	body, err = io.ReadAll(e.Body)
	if err != nil {
		t.Fatalf("read part body: %v", err)
	}
	return mediaType, body
}

// encryptedPayload returns the armored OpenPGP message of a PGP/MIME
// multipart/encrypted mail (RFC 3156 section 4).
func encryptedPayload(t *testing.T, raw []byte) []byte {
	t.Helper()
	mt, parts, err := splitMultipart(raw)
	if err != nil || mt != "multipart/encrypted" || len(parts) != 2 {
		t.Fatalf("want multipart/encrypted with 2 parts, got %s, %d parts (%v):\n%s", mt, len(parts), err, raw)
	}
	if ct, body := partBody(t, parts[0]); ct != "application/pgp-encrypted" || !bytes.Contains(body, []byte("Version: 1")) {
		t.Fatalf("first part %s %q", ct, body)
	}
	ct, body := partBody(t, parts[1])
	if ct != "application/octet-stream" || !bytes.Contains(body, []byte("-----BEGIN PGP MESSAGE-----")) {
		t.Fatalf("second part %s:\n%s", ct, body)
	}
	return body
}

// textParts decodes every text/plain part of a MIME entity.
func textParts(t *testing.T, raw []byte) string {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) {
		t.Fatalf("read entity: %v\n%s", err, raw)
	}
	var out strings.Builder
	_ = e.Walk(func(_ []int, p *message.Entity, _ error) error {
		if mt, _, _ := p.Header.ContentType(); mt == "text/plain" || mt == "" {
			b, _ := io.ReadAll(p.Body)
			out.Write(b)
		}
		return nil
	})
	return out.String()
}

var caseIDRe = regexp.MustCompile(`\[(SEC-\d{4}-\d{4,})\]`)

// crlf turns LF line ends into CRLF.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// newMessageID makes a unique Message-ID in domain.
func newMessageID(domain string) string {
	return fmt.Sprintf("<%d.test@%s>", time.Now().UnixNano(), domain)
}

// mailHeader renders a top-level header (CRLF, no blank line).
func mailHeader(from *gpgPerson, to, subj, inReplyTo string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s <%s>\r\n", from.Name, from.Address)
	fmt.Fprintf(&b, "To: %s\r\n", to)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subj))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: %s\r\n", newMessageID(from.Address[strings.IndexByte(from.Address, '@')+1:]))
	if inReplyTo != "" {
		fmt.Fprintf(&b, "In-Reply-To: %s\r\nReferences: %s\r\n", inReplyTo, inReplyTo)
	}
	b.WriteString("MIME-Version: 1.0\r\n")
	return b.String()
}

// plainMail is an unsigned text/plain mail.
func plainMail(from *gpgPerson, to, subj, body string) []byte {
	return []byte(mailHeader(from, to, subj, "") +
		"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + crlf(body))
}

// attachment is a file added to a signed command mail.
type attachment struct {
	name, contentType string
	data              []byte
}

// signedMail builds a PGP/MIME multipart/signed mail (RFC 3156) around a
// detached signature made by gpg over the exact CRLF bytes of the signed
// part: the text alone, or multipart/mixed with the attachments.
func signedMail(from *gpgPerson, to, subj, inReplyTo, body string, atts ...attachment) []byte {
	part := textPart(body)
	if len(atts) > 0 {
		part = mixedPart(part, atts)
	}
	sig := from.detachSign([]byte(part))
	const b = "signed-boundary-7f3a"
	return []byte(mailHeader(from, to, subj, inReplyTo) +
		"Content-Type: multipart/signed; boundary=\"" + b + "\"; micalg=pgp-sha256; protocol=\"application/pgp-signature\"\r\n\r\n" +
		"This is an OpenPGP/MIME signed message (RFC 3156).\r\n" +
		"--" + b + "\r\n" + part + "\r\n--" + b + "\r\n" +
		"Content-Type: application/pgp-signature; name=\"signature.asc\"\r\n" +
		"Content-Description: OpenPGP digital signature\r\n\r\n" +
		crlf(string(sig)) + "\r\n--" + b + "--\r\n")
}

// textPart is a 7bit text/plain body part; it ends with CRLF.
func textPart(body string) string {
	return "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" + crlf(body)
}

// mixedPart wraps a text part and base64 attachments in multipart/mixed.
func mixedPart(text string, atts []attachment) string {
	const b = "mixed-boundary-91c2"
	var s strings.Builder
	s.WriteString("Content-Type: multipart/mixed; boundary=\"" + b + "\"\r\n\r\n")
	s.WriteString("--" + b + "\r\n" + text)
	for _, a := range atts {
		s.WriteString("\r\n--" + b + "\r\n")
		fmt.Fprintf(&s, "Content-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
			a.contentType, a.name, a.name)
		s.WriteString(base64Lines(a.data))
	}
	s.WriteString("\r\n--" + b + "--\r\n")
	return s.String()
}

// base64Lines encodes data in base64 lines of 76 characters, each ending
// in CRLF except the last.
func base64Lines(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var lines []string
	for len(enc) > 76 {
		lines = append(lines, enc[:76])
		enc = enc[76:]
	}
	return strings.Join(append(lines, enc), "\r\n")
}
