package outmail

import (
	"fmt"
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

// FmtDuration is a duration as mail says it: "2 days", "36 hours", or
// Go's form for what is not whole hours.
func FmtDuration(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d > 0 && d%(24*time.Hour) == 0:
		return plural(int64(d/(24*time.Hour)), "day")
	case d > 0 && d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	}
	return d.String()
}
