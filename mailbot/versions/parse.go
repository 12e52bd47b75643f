package versions

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Parse parses a comma-separated version list. Each item is a version
// ("1.2.3", "=1.2.3"), a bound ("<1.4.2", "<=1.4.1", ">=1.0", ">1.0"), a
// lower and an upper bound (">=1.0 <1.4.2"), or an inclusive span
// ("1.0..1.4.1", "1.0-1.4.1", "1.0 - 1.4.1").
func Parse(s string) (List, error) {
	var rs List
	for _, item := range strings.Split(s, ",") {
		r, err := parseRange(strings.TrimSpace(item))
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, nil
}

func parseRange(s string) (Range, error) {
	if s == "" {
		return Range{}, errors.New("empty item in version list")
	}
	if strings.ContainsAny(s, "<>=") {
		return parseBounds(s)
	}
	return parseSpan(s)
}

// parseSpan parses an item without operators: a version or a span.
func parseSpan(s string) (Range, error) {
	lo, hi, ok := strings.Cut(s, "..")
	if !ok {
		lo, hi, ok = strings.Cut(s, " - ")
	}
	if !ok && isDashSpan(s) {
		lo, hi, ok = strings.Cut(s, "-")
	}
	if !ok {
		if strings.ContainsAny(s, " \t") {
			return Range{}, fmt.Errorf("bad version list %q: separate versions with commas", s)
		}
		if err := Check(s); err != nil {
			return Range{}, err
		}
		return Range{Exact: s}, nil
	}
	r := Range{Introduced: strings.TrimSpace(lo), LastAffected: strings.TrimSpace(hi)}
	for _, v := range []string{r.Introduced, r.LastAffected} {
		if err := Check(v); err != nil {
			return Range{}, err
		}
	}
	return r, checkOrder(r)
}

// parseBounds parses one or two operator bounds, as in ">=1.0 <1.4.2".
func parseBounds(s string) (Range, error) {
	var r Range
	var exact, lower, upper int
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		op := s[:1]
		if strings.HasPrefix(s, "<=") || strings.HasPrefix(s, ">=") {
			op = s[:2]
		}
		if !strings.Contains("<>=", s[:1]) {
			return r, fmt.Errorf("bad version bound %q: expected <, <=, > or >=", s)
		}
		s = strings.TrimLeft(s[len(op):], " \t")
		end := strings.IndexAny(s, " \t<>=")
		if end < 0 {
			end = len(s)
		}
		v := s[:end]
		s = s[end:]
		if err := Check(v); err != nil {
			return r, err
		}
		switch op {
		case "=":
			r.Exact, exact = v, exact+1
		case ">=":
			r.Introduced, lower = v, lower+1
		case ">":
			r.After, lower = v, lower+1
		case "<":
			r.Fixed, upper = v, upper+1
		case "<=":
			r.LastAffected, upper = v, upper+1
		}
	}
	switch {
	case exact > 1 || exact > 0 && (lower > 0 || upper > 0):
		return r, errors.New("bad version range: =VERSION stands alone")
	case lower > 1 || upper > 1:
		return r, errors.New("bad version range: one lower and one upper bound at most")
	}
	return r, checkOrder(r)
}

// checkOrder refuses a range whose lower bound is above its upper bound,
// when both are plain dotted numbers that can be compared.
func checkOrder(r Range) error {
	lo, hi := r.Introduced+r.After, r.Fixed+r.LastAffected
	if lo == "" || hi == "" {
		return nil
	}
	cmp, ok := compareVersions(lo, hi)
	if !ok {
		return nil
	}
	strict := r.After != "" || r.Fixed != ""
	if cmp > 0 || strict && cmp == 0 {
		return fmt.Errorf("bad version range %q: empty", r.String())
	}
	return nil
}

// Check checks the syntax of one version: an optional v, a digit,
// then letters, digits and . + ~ _ -, as in "1.2.3", "v2.0.0-rc.1",
// "2024.01+build7". ".." is not allowed (it makes spans).
func Check(v string) error {
	if v == "" {
		return errors.New("missing version")
	}
	if len(v) > 64 {
		return fmt.Errorf("bad version %q: longer than 64 bytes", shorten(v, 64))
	}
	body := v
	if body[0] == 'v' || body[0] == 'V' {
		body = body[1:]
	}
	if body == "" || body[0] < '0' || body[0] > '9' {
		return fmt.Errorf("bad version %q: must start with a digit", v)
	}
	for _, r := range body {
		if !isWordRune(r) && !strings.ContainsRune(".+~-", r) {
			return fmt.Errorf("bad version %q: character %q", v, r)
		}
	}
	if strings.Contains(v, "..") || strings.ContainsAny(v[len(v)-1:], ".+~-") {
		return fmt.Errorf("bad version %q", v)
	}
	return nil
}

// isDashSpan reports whether s is a span "1.0-1.4.1". "1.2.3-1" and
// "1.0.0-rc1" are versions: both sides of a span must be dotted numbers of
// two parts or more, and there must be one dash only.
func isDashSpan(s string) bool {
	a, b, ok := strings.Cut(s, "-")
	return ok && !strings.Contains(b, "-") &&
		isDottedNumber(strings.TrimLeft(a, "vV"), 2) && isDottedNumber(strings.TrimLeft(b, "vV"), 2)
}

// isDottedNumber reports whether s is digits separated by dots, with at
// least min parts.
func isDottedNumber(s string, min int) bool {
	parts := strings.Split(s, ".")
	if len(parts) < min {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// compareVersions compares two versions of dotted numbers, with an optional
// v, numerically part by part; ok is false when either has other text.
func compareVersions(a, b string) (cmp int, ok bool) {
	a, b = strings.TrimLeft(a, "vV"), strings.TrimLeft(b, "vV")
	if !isDottedNumber(a, 1) || !isDottedNumber(b, 1) {
		return 0, false
	}
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		x, y := "", "" // a missing part counts as 0, and 0 trims to ""
		if i < len(pa) {
			x = strings.TrimLeft(pa[i], "0")
		}
		if i < len(pb) {
			y = strings.TrimLeft(pb[i], "0")
		}
		// Compare as strings to avoid overflow: longer is larger.
		if c := len(x) - len(y); c != 0 {
			return c, true
		}
		if c := strings.Compare(x, y); c != 0 {
			return c, true
		}
	}
	return 0, true
}

func isWordRune(r rune) bool {
	return r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// shorten cuts s to at most n bytes, on a rune boundary, for messages.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
