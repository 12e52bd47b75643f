package command

import (
	"strings"
	"testing"
)

// TestCreditAndAddressBounds parses names and addresses exactly at their
// limits, and one byte past them; and "as KIND" with nothing before it,
// which leaves no name.
func TestCreditAndAddressBounds(t *testing.T) {
	name := func(n int) string { return strings.Repeat("N", n) }
	// A plain addr-spec of n bytes.
	addr := func(n int) string { return strings.Repeat("x", n-len("@example.org")) + "@example.org" }
	tests := []struct {
		line string
		want string // canonical form, or the error's text when err
		err  bool
	}{
		{"credit " + name(200), "credit " + name(200) + " as finder", false},
		{"credit " + name(201), "longer than 200 bytes", true},
		{"credit confirmed " + name(200), "credit confirmed " + name(200), false},
		{"credit declined " + name(201), "want the credited name", true},
		{"reporter <" + addr(254) + ">", "reporter " + addr(254), false},
		{"reporter <" + addr(255) + ">", "bad address", true},
		{"reporter-key " + addr(254), "reporter-key " + addr(254), false},
		{"credit as finder", "credit needs a name", true},
		{"credit as remediation developer", "credit needs a name", true},
		{"credit Jane as remediation developer", "credit Jane as remediation-developer", false},
	}
	for _, tc := range tests {
		r := Parse(tc.line)
		switch {
		case tc.err && (len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Error(), tc.want)):
			t.Errorf("Parse(%q): errors %v, want one with %q", tc.line, r.Errors, tc.want)
		case !tc.err && (len(r.Errors) != 0 || len(r.Commands) != 1 || r.Commands[0].String() != tc.want):
			t.Errorf("Parse(%q): commands %q, errors %v; want %q", tc.line, canon(r.Commands), r.Errors, tc.want)
		}
	}
}
