package command

import (
	"strings"
	"testing"
)

// TestValuesAtTheirBounds parses the values of the commands exactly at
// their limits, and one step past them.
func TestValuesAtTheirBounds(t *testing.T) {
	name := func(n int) string { return strings.Repeat("n", n) }
	prefix := func(n int) string { return strings.Repeat("A", n) } // a case id prefix
	tests := []lineCase{
		{"type CWE-1234567", "type CWE-1234567", false},
		{"type cwe-0000079 xss", "type CWE-79 xss", false},
		{"type CWE-12345678", "bad CWE id", true},
		{"type CWE-", "bad CWE id", true},
		{"type CWE", "type CWE", false}, // text, not an id
		{"type CWE-79\tcross-site scripting", "type CWE-79 cross-site scripting", false},

		{"cve CVE-1999-0001", "cve CVE-1999-0001", false},
		{"cve CVE-2100-0001", "cve CVE-2100-0001", false},

		// C1 controls are refused; a no-break space, the rune after them, is text.
		{"title a\u0080", "invalid character U+0080", true},
		{"title a\u009f", "invalid character U+009F", true},
		{"title a\u00a0b", "title a\u00a0b", false},
		{"title a\u2028b", "invalid character U+2028", true},
		{"title a\u2029b", "invalid character U+2029", true},

		{"duplicate " + prefix(30) + "-2026-0001", "duplicate " + prefix(30) + "-2026-0001", false}, // 40 bytes
		{"duplicate " + prefix(31) + "-2026-0001", "bad case id", true},
		{"duplicate A-2026-0001", "duplicate A-2026-0001", false},
		{"duplicate Z9-2026-0001", "duplicate Z9-2026-0001", false},
		{"duplicate @-2026-0001", "bad case id", true},
		{"duplicate [-2026-0001", "bad case id", true},

		{"patch drop " + name(64), "patch drop " + name(64), false},
		{"patch drop " + name(65), "bad patch name", true},
		{"notify " + name(64), "notify " + name(64), false},
		{"notify " + name(65), "bad contact id", true},

		{"vuln 1", "vuln 1", false},
		{"vuln 999", "vuln 999", false},
		{"vuln drop 1", "vuln drop 1", false},
		{"vuln 1000", "bad vulnerability number", true},
		{"vuln 0", "bad vulnerability number", true},
		{"vuln +1", "bad vulnerability number", true},
	}
	checkLines(t, tests)
}

// lineCase is one command line and what Parse makes of it: its
// canonical form, or, when err, the text of its one error.
type lineCase struct {
	line string
	want string
	err  bool
}

// checkLines parses each line alone and checks the one command or the
// one error it gives.
func checkLines(t *testing.T, tests []lineCase) {
	t.Helper()
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
