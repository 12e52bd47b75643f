package pgpmime

import (
	"testing"
)

func TestSplitHeaderBody(t *testing.T) {
	for _, tc := range []struct{ in, head, body string }{
		{"", "", ""},
		{"\r\nbody", "", "body"},
		{"\nbody", "", "body"},
		{"A: 1\r\n\r\nbody\r\n\r\nmore", "A: 1\r\n", "body\r\n\r\nmore"},
		{"A: 1\nB: 2\n\nbody", "A: 1\nB: 2\n", "body"},
		{"A: 1\r\n folded\r\n\r\n", "A: 1\r\n folded\r\n", ""},
		{"A: 1\r\nB: 2", "A: 1\r\nB: 2", ""},
		{"A: 1\r\n", "A: 1\r\n", ""},
		{"A: 1\r\n \r\nbody", "A: 1\r\n \r\nbody", ""}, // a blank line is no empty line
	} {
		head, body := splitHeaderBody([]byte(tc.in))
		if string(head) != tc.head || string(body) != tc.body {
			t.Errorf("splitHeaderBody(%q) = %q, %q; want %q, %q", tc.in, head, body, tc.head, tc.body)
		}
	}
}

// TestToCRLF: bare line feeds become CRLF in one allocation of the
// final size; canonical input comes back as it is, without a copy (a
// message can be MaxMessageSize bytes).
func TestToCRLF(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		allocs   float64
	}{
		{"", "", 0},
		{"no line break", "no line break", 0},
		{"a\r\nb\r\n", "a\r\nb\r\n", 0},
		{"a\nb\n", "a\r\nb\r\n", 1},
		{"\na\r\n\n", "\r\na\r\n\r\n", 1},
		{"a\r\r\nb\rc\n", "a\r\r\nb\rc\r\n", 1},
	} {
		in := []byte(tc.in)
		if got := string(toCRLF(in)); got != tc.want {
			t.Errorf("toCRLF(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if n := testing.AllocsPerRun(10, func() { toCRLF(in) }); n != tc.allocs {
			t.Errorf("toCRLF(%q): %v allocations, want %v", tc.in, n, tc.allocs)
		}
	}
}
