package command

import (
	"fmt"
	"slices"
	"strings"

	"github.com/secbot/secbot/mailbot/cvss"
)

// parseType parses "[CWE-N] [text]" or "clear".
func parseType(c *Command, arg string) error {
	if isClear(arg) {
		c.Clear = true
		return nil
	}
	if arg == "" {
		return fmt.Errorf("%w: type needs CWE-N or text, or clear", ErrMissingArgument)
	}
	first, rest, _ := strings.Cut(arg, " ")
	if i := strings.IndexByte(first, '\t'); i >= 0 {
		first, rest = arg[:i], arg[i+1:]
	}
	first = strings.TrimSuffix(first, ":")
	if len(first) >= 4 && strings.EqualFold(first[:4], "cwe-") {
		n, ok := atoi(first[4:])
		if !ok || n == 0 || len(first) > 4+7 {
			return fmt.Errorf("bad CWE id %q: want CWE-N, as in CWE-79", first)
		}
		c.CWE = fmt.Sprintf("CWE-%d", n)
		c.Text = strings.TrimSpace(rest)
		return nil
	}
	c.Text = arg
	return nil
}

// severities maps each accepted level to its normalised name.
var severities = map[string]string{
	"none": "none", "low": "low", "medium": "medium", "moderate": "medium",
	"high": "high", "important": "high", "critical": "critical",
}

// parseSeverity parses "LEVEL [CVSS-VECTOR]", "CVSS-VECTOR" or "clear".
// A vector alone takes the level its base score falls in.
func parseSeverity(c *Command, arg string) error {
	if isClear(arg) {
		c.Clear = true
		return nil
	}
	w := words(arg)
	if len(w) == 0 {
		return fmt.Errorf("%w: severity needs a level, or clear", ErrMissingArgument)
	}
	if len(w) == 1 && hasPrefixFold(w[0], "cvss:") {
		w = []string{"", w[0]}
	} else if level, ok := severities[strings.ToLower(w[0])]; ok {
		c.Severity = level
	} else {
		return fmt.Errorf("bad severity %q: want none, low, medium, high or critical", w[0])
	}
	switch len(w) {
	case 1:
		return nil
	case 2:
		v, err := cvss.Parse(w[1])
		if err != nil {
			return err
		}
		c.CVSS, c.Score, c.Band = v.String, v.Score, v.Band()
		if c.Severity == "" {
			c.Severity = c.Band
		}
		return nil
	}
	return fmt.Errorf("severity: unexpected %q", w[2])
}

// parseCVE parses "CVE-YYYY-NNNN", "request" or "clear".
func parseCVE(c *Command, arg string) error {
	switch {
	case strings.EqualFold(arg, "request"):
		c.Kind = KindCVERequest
		return nil
	case isClear(arg):
		c.Clear = true
		return nil
	case arg == "":
		return fmt.Errorf("%w: cve needs CVE-YYYY-NNNN, request or clear", ErrMissingArgument)
	}
	id, err := ParseCVE(arg)
	c.CVE = id
	return err
}

// ParseCVE checks a CVE id, CVE-YYYY-NNNN with four digits or more in the
// sequence number and a year from 1999 to 2100, and returns it upper-cased.
func ParseCVE(s string) (string, error) {
	bad := func(why string) (string, error) { return "", fmt.Errorf("bad CVE id %q: %s", shorten(s, 40), why) }
	u := strings.ToUpper(s)
	rest, ok := strings.CutPrefix(u, "CVE-")
	year, seq, ok2 := strings.Cut(rest, "-")
	y, oky := atoi(year)
	_, oks := atoi(seq)
	switch {
	case !ok || !ok2 || !oky || !oks || len(year) != 4:
		return bad("want CVE-YYYY-NNNN")
	case y < 1999 || y > 2100:
		return bad("year out of range")
	case len(seq) < 4:
		return bad("sequence number needs four digits or more")
	}
	return u, nil
}

// parseDuplicate parses a case id.
func parseDuplicate(c *Command, arg string) error {
	id, err := ParseCaseID(arg)
	c.CaseID = id
	return err
}

// ParseCaseID checks a case id, PREFIX-YYYY-NNNN as in SEC-2026-0001, and
// returns it upper-cased.
func ParseCaseID(s string) (string, error) {
	bad := fmt.Errorf("bad case id %q: want PREFIX-YYYY-NNNN, as in SEC-2026-0001", shorten(s, 40))
	u := strings.ToUpper(s)
	parts := strings.Split(u, "-")
	if len(u) > 40 || len(parts) != 3 {
		return "", bad
	}
	p, year, seq := parts[0], parts[1], parts[2]
	_, oky := atoi(year)
	_, oks := atoi(seq)
	if p == "" || p[0] < 'A' || p[0] > 'Z' || strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" ||
		!oky || len(year) != 4 || !oks || len(seq) < 4 {
		return "", bad
	}
	return u, nil
}

// parseBranch parses "NAME FIXED-VERSION".
func parseBranch(c *Command, arg string) error {
	w := words(arg)
	if len(w) != 2 {
		return fmt.Errorf("%w: want branch NAME FIXED-VERSION, as in branch 1.4 1.4.3", ErrMissingArgument)
	}
	if !isName(w[0], "._/+-") || w[0][0] == '-' {
		return fmt.Errorf("bad branch name %q", w[0])
	}
	if err := checkVersion(w[1]); err != nil {
		return err
	}
	c.Branch, c.FixedVersion = w[0], w[1]
	return nil
}

// parsePatch parses "" or "drop NAME".
func parsePatch(c *Command, arg string) error {
	if arg == "" {
		return nil
	}
	w := words(arg)
	if len(w) != 2 || !strings.EqualFold(w[0], "drop") {
		return fmt.Errorf("patch: want patch, or patch drop NAME")
	}
	if !isName(w[1], "._+-") {
		return fmt.Errorf("bad patch name %q", w[1])
	}
	c.Drop = w[1]
	return nil
}

// parseNotify parses one or more contact ids, separated by spaces or
// commas. Ids are lower-cased and duplicates dropped.
func parseNotify(c *Command, arg string) error {
	w := strings.FieldsFunc(arg, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' })
	if len(w) == 0 {
		return fmt.Errorf("%w: notify needs one or more contact ids", ErrMissingArgument)
	}
	for _, id := range w {
		id = strings.ToLower(id)
		if !isName(id, "._-") {
			return fmt.Errorf("bad contact id %q: want [a-z0-9._-]", id)
		}
		if !slices.Contains(c.IDs, id) {
			c.IDs = append(c.IDs, id)
		}
	}
	return nil
}

// parsePublish parses "" or "now".
func parsePublish(c *Command, arg string) error {
	switch {
	case arg == "":
	case strings.EqualFold(arg, "now"):
		c.Now = true
	default:
		return fmt.Errorf("publish: want publish, or publish now")
	}
	return nil
}

// isName reports whether s is 1 to 64 ASCII letters, digits and extra.
func isName(s, extra string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !isWordRune(r) && !strings.ContainsRune(extra, r) {
			return false
		}
	}
	return true
}
