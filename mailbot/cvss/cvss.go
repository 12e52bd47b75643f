// Package cvss reads a CVSS 3.0, 3.1 or 4.0 vector and computes its base
// score, with github.com/pandatix/go-cvss, which implements FIRST's
// specifications (the CVSS v3.1 specification, section 7, and the CVSS
// v4.0 specification, section 8). Exports need the score beside every
// vector (the CVE JSON 5 schema requires baseScore and baseSeverity), and
// the severity a maintainer states is checked against it.
package cvss

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// Vector is a parsed vector in its canonical form.
type Vector struct {
	// String is the vector with metric names upper-case, values in the
	// specification's case and metrics in the specification's order, which
	// the CVE JSON 5 schema's patterns require.
	String string
	// Version is "3.0", "3.1" or "4.0".
	Version string
	// Score is the base score, 0.0 to 10.0 (for 4.0, the CVSS-B score of
	// the base metrics, or the score its threat and environmental metrics
	// give when the vector carries them).
	Score float64
}

// Band is the qualitative severity rating of the score.
func (v Vector) Band() string { return Band(v.Score) }

// Band is the qualitative severity rating of a score (CVSS v3.1
// specification, section 5; v4.0 keeps the same scale): none 0.0, low
// 0.1–3.9, medium 4.0–6.9, high 7.0–8.9, critical 9.0–10.0.
func Band(score float64) string {
	switch {
	case score >= 9.0:
		return "critical"
	case score >= 7.0:
		return "high"
	case score >= 4.0:
		return "medium"
	case score >= 0.1:
		return "low"
	}
	return "none"
}

// ErrVector is wrapped by every error of Parse.
var ErrVector = errors.New("bad CVSS vector")

// Parse reads a CVSS 3.0, 3.1 or 4.0 vector. Metric names and values may
// be in any case and, unlike what the specifications require, in any
// order: the canonical String puts them right. Every base metric must be
// present, each metric once.
func Parse(s string) (Vector, error) {
	bad := func(format string, a ...any) (Vector, error) {
		return Vector{}, fmt.Errorf("%w %q: %s", ErrVector, shorten(s, 80), fmt.Sprintf(format, a...))
	}
	prefix, rest, _ := strings.Cut(s, "/")
	version, ok := strings.CutPrefix(strings.ToUpper(prefix), "CVSS:")
	if !ok || !slices.Contains([]string{"3.0", "3.1", "4.0"}, version) {
		return bad("want CVSS:3.1/... or CVSS:4.0/...")
	}
	metrics, err := normalise(rest, version)
	if err != nil {
		return bad("%v", err)
	}
	v, err := score("CVSS:"+version+"/"+strings.Join(metrics, "/"), version)
	if err != nil {
		return bad("%v", err)
	}
	return v, nil
}

// score parses a normalised vector with the library.
func score(s, version string) (Vector, error) {
	switch version {
	case "3.0":
		c, err := gocvss30.ParseVector(s)
		if err != nil {
			return Vector{}, err
		}
		return Vector{String: c.Vector(), Version: version, Score: c.BaseScore()}, nil
	case "3.1":
		c, err := gocvss31.ParseVector(s)
		if err != nil {
			return Vector{}, err
		}
		return Vector{String: c.Vector(), Version: version, Score: c.BaseScore()}, nil
	default:
		c, err := gocvss40.ParseVector(s)
		if err != nil {
			return Vector{}, err
		}
		return Vector{String: c.Vector(), Version: version, Score: c.Score()}, nil
	}
}

// order4 is the order of the CVSS v4.0 metrics (specification, section
// 7), which a 4.0 vector must follow.
var order4 = []string{"AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA",
	"E", "CR", "IR", "AR", "MAV", "MAC", "MAT", "MPR", "MUI", "MVC", "MVI", "MVA", "MSC", "MSI", "MSA",
	"S", "AU", "R", "V", "RE", "U"}

// normalise upper-cases the metrics of rest, refuses one given twice, and
// for 4.0 sorts them into the specification's order (go-cvss reorders
// 3.x itself when it writes the vector back).
func normalise(rest, version string) ([]string, error) {
	if rest == "" {
		return nil, errors.New("no metrics")
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(rest, "/") {
		name, val, ok := strings.Cut(p, ":")
		name, val = strings.ToUpper(name), strings.ToUpper(val)
		if !ok || name == "" {
			return nil, fmt.Errorf("bad metric %q", shorten(p, 20))
		}
		if seen[name] {
			return nil, fmt.Errorf("metric %s given twice", name)
		}
		seen[name] = true
		if version == "4.0" && name == "U" && len(val) > 1 {
			val = val[:1] + strings.ToLower(val[1:]) // Clear, Green, Amber, Red
		}
		out = append(out, name+":"+val)
	}
	if version == "4.0" {
		slices.SortStableFunc(out, func(a, b string) int { return rank4(a) - rank4(b) })
	}
	return out, nil
}

// rank4 is the place of metric m ("AV:N") in order4; an unknown metric
// goes last, where the library refuses it.
func rank4(m string) int {
	name, _, _ := strings.Cut(m, ":")
	if i := slices.Index(order4, name); i >= 0 {
		return i
	}
	return len(order4)
}

// shorten cuts s to at most n bytes, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}
