package config

import "time"

// Alert sets the operator alerts by mail: one encrypted notice to the
// maintainers when a fault begins, one when it clears.
type Alert struct {
	// IntakeAfter is how long intake may go without a successful IMAP
	// sync before the maintainers are told (default 30m; "0s" turns the
	// alert off).
	IntakeAfter time.Duration `toml:"intake_after"`
	// Every is the rate limit: at most one alert of a kind per this
	// (default 6h), so that a fault that comes and goes sends one pair of
	// mails, not one per flap.
	Every time.Duration `toml:"every"`
}

// defaultAlert is what a config without [alert] gets.
var defaultAlert = Alert{IntakeAfter: 30 * time.Minute, Every: 6 * time.Hour}

func (c *Config) checkAlert(p *Problems) {
	a := c.Alert
	if a.IntakeAfter < 0 || a.IntakeAfter > 0 && a.IntakeAfter < time.Minute {
		p.addf("alert.intake_after %s: want at least 1m, or 0s to turn the alert off", a.IntakeAfter)
	}
	if a.IntakeAfter > 0 && a.IntakeAfter < 2*c.IMAP.PollInterval {
		p.addf("alert.intake_after %s: want at least twice imap.poll_interval (%s), or a healthy idle intake raises it", a.IntakeAfter, c.IMAP.PollInterval)
	}
	if a.Every < 0 {
		p.addf("alert.every %s: want a positive duration", a.Every)
	}
}
