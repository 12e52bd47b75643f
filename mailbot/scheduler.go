package mailbot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// defaultSchedulerPoll is how often the scheduler looks at its timers
// when nothing wakes it sooner; it also bounds the error of a clock jump.
const defaultSchedulerPoll = 30 * time.Second

// runScheduler fires the timers kept in the store: publication at the
// CRD, the reminder before it, the first-reply promise and the weekly
// digest; on each look it also checks the intake alert and the expiry
// of the configured keys. A timer is deleted in the same
// transaction that does its work, so a crash fires it again, never loses
// it.
func (b *Bot) runScheduler(ctx context.Context) error {
	poll := b.opts.SchedulerPoll
	if poll == 0 {
		poll = defaultSchedulerPoll
	}
	for {
		if err := b.checkIntake(b.now()); err != nil {
			b.log.Error("intake alert", "err", err)
		}
		if err := b.checkKeyExpiry(b.now()); err != nil {
			b.log.Error("key expiry warnings", "err", err)
		}
		next, err := b.fireTimers()
		if err != nil {
			b.log.Error("scheduler", "err", err)
		}
		b.looks.Add(1)
		wait := poll
		if !next.IsZero() {
			wait = min(wait, max(next.Sub(b.now()), 10*time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-b.schedKick:
		case <-time.After(wait):
		}
	}
}

// SchedulerLooks counts the looks the scheduler has completed, so that a
// test that moved the clock can wait for one that saw it.
func (b *Bot) SchedulerLooks() int64 { return b.looks.Load() }

// KickScheduler makes the scheduler look at its timers now (tests and the
// demo call it after moving their clock).
func (b *Bot) KickScheduler() {
	select {
	case b.schedKick <- struct{}{}:
	default:
	}
}

func (b *Bot) fireTimers() (time.Time, error) {
	now := b.now()
	var (
		due  []store.Timer
		next time.Time
	)
	err := b.store.View(func(tx *store.Tx) error {
		var err error
		due, next, err = tx.Timers(now)
		return err
	})
	if err != nil {
		return time.Time{}, err
	}
	// One transaction per timer: a timer that fails does not hold up the
	// others, and is tried again at the next look.
	var errs []error
	for _, t := range due {
		queued := 0
		err := b.store.Update(func(tx *store.Tx) error {
			var err error
			queued, err = b.fire(tx, t, now)
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("timer %s %s: %w", t.Kind, t.Case, err))
			if next.IsZero() || now.Add(time.Minute).Before(next) {
				next = now.Add(time.Minute)
			}
		}
		if queued > 0 {
			b.kick()
		}
	}
	return next, errors.Join(errs...)
}

func (b *Bot) fire(tx *store.Tx, t store.Timer, now time.Time) (int, error) {
	if err := tx.DeleteTimer(t.Case, t.Kind); err != nil {
		return 0, err
	}
	switch t.Kind { // of no case
	case store.TimerDigest:
		return b.digestDue(tx, t, now)
	case store.TimerRetention:
		return b.retentionDue(tx, now)
	case store.TimerFailures:
		return b.failuresDue(tx, now)
	}
	c, err := tx.Case(t.Case)
	if err != nil {
		return 0, err
	}
	var n int
	switch t.Kind {
	case store.TimerPublish:
		if !c.Embargo.Armed || c.State != store.StateAccepted || !c.Fields.CRD.Equal(t.At) {
			return 0, nil // disarmed, closed or moved since: a stale timer
		}
		if req, _ := b.missing(c); len(req) > 0 {
			// A field was cleared after arming: publish nothing, say why.
			c.Embargo.Armed = false
			n, err = b.queueNotice(tx, c.ID, fmt.Sprintf("publish-refused.%s.%d", c.ID, now.Unix()), "Publication refused at the CRD",
				"The announcement was armed, but the advisory now lacks "+strings.Join(req, ", ")+". Nothing was published; set the fields and send \"publish\" or \"publish now\".", 0, now)
			break
		}
		n, err = b.publishCase(tx, c, now)
	case store.TimerRemind:
		n, err = b.remind(tx, c, now)
	case store.TimerFirstReply, store.TimerEscalate:
		n, err = b.firstReplyDue(tx, c, t.Kind, now)
	}
	if err != nil {
		return 0, err
	}
	return n, tx.PutCase(c)
}

// remind tells the maintainers, shortly before the CRD, what is still
// missing: the announcement not armed, or no patch.
func (b *Bot) remind(tx *store.Tx, c *store.Case, now time.Time) (int, error) {
	if c.State == store.StatePublished || c.Fields.CRD.IsZero() || c.Embargo.Reminded.Equal(c.Fields.CRD) {
		return 0, nil
	}
	var problems []string
	if !c.Embargo.Armed {
		problems = append(problems, "the announcement is not armed (send \"publish\")")
	}
	all, err := tx.Patches(c.ID)
	if err != nil {
		return 0, err
	}
	if len(store.Current(all)) == 0 {
		problems = append(problems, "the case has no patch")
	}
	if len(problems) == 0 {
		return 0, nil
	}
	c.Embargo.Reminded = c.Fields.CRD
	sp := outmail.Spec{Text: strings.Join(problems, "\n")}
	return b.toMaintainers(tx, c.ID, outmail.Reminder, fmt.Sprintf("reminder.%s.%d", c.ID, c.Fields.CRD.Unix()), sp, false, now)
}
