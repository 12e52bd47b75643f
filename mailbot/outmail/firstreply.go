package outmail

import (
	"time"

	"github.com/secbot/secbot/store"
)

// renderFirstReply reminds the maintainers (or, escalated, the escalation
// address) that a new case has had no answer. It names the case, never
// its subject or a word of the report.
func renderFirstReply(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	c, base, err := caseOf(r, om)
	if err != nil {
		return nil, err
	}
	base["Opened"], base["Age"] = FmtTime(c.Opened), r.Now.Sub(c.Opened).Round(time.Hour).String()
	base["Promise"], base["Escalated"] = r.Config.Response.FirstReply.String(), sp.For.Class == Escalation
	return r.templateMail(om, sp, base)
}
