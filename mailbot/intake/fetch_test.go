package intake

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// literal is an imap.LiteralReader over s that announces size.
type literal struct {
	*strings.Reader
	size int64
}

func (l literal) Size() int64 { return l.size }

// TestReadLiteral: a literal within the limit is read whole; a larger one
// is skipped unread (a body) or cut to the limit (a header), and marked
// overflow either way; exactly the limit is no overflow.
func TestReadLiteral(t *testing.T) {
	w := newWatchdog(t.Context(), time.Hour, func() {})
	defer w.stop()
	for _, tc := range []struct {
		name     string
		text     string
		limit    int64
		truncate bool
		want     section
	}{
		{"body below the limit", "abc", 4, false, section{raw: []byte("abc")}},
		{"body at the limit", "abcd", 4, false, section{raw: []byte("abcd")}},
		{"body over the limit", "abcde", 4, false, section{overflow: true}},
		{"header at the limit", "abcd", 4, true, section{raw: []byte("abcd")}},
		{"header over the limit", "abcde", 4, true, section{raw: []byte("abcd"), overflow: true}},
	} {
		got, err := readLiteral(literal{strings.NewReader(tc.text), int64(len(tc.text))}, w, tc.limit, tc.truncate)
		if err != nil || string(got.raw) != string(tc.want.raw) || got.overflow != tc.want.overflow {
			t.Errorf("%s: %q overflow %v, %v; want %q overflow %v", tc.name, got.raw, got.overflow, err,
				tc.want.raw, tc.want.overflow)
		}
	}
	if _, err := readLiteral(literal{strings.NewReader("ab"), 3}, w, 4, false); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a literal shorter than announced: %v, want %v", err, io.ErrUnexpectedEOF)
	}
}
