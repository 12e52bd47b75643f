package mailbot

import (
	"fmt"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// Notices of mails that failed for good are rate-limited like the
// alerts (alert.every): the first failure is told at once, in the
// transaction that retires the mail, with the mail's own text. Failures
// after it, within alert.every, are held in the store (the "delivery"
// alert) and told together in one notice when the period ends (a timer
// of no case): a relay that refuses everything, or a maintainer key
// changed under thirty queued mails, sends two notices, not thirty
// (which would likely fail the same way).

// alertDelivery is the stored kind of the failure notices' rate limit.
const alertDelivery = "delivery"

// tellFailure tells the maintainers that om failed for good, now or,
// within the rate limit, with the others when it ends.
func (b *Bot) tellFailure(tx *store.Tx, om *store.OutMail, what string, text func(*store.OutMail) string, now time.Time) (int, error) {
	a, err := tx.AlertOf(alertDelivery)
	if err != nil {
		return 0, err
	}
	if a.Raised.IsZero() || now.Sub(a.Raised) >= b.cfg.Alert.Every {
		a.Raised = now
		if err := tx.PutAlert(a); err != nil {
			return 0, err
		}
		return b.queueNotice(tx, om.Case, "fail."+om.ID, failureTitle(what, om), text(om), 0, now)
	}
	if len(a.Held) == 0 && a.Overflow == 0 {
		if err := tx.SetTimer(store.Timer{At: a.Raised.Add(b.cfg.Alert.Every), Kind: store.TimerFailures}); err != nil {
			return 0, err
		}
	}
	if len(a.Held) < store.HeldMax {
		a.Held = append(a.Held, om.ID)
	} else {
		a.Overflow++
	}
	return 0, tx.PutAlert(a)
}

// failuresDue tells the failures held since the last notice, in one
// notice of no case, and starts a new period.
func (b *Bot) failuresDue(tx *store.Tx, now time.Time) (int, error) {
	a, err := tx.AlertOf(alertDelivery)
	if err != nil || len(a.Held) == 0 && a.Overflow == 0 {
		return 0, err
	}
	n := len(a.Held) + a.Overflow
	var text strings.Builder
	fmt.Fprintf(&text, "%d more mail(s) failed for good since the notice of %s; notices of failures go out at most once per alert.every (%s), so these are told together. None will be retried.\n",
		n, fmtTime(a.Raised), b.cfg.Alert.Every)
	for _, id := range a.Held {
		text.WriteString("\n")
		om, err := tx.OutMail(id)
		if err != nil {
			fmt.Fprintf(&text, "Message-ID: <%s> (its outbox record is gone)\n", id)
			continue
		}
		why := "Delivery failed"
		if strings.HasPrefix(om.LastReply, "refused: ") {
			why = "Refused before sending"
		}
		fmt.Fprintf(&text, "%s: %s to %s\nCase:       %s\nMessage-ID: <%s>\nLast reply: %s\n",
			why, om.Kind, strings.Join(om.To, ", "), outmail.OrNone(om.Case), om.ID, om.LastReply)
	}
	if a.Overflow > 0 {
		fmt.Fprintf(&text, "\nand %d more, not listed here.\n", a.Overflow)
	}
	text.WriteString("\n`secbot outbox -all` lists them; `secbot case show` shows their cases.\n")
	a.Raised, a.Held, a.Overflow = now, nil, 0
	if err := tx.PutAlert(a); err != nil {
		return 0, err
	}
	return b.queueNotice(tx, "", fmt.Sprintf("fail.held.%d", now.Unix()), fmt.Sprintf("Delivery failed: %d more mail(s)", n), text.String(), 0, now)
}
