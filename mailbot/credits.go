package mailbot

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/command"
	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// Credit consent. A credit line naming a reporter's address sends that
// reporter the exact credit text to confirm, and the credit is pending
// until a maintainer records the answer ("credit confirmed NAME", "credit
// declined NAME") or corrects the line. The reporter's answer is an
// ordinary mail on the case, relayed to the maintainers. A declined
// credit is never named in any output (advisory.buildCredits).

// sameCredit compares what a credit line says, whatever its consent.
func sameCredit(a, b store.Credit) bool {
	return a.Name == b.Name && a.Address == b.Address && a.Kind == b.Kind
}

// askConsent marks a credit naming a reporter pending and queues the
// confirmation request; it returns what the transcript adds.
func (r *cmdRun) askConsent(cr *store.Credit) string {
	addr := strings.ToLower(cr.Address)
	if addr == "" || !slices.Contains(r.c.Reporters, addr) {
		return ""
	}
	cr.Status = store.CreditPending
	c, text := r.c, advisory.Credit{Name: cr.Name, Kind: cr.Kind}.String()
	// Named by the command mail and the request's place among its
	// deferred mails: two credits asked by one mail are two requests,
	// not one taken twice (the outbox drops a Message-ID it holds).
	tag := fmt.Sprintf("credit.%s.%d.%d", c.ID, r.msg.Key, len(r.after))
	r.after = append(r.after, func() (int, error) { return r.b.queueCreditConfirm(r.tx, c, addr, text, tag, r.now) })
	how := "encrypted"
	if c.UsableKey(addr) == nil {
		how = "signed, not encrypted: no key known"
	}
	return fmt.Sprintf(" (pending: %s is asked to confirm it, %s)", addr, how)
}

// creditOutcome records a person's answer on the credits with their
// name: the case's and every vulnerability's own.
func (r *cmdRun) creditOutcome(cmd *command.Credit) (string, error) {
	n := 0
	for _, cr := range r.c.AllCredits() {
		if strings.EqualFold(cr.Name, cmd.Name) {
			cr.Status, n = cmd.Outcome, n+1
		}
	}
	if n == 0 {
		return "", fmt.Errorf("no credit names %q", cmd.Name)
	}
	if cmd.Outcome == store.CreditDeclined {
		return fmt.Sprintf("credit declined: %d credit(s) will not be named in any output", n), nil
	}
	return fmt.Sprintf("credit confirmed: %d credit(s)", n), nil
}

// queueCreditConfirm mails one reporter the credit text, in the case
// thread, encrypted when the case holds a trusted key for them.
func (b *Bot) queueCreditConfirm(tx *store.Tx, c *store.Case, addr, text, tag string, now time.Time) (int, error) {
	sp := outmail.Spec{For: outmail.ToReporter(addr, ""), Text: text}
	if k := c.UsableKey(addr); k != nil {
		sp.For.FP = k.Fingerprint
	}
	ok, err := b.enqueue(tx, c.ID, outmail.CreditConfirm, tag, []string{addr}, sp, false, now)
	return boolInt(ok), err
}

// pendingCreditsWarning is publish's warning about credits whose person
// has not answered yet: they are published as written.
func pendingCreditsWarning(c *store.Case) string {
	var names []string
	for _, cr := range c.AllCredits() {
		if cr.Status == store.CreditPending && !slices.Contains(names, cr.Name) {
			names = append(names, cr.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf(" (warning: credits not confirmed yet, published as written unless you correct them: %s)", strings.Join(names, ", "))
}

// CreditLines are a case's credits with their consent, for `case show`:
// the case's, then each vulnerability's own. A declined credit shows
// without its name.
func CreditLines(c *store.Case) []string {
	out := creditLines(c.Fields.Credits)
	for _, v := range c.Vulns {
		for _, l := range creditLines(v.Credits) {
			out = append(out, fmt.Sprintf("%s (vulnerability %d only)", l, v.N))
		}
	}
	return out
}

func creditLines(credits []store.Credit) []string {
	var out []string
	for _, cr := range credits {
		switch cr.Status {
		case store.CreditDeclined:
			out = append(out, "(name withheld: declined to be named)")
		case "":
			out = append(out, advisory.Credit{Name: cr.Name, Kind: cr.Kind}.String())
		default:
			out = append(out, advisory.Credit{Name: cr.Name, Kind: cr.Kind}.String()+" ["+cr.Status+"]")
		}
	}
	return out
}
