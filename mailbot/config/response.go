package config

import (
	"time"
)

// Response is what the project promises reporters about answers.
type Response struct {
	// FirstReply is the time within which a human answers a new report
	// ("72h"); zero promises nothing. A case with no maintainer mail or
	// command by then reminds the maintainers.
	FirstReply time.Duration `toml:"first_reply"`
	// Escalate, with EscalateKeyFile, is told too at twice FirstReply,
	// encrypted to that key (pinned by fingerprint).
	Escalate        string `toml:"escalate"`
	EscalateKeyFile string `toml:"escalate_key_file"`
}

func (c *Config) checkResponse(p *Problems, keys KeyChecker, now time.Time) {
	r := c.Response
	if r.FirstReply < 0 || r.FirstReply > 0 && r.FirstReply < time.Hour {
		p.addf("response.first_reply %s: want at least 1h, or leave it out", r.FirstReply)
	}
	if r.Escalate == "" {
		if r.EscalateKeyFile != "" {
			p.addf("response.escalate_key_file without response.escalate")
		}
		return
	}
	checkAddress(p, "response.escalate", r.Escalate)
	if r.FirstReply == 0 {
		p.addf("response.escalate needs response.first_reply")
	}
	if r.EscalateKeyFile == "" {
		p.addf("response.escalate_key_file missing: the escalation names the case and goes out only encrypted")
	} else if _, err := keys(c.Path(r.EscalateKeyFile), false, true, now); err != nil {
		p.addf("response.escalate_key_file %s: %v", r.EscalateKeyFile, err)
	}
}
