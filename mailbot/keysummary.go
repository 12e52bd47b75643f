package mailbot

import (
	"fmt"
	"time"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// ReporterKeyLines say, per reporter, which key mail to them is encrypted
// to and where it came from, and which key waits for confirmation: for
// the case summary and `secbot case show`.
func ReporterKeyLines(c *store.Case) []string {
	var out []string
	for _, addr := range c.Reporters {
		st := c.Keys[addr]
		if st == nil {
			st = &store.ReporterKeys{}
		}
		line := addr + ": " + describeKey(st.Current)
		if pk := st.Pending; pk != nil {
			line += fmt.Sprintf("; pending confirmation: %s (mailed %s, valid until %s; not used)", outmail.SpacedFP(pk.Fingerprint), fmtDay(pk.Asked), fmtDay(pk.Expires))
		}
		out = append(out, line)
	}
	return out
}

func describeKey(k *store.ReporterKey) string {
	if k == nil {
		return "no key (mail to them is signed, not encrypted)"
	}
	fp := outmail.SpacedFP(k.Fingerprint)
	switch k.Source {
	case store.KeySourceReport:
		return fmt.Sprintf("%s, from the report", fp)
	case store.KeySourceConfirmed:
		return fmt.Sprintf("%s, confirmed by mail on %s", fp, fmtDay(k.Since))
	case store.KeySourceMaintainer:
		return fmt.Sprintf("%s, set by maintainer %s on %s", fp, outmail.SpacedFP(k.By), fmtDay(k.Since))
	case store.KeySourceMigrated:
		return fmt.Sprintf("%s, migrated from an older secbot, unconfirmed: NOT used until a maintainer confirms it (\"reporter-key ADDRESS FINGERPRINT\")", fp)
	}
	return fmt.Sprintf("%s, of unknown source %q: not used", fp, k.Source)
}

func fmtDay(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") }
