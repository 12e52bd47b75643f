package outmail

import (
	"strings"
	"time"
)

// OrNone is s, or "(none)" when it is empty.
func OrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// FmtTime is a time as mail shows it, in UTC.
func FmtTime(t time.Time) string {
	if t.IsZero() {
		return "(unknown)"
	}
	return t.UTC().Format("Mon, 2 Jan 2006 15:04 MST")
}

// FmtCRD is a coordinated release date as mail shows it, or "".
func FmtCRD(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("Mon 2006-01-02 15:04 MST")
}

// SpacedFP groups a fingerprint by four, as gpg prints it.
func SpacedFP(fp string) string {
	var parts []string
	for i := 0; i < len(fp); i += 4 {
		parts = append(parts, fp[i:min(i+4, len(fp))])
	}
	return strings.Join(parts, " ")
}
