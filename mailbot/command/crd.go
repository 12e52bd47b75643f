package command

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The default time of day for a crd given as a date only: 14:00 UTC. This is
// a chosen default, not a standard: it is morning in the Americas and
// afternoon in Europe, and the distros list wants a time with every date.
const (
	defaultCRDHour   = 14
	defaultCRDMinute = 0
)

// Limits that Validate applies to a crd.
const (
	// MinCRDLead is how far ahead a crd must be: a date that is already
	// past, or less than an hour away, is refused, force or not.
	MinCRDLead = time.Hour

	// MaxCRDAhead is how far ahead a crd may be without the force word. It
	// catches typos such as 2062 for 2026; embargo policy proper (14 days
	// for distros) belongs to the policy checks, which may also honour
	// Force.
	MaxCRDAhead = 366 * 24 * time.Hour
)

// Errors from Validate.
var (
	// ErrCRDTooSoon is a crd in the past or less than MinCRDLead ahead.
	ErrCRDTooSoon = errors.New("crd is in the past or less than an hour ahead")
	// ErrCRDTooFar is a crd more than MaxCRDAhead ahead without force.
	ErrCRDTooFar = errors.New("crd is more than a year ahead (add force to confirm)")
)

// Validate checks the rules of a command that need the current time: a crd
// must be at least MinCRDLead after now, and at most MaxCRDAhead after now
// unless Force is set. Other commands are always valid here.
func Validate(c Command, now time.Time) error {
	if c.Kind != KindCRD || c.Clear {
		return nil
	}
	if c.CRD.Before(now.Add(MinCRDLead)) {
		return fmt.Errorf("%w: %s", ErrCRDTooSoon, formatCRD(c.CRD))
	}
	if !c.Force && c.CRD.After(now.Add(MaxCRDAhead)) {
		return fmt.Errorf("%w: %s", ErrCRDTooFar, formatCRD(c.CRD))
	}
	return nil
}

// parseCRD parses "DATE [HH:MM] [ZONE] [force]" or "clear".
func parseCRD(c *Command, arg string) error {
	w := words(arg)
	if len(w) == 1 && isClear(w[0]) {
		c.Clear = true
		return nil
	}
	if n := len(w); n > 0 && strings.EqualFold(w[n-1], "force") {
		c.Force, w = true, w[:n-1]
	}
	if len(w) == 0 {
		return fmt.Errorf("%w: crd needs a date YYYY-MM-DD, or clear", ErrMissingArgument)
	}
	y, mo, d, err := parseDate(w[0])
	if err != nil {
		return err
	}
	w = w[1:]
	h, mi := defaultCRDHour, defaultCRDMinute
	// A word of words is never empty: w[0][0] exists.
	if len(w) > 0 && w[0][0] >= '0' && w[0][0] <= '9' {
		if h, mi, err = parseClock(w[0]); err != nil {
			return err
		}
		w = w[1:]
	}
	loc := time.UTC
	if len(w) > 0 {
		if loc, err = parseZone(w[0]); err != nil {
			return err
		}
		w = w[1:]
	}
	if len(w) > 0 {
		return fmt.Errorf("crd: unexpected %q (expected DATE [HH:MM] [ZONE] [force])", w[0])
	}
	t := time.Date(y, time.Month(mo), d, h, mi, 0, 0, loc)
	if t.Hour() != h || t.Minute() != mi || t.Day() != d {
		return fmt.Errorf("bad time %02d:%02d: does not exist on %s in %s", h, mi, dateString(y, mo, d), loc)
	}
	c.CRD = t
	return nil
}

func dateString(y, m, d int) string { return fmt.Sprintf("%04d-%02d-%02d", y, m, d) }

// parseDate parses YYYY-MM-DD strictly.
func parseDate(s string) (y, m, d int, err error) {
	bad := func(why string) error { return fmt.Errorf("bad date %q: %s", s, why) }
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, bad("want YYYY-MM-DD")
	}
	var ok1, ok2, ok3 bool
	y, ok1 = atoi(s[:4])
	m, ok2 = atoi(s[5:7])
	d, ok3 = atoi(s[8:])
	switch {
	case !ok1 || !ok2 || !ok3:
		return 0, 0, 0, bad("want YYYY-MM-DD")
	case m < 1 || m > 12:
		return 0, 0, 0, bad("month out of range")
	case d < 1 || d > daysIn(y, m):
		return 0, 0, 0, bad("day out of range")
	}
	return y, m, d, nil
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseClock parses HH:MM, 24-hour; a one-digit hour is allowed.
func parseClock(s string) (h, m int, err error) {
	hs, ms, found := strings.Cut(s, ":")
	var okh, okm bool
	h, okh = atoi(hs)
	m, okm = atoi(ms)
	if !found || !okh || !okm || len(hs) > 2 || len(ms) != 2 || h > 23 || m > 59 {
		return 0, 0, fmt.Errorf("bad time %q: want HH:MM, 00:00 to 23:59", s)
	}
	return h, m, nil
}

// parseZone parses UTC (also Z, GMT), an offset +02:00 or +0200, or an
// IANA zone name such as Europe/Berlin.
func parseZone(s string) (*time.Location, error) {
	switch strings.ToUpper(s) {
	case "UTC", "Z", "GMT":
		return time.UTC, nil
	}
	if s[0] == '+' || s[0] == '-' {
		return parseOffset(s)
	}
	if !isZoneName(s) {
		return nil, fmt.Errorf("bad time zone %q", s)
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", s)
	}
	return loc, nil
}

// isZoneName checks the syntax of an IANA zone name before it is looked up,
// and refuses "Local", which would depend on the machine.
func isZoneName(s string) bool {
	if len(s) > 64 || s == "Local" || strings.Contains(s, "..") {
		return false
	}
	for i, part := range strings.Split(s, "/") {
		if part == "" || i == 0 && !(part[0] >= 'A' && part[0] <= 'Z' || part[0] >= 'a' && part[0] <= 'z') {
			return false
		}
		for _, r := range part {
			if !isWordRune(r) && r != '-' && r != '+' && r != '.' {
				return false
			}
		}
	}
	return true
}

// parseOffset parses ±HH:MM or ±HHMM into a fixed zone named ±HH:MM; a zero
// offset is UTC.
func parseOffset(s string) (*time.Location, error) {
	body := strings.Replace(s[1:], ":", "", 1)
	h, okh := atoi(body[:min(2, len(body))])
	m, okm := atoi(body[min(2, len(body)):])
	if len(body) != 4 || !okh || !okm || h > 14 || m > 59 {
		return nil, fmt.Errorf("bad UTC offset %q: want +HH:MM", s)
	}
	secs := (h*60 + m) * 60
	if secs == 0 {
		return time.UTC, nil
	}
	if s[0] == '-' {
		secs = -secs
	}
	return time.FixedZone(fmt.Sprintf("%c%02d:%02d", s[0], h, m), secs), nil
}

// atoi parses a non-empty string of ASCII digits.
func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// formatCRD returns the canonical crd text: "2026-12-01 14:00 Europe/Berlin".
func formatCRD(t time.Time) string {
	return t.Format("2006-01-02 15:04") + " " + t.Location().String()
}
