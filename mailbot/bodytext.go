package mailbot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message"
)

// maxBodyText bounds how much of a text part is read for commands.
const maxBodyText = 1 << 20

// maxPartDepth bounds multipart nesting while looking for the text.
const maxPartDepth = 8

// errNoText is returned when a message has no text/plain part.
var errNoText = errors.New("no text/plain part")

// errPartHeaderTooBig is the quarantine reason for a message that holds a
// header section, its own or a part's, larger than maxHeaderBytes.
var errPartHeaderTooBig = errors.New("a header section in the message (of a MIME part) is larger than 1 MiB")

// headerRunTooLong reports whether raw holds a run of lines that a MIME
// parser would read as one header section (fields and their continuation
// lines, up to a blank or any other line) longer than maxHeaderBytes.
// go-message reads part headers without any bound and allocates some 40
// times their size (a 24 MiB part header took 1 GiB of heap), so the MIME
// structure of such a message is never walked. It over-approximates: a
// long run of "key: value" lines in a body counts too.
func headerRunTooLong(raw []byte) bool {
	run := 0
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i+1], raw[i+1:]
		} else {
			raw = nil
		}
		if !headerLike(line) {
			run = 0
			continue
		}
		if run += len(line); run > maxHeaderBytes {
			return true
		}
	}
	return false
}

// headerLike reports whether line (with its line break) would be taken as a
// header field or a continuation line by go-message's textproto.ReadHeader.
func headerLike(line []byte) bool {
	line = bytes.TrimRight(line, "\r\n")
	if len(line) == 0 {
		return false
	}
	if line[0] == ' ' || line[0] == '\t' {
		return true
	}
	key, _, ok := bytes.Cut(line, []byte(":"))
	if !ok {
		return false
	}
	for _, c := range bytes.Trim(key, " \t") {
		if c < 33 || c > 126 {
			return false
		}
	}
	return true
}

// bodyText returns the first inline text/plain part of a message, decoded
// to UTF-8. HTML alternatives are never read: commands count only in the
// plain text a maintainer signed, and an HTML part must not smuggle any.
func bodyText(raw []byte) (string, error) {
	if headerRunTooLong(raw) {
		return "", errPartHeaderTooBig
	}
	ent, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return "", fmt.Errorf("read message: %w", err)
	}
	return findText(ent, 0)
}

func findText(ent *message.Entity, depth int) (string, error) {
	if depth > maxPartDepth {
		return "", fmt.Errorf("parts nested deeper than %d", maxPartDepth)
	}
	mt, params, _ := ent.Header.ContentType()
	if mt == "" {
		mt = "text/plain"
	}
	if mr := ent.MultipartReader(); mr != nil {
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return "", errNoText
			}
			if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
				return "", fmt.Errorf("read part: %w", err)
			}
			if text, err := findText(part, depth+1); err == nil {
				return text, nil
			} else if !errors.Is(err, errNoText) {
				return "", err
			}
		}
	}
	disp, _, _ := mime.ParseMediaType(ent.Header.Get("Content-Disposition"))
	if mt != "text/plain" || disp == "attachment" {
		return "", errNoText
	}
	b, err := io.ReadAll(io.LimitReader(ent.Body, maxBodyText))
	if err != nil {
		return "", fmt.Errorf("read text: %w", err)
	}
	text := string(b)
	if strings.EqualFold(params["format"], "flowed") {
		text = unflow(text, strings.EqualFold(params["delsp"], "yes"))
	}
	return strings.ToValidUTF8(text, "\uFFFD"), nil
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676
// section 4.2), so that a long command line wrapped by the mail client
// reads as one line again.
func unflow(text string, delsp bool) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var out strings.Builder
	for i, line := range lines {
		line = strings.TrimPrefix(line, " ") // space-stuffing, section 4.4
		soft := strings.HasSuffix(line, " ") && line != "-- " && !strings.HasPrefix(line, ">")
		if soft && delsp {
			line = line[:len(line)-1]
		}
		out.WriteString(line)
		if !soft && i < len(lines)-1 {
			out.WriteByte('\n')
		}
	}
	return out.String()
}
