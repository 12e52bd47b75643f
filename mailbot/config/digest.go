package config

import (
	"strings"
	"time"
)

// Digest is the weekly digest of open cases, for the maintainers: off
// unless Day is set.
type Digest struct {
	// Day is the weekday the digest goes out ("monday"); empty: no digest.
	Day string `toml:"day"`
	// Hour is the hour of that day, 0 to 23 (default 9), in Zone.
	Hour int `toml:"hour"`
	// Zone is a zone name ("Europe/Berlin") or UTC (the default).
	Zone string `toml:"zone"`
}

// On says whether a digest is configured.
func (d Digest) On() bool { return d.Day != "" }

// weekday reads Day, in any letter case, full or three letters.
func (d Digest) weekday() (time.Weekday, bool) {
	day := strings.ToLower(d.Day)
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		name := strings.ToLower(wd.String())
		if day == name || day == name[:3] {
			return wd, true
		}
	}
	return 0, false
}

func (d Digest) location() (*time.Location, error) {
	if d.Zone == "" {
		return time.UTC, nil
	}
	return time.LoadLocation(d.Zone)
}

// Next is the first digest time strictly after t, or zero when the digest
// is off or misconfigured (Check reports that). Each day is taken in the
// zone, so the digest keeps its local hour across daylight saving time.
func (d Digest) Next(t time.Time) time.Time {
	wd, ok := d.weekday()
	loc, err := d.location()
	if !ok || err != nil || d.Hour < 0 || d.Hour > 23 {
		return time.Time{}
	}
	l := t.In(loc)
	for i := 0; i <= 7; i++ {
		day := time.Date(l.Year(), l.Month(), l.Day()+i, d.Hour, 0, 0, 0, loc)
		if day.Weekday() == wd && day.After(t) {
			return day
		}
	}
	return time.Time{} // not reached: a week holds every weekday
}

// Scheduled says whether t is a time the digest is planned for, so that
// a stored timer made under another schedule is replaced.
func (d Digest) Scheduled(t time.Time) bool {
	n := d.Next(t.Add(-time.Second))
	return !n.IsZero() && n.Equal(t)
}

func (c *Config) checkDigest(p *Problems) {
	d := c.Digest
	if !d.On() {
		return
	}
	if _, ok := d.weekday(); !ok {
		p.addf("digest.day %q: want a weekday, such as monday", d.Day)
	}
	if d.Hour < 0 || d.Hour > 23 {
		p.addf("digest.hour %d: want 0 to 23", d.Hour)
	}
	if _, err := d.location(); err != nil {
		p.addf("digest.zone %q: %v", d.Zone, err)
	}
}
