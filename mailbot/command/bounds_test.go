package command

import (
	"errors"
	"strings"
	"testing"
)

// TestBlockBoundsAtTheLimit parses inputs exactly at each limit of the
// command block and one step past it: what is at the limit is accepted,
// what is past it is refused.
func TestBlockBoundsAtTheLimit(t *testing.T) {
	title := func(n int) string { return "title " + strings.Repeat("x", n-len("title ")) }
	// A heredoc value of n bytes, in lines short enough for any reader.
	heredoc := func(n int) string {
		return "impact <<END\n" + strings.Repeat("x\n", 32767) + strings.Repeat("x", n-2*32767) + "\nEND\n"
	}
	tests := []struct {
		name    string
		body    string
		ncmd    int
		wantErr error // of the one error expected; nil: no error
		stop    string
	}{
		{"line of MaxLineLen bytes", title(MaxLineLen), 1, nil, StopEnd},
		{"line of MaxLineLen+1 bytes", title(MaxLineLen + 1), 0, ErrLineTooLong, StopEnd},
		{"heredoc of MaxHeredocBytes", heredoc(MaxHeredocBytes), 1, nil, StopEnd},
		{"heredoc of MaxHeredocBytes+1", heredoc(MaxHeredocBytes + 1), 0, ErrHeredocTooLong, StopLimit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Parse(tc.body)
			errOK := len(r.Errors) == 0
			if tc.wantErr != nil {
				errOK = len(r.Errors) == 1 && errors.Is(r.Errors[0].Err, tc.wantErr)
			}
			if len(r.Commands) != tc.ncmd || !errOK || r.Stop != tc.stop {
				t.Errorf("got %d commands, errors %v, stop %q; want %d, %v, %q",
					len(r.Commands), r.Errors, r.Stop, tc.ncmd, tc.wantErr, tc.stop)
			}
		})
	}
}

// TestHeredocMarkerBounds checks the bounds of a heredoc marker: at most
// 32 word runes, which are ASCII letters, digits and '_', and not their
// neighbours in ASCII.
func TestHeredocMarkerBounds(t *testing.T) {
	for _, m := range []string{"a", "z", "A", "Z", "0", "9", "_", "Za9_", strings.Repeat("M", 32)} {
		if got, ok := heredocMarker("<<" + m); !ok || got != m {
			t.Errorf("heredocMarker(<<%s) = %q, %v; want a marker", m, got, ok)
		}
	}
	for _, m := range []string{"`", "{", "@", "[", "/", ":", "-", "é", "A-Z", strings.Repeat("M", 33)} {
		if got, ok := heredocMarker("<<" + m); ok {
			t.Errorf("heredocMarker(<<%s) = %q; want no marker", m, got)
		}
	}
}

// TestQuoteStartsExactly checks quote starts that are exactly the words
// looked for: "-----Original Message" with nothing after it, and an
// attribution whose wrapped second line is "wrote:" alone, followed by
// quoted text that has no ">".
func TestQuoteStartsExactly(t *testing.T) {
	for _, body := range []string{
		"accept\n-----Original Message\nclose\n",
		"accept\nOn Mon, 1 Dec 2026, Jane Doe <j@example.org>\nwrote:\nclose\n",
		"accept\nJane Doe <j@example.org>\nwrote:\n> close\n",
	} {
		r := Parse(body)
		if r.Stop != StopQuote || len(r.Commands) != 1 || r.Rest != "" {
			t.Errorf("Parse(%q): stop %q, commands %q, rest %q; want the quote to end the block after accept",
				body, r.Stop, canon(r.Commands), r.Rest)
		}
	}
}

// TestLongKeywordIsReportedAsWritten: a keyword longer than 64 bytes is
// too long for any command and is reported as written; one of 64 is
// still lower-cased like every keyword.
func TestLongKeywordIsReportedAsWritten(t *testing.T) {
	for _, n := range []int{64, 65} {
		kw := strings.Repeat("K", n)
		want := kw
		if n <= 64 {
			want = strings.ToLower(kw)
		}
		if got, _ := splitKeyword(kw + " arg"); got != want {
			t.Errorf("splitKeyword of a %d-byte keyword: %q, want %q", n, got, want)
		}
	}
}
