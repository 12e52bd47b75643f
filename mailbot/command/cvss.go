package command

import (
	"fmt"
	"slices"
	"strings"
)

// cvssMetric lists a metric's values, in canonical case.
type cvssMetric struct {
	values   []string
	required bool // a base metric, which every vector must carry
}

func base(v ...string) cvssMetric  { return cvssMetric{v, true} }
func other(v ...string) cvssMetric { return cvssMetric{v, false} }

// cvss3 is CVSS v3.0 and v3.1 (first.org CVSS v3.1 specification, section 6).
var cvss3 = map[string]cvssMetric{
	"AV": base("N", "A", "L", "P"), "AC": base("L", "H"), "PR": base("N", "L", "H"),
	"UI": base("N", "R"), "S": base("U", "C"),
	"C": base("H", "L", "N"), "I": base("H", "L", "N"), "A": base("H", "L", "N"),
	"E": other("X", "U", "P", "F", "H"), "RL": other("X", "O", "T", "W", "U"),
	"RC": other("X", "U", "R", "C"),
	"CR": other("X", "L", "M", "H"), "IR": other("X", "L", "M", "H"), "AR": other("X", "L", "M", "H"),
	"MAV": other("X", "N", "A", "L", "P"), "MAC": other("X", "L", "H"),
	"MPR": other("X", "N", "L", "H"), "MUI": other("X", "N", "R"), "MS": other("X", "U", "C"),
	"MC": other("X", "N", "L", "H"), "MI": other("X", "N", "L", "H"), "MA": other("X", "N", "L", "H"),
}

// cvss4 is CVSS v4.0 (first.org CVSS v4.0 specification, section 7).
var cvss4 = map[string]cvssMetric{
	"AV": base("N", "A", "L", "P"), "AC": base("L", "H"), "AT": base("N", "P"),
	"PR": base("N", "L", "H"), "UI": base("N", "P", "A"),
	"VC": base("H", "L", "N"), "VI": base("H", "L", "N"), "VA": base("H", "L", "N"),
	"SC": base("H", "L", "N"), "SI": base("H", "L", "N"), "SA": base("H", "L", "N"),
	"E":  other("X", "A", "P", "U"),
	"CR": other("X", "H", "M", "L"), "IR": other("X", "H", "M", "L"), "AR": other("X", "H", "M", "L"),
	"MAV": other("X", "N", "A", "L", "P"), "MAC": other("X", "L", "H"), "MAT": other("X", "N", "P"),
	"MPR": other("X", "N", "L", "H"), "MUI": other("X", "N", "P", "A"),
	"MVC": other("X", "H", "L", "N"), "MVI": other("X", "H", "L", "N"), "MVA": other("X", "H", "L", "N"),
	"MSC": other("X", "H", "L", "N"), "MSI": other("X", "S", "H", "L", "N"), "MSA": other("X", "S", "H", "L", "N"),
	"S": other("X", "N", "P"), "AU": other("X", "N", "Y"), "R": other("X", "A", "U", "I"),
	"V": other("X", "D", "C"), "RE": other("X", "L", "M", "H"),
	"U": other("X", "Clear", "Green", "Amber", "Red"),
}

// ParseCVSS checks the syntax of a CVSS 3.0, 3.1 or 4.0 vector: the prefix,
// known metrics with valid values, each once, and every base metric
// present. It does not compute a score. Case is normalised.
func ParseCVSS(v string) (string, error) {
	bad := func(format string, a ...any) (string, error) {
		return "", fmt.Errorf("bad CVSS vector %q: %s", shorten(v, 80), fmt.Sprintf(format, a...))
	}
	parts := strings.Split(v, "/")
	prefix := strings.ToUpper(parts[0])
	var table map[string]cvssMetric
	switch prefix {
	case "CVSS:3.0", "CVSS:3.1":
		table = cvss3
	case "CVSS:4.0":
		table = cvss4
	default:
		return bad("want CVSS:3.1/... or CVSS:4.0/...")
	}
	out := []string{prefix}
	seen := map[string]bool{}
	for _, p := range parts[1:] {
		name, val, ok := strings.Cut(p, ":")
		name = strings.ToUpper(name)
		m, known := table[name]
		if !ok || !known {
			return bad("unknown metric %q", p)
		}
		if seen[name] {
			return bad("metric %s given twice", name)
		}
		seen[name] = true
		i := indexFold(m.values, val)
		if i < 0 {
			return bad("bad value %q for %s", val, name)
		}
		out = append(out, name+":"+m.values[i])
	}
	var missing []string
	for name, m := range table {
		if m.required && !seen[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return bad("base metrics missing: %s", strings.Join(missing, ", "))
	}
	return strings.Join(out, "/"), nil
}

func indexFold(ss []string, s string) int {
	for i, x := range ss {
		if strings.EqualFold(x, s) {
			return i
		}
	}
	return -1
}
