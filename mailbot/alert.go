package mailbot

import (
	"fmt"
	"time"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// Operator alerts (alert.intake_after, alert.every): when intake has gone
// longer than alert.intake_after without a successful IMAP sync, the
// maintainers get one encrypted mail of kind Alert, and a second one when
// a sync succeeds again. The alert's state is in the store, so a restart
// neither repeats it nor loses the mail that says it cleared; at most one
// alert goes out per alert.every, so a flapping server sends one pair.
// (A mail that failed for good has its own notice, from queue.retire,
// under the same rate limit: see failnotice.go.)

// alertIntake is the stored kind of the intake alert.
const alertIntake = "intake"

// synced records a successful sync, for the intake alert.
func (b *Bot) synced(now time.Time) { b.lastSync.Store(now.UnixNano()) }

// lastSynced is the time of the last sync of this run, zero if none.
func (b *Bot) lastSynced() time.Time {
	if n := b.lastSync.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// checkIntake raises or clears the intake alert. The scheduler calls it
// on every look, and a sync after a gap kicks the scheduler. It writes
// only when the alert changes.
func (b *Bot) checkIntake(now time.Time) error {
	if b.cfg.Alert.IntakeAfter <= 0 {
		return nil
	}
	var a store.Alert
	if err := b.store.View(func(tx *store.Tx) (err error) { a, err = tx.AlertOf(alertIntake); return err }); err != nil {
		return err
	}
	if _, ok := b.intakeStep(a, now); !ok {
		return nil
	}
	queued := 0
	err := b.store.Update(func(tx *store.Tx) error {
		a, err := tx.AlertOf(alertIntake)
		if err != nil {
			return err
		}
		m, ok := b.intakeStep(a, now)
		if !ok {
			return nil
		}
		if queued, err = b.queueAlert(tx, m.tag, m.title, m.text, now); err != nil {
			return err
		}
		return tx.PutAlert(m.next)
	})
	if queued > 0 {
		b.kick()
	}
	return err
}

// alertMail is a change of an alert: its new state and the mail that
// says so.
type alertMail struct {
	next             store.Alert
	tag, title, text string
}

// intakeStep decides whether the intake alert a changes at now: raised
// when intake has failed longer than alert.intake_after and none went
// out within alert.every; cleared by a sync of this run (a restart alone
// clears nothing).
func (b *Bot) intakeStep(a store.Alert, now time.Time) (alertMail, bool) {
	after := b.cfg.Alert.IntakeAfter
	synced := b.lastSynced()
	last := synced
	if last.IsZero() {
		last = b.started // before the first sync, intake counts from the start
	}
	failing := now.Sub(last) > after
	switch {
	case failing && !a.Open && (a.Raised.IsZero() || now.Sub(a.Raised) >= b.cfg.Alert.Every):
		a.Open, a.Since, a.Raised = true, last, now
		return alertMail{a, fmt.Sprintf("alert.intake.%d", now.Unix()), "Alert: intake is failing",
			fmt.Sprintf("secbot has not synced with the IMAP mailbox since %s (%s ago; alert.intake_after is %s).\n\n"+
				"New reports are not read until it does. `secbot status` and the log (part=intake) say why.",
				fmtTime(last), now.Sub(last).Round(time.Second), after)}, true
	case a.Open && !failing && !synced.IsZero() && synced.After(a.Since):
		a.Open, a.Cleared = false, now
		return alertMail{a, fmt.Sprintf("alert.intake-cleared.%d", a.Raised.Unix()), "Cleared: intake works again",
			fmt.Sprintf("secbot synced with the IMAP mailbox again at %s, after failing since %s.", fmtTime(synced), fmtTime(a.Since))}, true
	}
	return alertMail{}, false
}

// queueAlert queues an Alert to every maintainer. It asks for no notice
// if it fails: that notice would fail the same way.
func (b *Bot) queueAlert(tx *store.Tx, tag, title, text string, now time.Time) (int, error) {
	return b.toMaintainers(tx, "", outmail.Alert, tag, outmail.Spec{Title: title, Text: text}, true, now)
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }
