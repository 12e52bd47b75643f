package pgpmime

import (
	"bytes"
	"errors"
	"fmt"
)

// splitMultipart returns the raw body parts of a multipart body, exactly as
// they appear between the delimiter lines (RFC 2046 section 5.1.1): a part
// starts after the line break ending its delimiter line and ends before the
// line break that precedes the next delimiter line, which belongs to the
// delimiter. RFC 3156 section 5 needs these exact bytes: they are what was
// signed. Preamble and epilogue are ignored. Lines may end in CRLF or LF.
// More than max parts, or a missing close delimiter, is an error.
func splitMultipart(body []byte, boundary string, max int) ([][]byte, error) {
	if boundary == "" || len(boundary) > 200 {
		return nil, fmt.Errorf("split multipart: bad boundary %q", boundary)
	}
	dash := []byte("--" + boundary)
	var parts [][]byte
	start := -1 // offset of the current part's content, -1 in the preamble
	for pos := 0; ; {
		lineEnd, next, last := lineAt(body, pos)
		kind := delimiterKind(body[pos:lineEnd], dash)
		if kind != notDelimiter && start >= 0 {
			if len(parts) == max {
				return nil, fmt.Errorf("split multipart: more than %d parts", max)
			}
			parts = append(parts, body[start:partEnd(body, start, pos)])
		}
		if kind == closeDelimiter {
			if len(parts) == 0 {
				return nil, errors.New("split multipart: no parts")
			}
			return parts, nil
		}
		if kind == openDelimiter {
			start = next
		}
		if last {
			break
		}
		pos = next
	}
	if start < 0 {
		return nil, errors.New("split multipart: boundary not found")
	}
	return nil, errors.New("split multipart: missing close delimiter")
}

// lineAt returns the end of the line starting at pos (without its line
// break), the start of the next line, and whether this is the last line.
func lineAt(b []byte, pos int) (lineEnd, next int, last bool) {
	i := bytes.IndexByte(b[pos:], '\n')
	if i < 0 {
		return len(b), len(b), true
	}
	lineEnd, next = pos+i, pos+i+1
	if lineEnd > pos && b[lineEnd-1] == '\r' {
		lineEnd--
	}
	return lineEnd, next, false
}

// partEnd drops the line break before the delimiter line at pos.
func partEnd(b []byte, start, pos int) int {
	end := pos
	if end > start && b[end-1] == '\n' {
		end--
		if end > start && b[end-1] == '\r' {
			end--
		}
	}
	return end
}

const (
	notDelimiter = iota
	openDelimiter
	closeDelimiter
)

// delimiterKind classifies one line (without line break). RFC 2046 allows
// transport padding (spaces, tabs) after a delimiter.
func delimiterKind(line, dash []byte) int {
	if !bytes.HasPrefix(line, dash) {
		return notDelimiter
	}
	rest := line[len(dash):]
	kind := openDelimiter
	if bytes.HasPrefix(rest, []byte("--")) {
		kind, rest = closeDelimiter, rest[2:]
	}
	if len(bytes.TrimRight(rest, " \t")) != 0 {
		return notDelimiter
	}
	return kind
}
