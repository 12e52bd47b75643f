package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Retention sets how long secbot keeps the bytes of reports: reports can
// hold personal data.
type Retention struct {
	// RawAfterClose: the raw and decrypted bodies of the messages of a
	// case closed, rejected, a duplicate or published, and unchanged for
	// this long, are purged ("730d"); zero (the default) keeps them.
	RawAfterClose Days `toml:"raw_after_close"`
}

// On says whether bodies are ever purged.
func (r Retention) On() bool { return r.RawAfterClose > 0 }

// Days is a duration that also reads whole days: "730d", or any Go
// duration ("48h").
type Days time.Duration

// UnmarshalText reads "Nd" or a Go duration.
func (d *Days) UnmarshalText(b []byte) error {
	s := string(b)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		v, err := strconv.Atoi(n)
		if err != nil || v < 0 {
			return fmt.Errorf("%q: want a number of days (730d) or a duration (48h)", s)
		}
		*d = Days(time.Duration(v) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q: want a number of days (730d) or a duration (48h)", s)
	}
	*d = Days(v)
	return nil
}

// D is d as a time.Duration.
func (d Days) D() time.Duration { return time.Duration(d) }

func (c *Config) checkRetention(p *Problems) {
	if d := c.Retention.RawAfterClose.D(); d < 0 || d > 0 && d < 24*time.Hour {
		p.addf("retention.raw_after_close %s: want at least 1d, or leave it out to keep every body", d)
	}
}
