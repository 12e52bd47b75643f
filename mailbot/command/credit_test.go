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
	tests := []lineCase{
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
	checkLines(t, tests)
}
