package command

import (
	"fmt"
	"strconv"
	"strings"
)

// What a vuln command does, the values of Command.VulnOp.
const (
	VulnSelect = "select" // vuln N: the following field lines set vulnerability N
	VulnAdd    = "add"    // vuln add: a new vulnerability, selected
	VulnDrop   = "drop"   // vuln drop N: remove vulnerability N
)

// parseVuln parses "N", "add" or "drop N".
func parseVuln(c *Command, arg string) error {
	w := words(arg)
	switch {
	case len(w) == 1 && strings.EqualFold(w[0], "add"):
		c.VulnOp = VulnAdd
		return nil
	case len(w) == 1:
		c.VulnOp = VulnSelect
		return parseVulnNumber(c, w[0])
	case len(w) == 2 && strings.EqualFold(w[0], "drop"):
		c.VulnOp = VulnDrop
		return parseVulnNumber(c, w[1])
	}
	return fmt.Errorf("%w: want vuln N, vuln add or vuln drop N", ErrMissingArgument)
}

// parseVulnNumber reads a vulnerability's number, 1 or more; "#2" and
// "2." are accepted for 2.
func parseVulnNumber(c *Command, s string) error {
	t := strings.TrimSuffix(strings.TrimPrefix(s, "#"), ".")
	n, err := strconv.Atoi(t)
	if err != nil || n < 1 || n > 999 || t[0] == '+' {
		return fmt.Errorf("bad vulnerability number %q: want 1, 2, ...", shorten(s, 20))
	}
	c.Vuln = n
	return nil
}

func formatVuln(c Command) string {
	switch c.VulnOp {
	case VulnAdd:
		return "vuln add"
	case VulnDrop:
		return "vuln drop " + strconv.Itoa(c.Vuln)
	}
	return "vuln " + strconv.Itoa(c.Vuln)
}

// MeansVuln reports whether a command line that failed to parse was meant
// as a vuln command (its keyword, or the keyword it is a typo of): the
// field lines after it must not set whatever vulnerability was selected
// before.
func MeansVuln(raw string) bool {
	kw, _ := splitKeyword(raw)
	return kw == string(KindVuln) || suggest(kw) == string(KindVuln)
}
