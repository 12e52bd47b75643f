package export

import (
	"fmt"
	"strings"

	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// Score is a CVSS vector with its computed base score and the severity
// band of that score (upper-case, as the schemas spell it).
type Score struct {
	Version  string // "3.0", "3.1" or "4.0"
	Vector   string
	Base     float64
	Severity string
}

// ScoreOf computes the base score of a CVSS 3.0, 3.1 or 4.0 vector with
// github.com/pandatix/go-cvss.
func ScoreOf(vector string) (Score, error) {
	s := Score{Vector: vector}
	var err error
	switch {
	case strings.HasPrefix(vector, "CVSS:3.0/"):
		s.Version = "3.0"
		var c *gocvss30.CVSS30
		if c, err = gocvss30.ParseVector(vector); err == nil {
			s.Base = c.BaseScore()
			s.Severity, err = gocvss30.Rating(s.Base)
		}
	case strings.HasPrefix(vector, "CVSS:3.1/"):
		s.Version = "3.1"
		var c *gocvss31.CVSS31
		if c, err = gocvss31.ParseVector(vector); err == nil {
			s.Base = c.BaseScore()
			s.Severity, err = gocvss31.Rating(s.Base)
		}
	case strings.HasPrefix(vector, "CVSS:4.0/"):
		s.Version = "4.0"
		var c *gocvss40.CVSS40
		if c, err = gocvss40.ParseVector(vector); err == nil {
			s.Base = c.Score()
			s.Severity, err = gocvss40.Rating(s.Base)
		}
	default:
		return Score{}, fmt.Errorf("cvss vector %q: unknown version", vector)
	}
	if err != nil {
		return Score{}, fmt.Errorf("cvss vector %q: %w", vector, err)
	}
	return s, nil
}

// vulnScore is the score of v's vector; ok is false when it has none.
// A vector the command language accepted but go-cvss refuses is an
// error: an export never leaves out a severity silently.
func vulnScore(v Vuln) (Score, bool, error) {
	if v.Severity.CVSS == "" {
		return Score{}, false, nil
	}
	s, err := ScoreOf(v.Severity.CVSS)
	return s, err == nil, err
}
