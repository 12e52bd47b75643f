package mailbot

import (
	"fmt"
	"time"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// The response-time promise (response.first_reply). A case a reporter
// opens gets a timer at the promised time; when it fires and no
// maintainer's signed mail has come in on the case, the maintainers are
// reminded, and, when response.escalate is set, the escalation address
// is told at twice the time. The timers live in the store, so a restart
// keeps them.

// armFirstReply sets the first-reply timer of a case a reporter opened.
func (b *Bot) armFirstReply(tx *store.Tx, c *store.Case) error {
	d := b.cfg.Response.FirstReply
	if d <= 0 || c.Internal {
		return nil
	}
	return tx.SetTimer(store.Timer{At: c.Opened.Add(d), Case: c.ID, Kind: store.TimerFirstReply})
}

// firstReplyDue fires a first-reply or escalation timer: nothing when a
// maintainer answered, or the case is no longer new.
func (b *Bot) firstReplyDue(tx *store.Tx, c *store.Case, kind string, now time.Time) (int, error) {
	if !c.LastMaintainer.IsZero() || c.State != store.StateNew {
		return 0, nil
	}
	if kind == store.TimerFirstReply {
		if b.keys.Escalate != nil {
			if err := tx.SetTimer(store.Timer{At: c.Opened.Add(2 * b.cfg.Response.FirstReply), Case: c.ID, Kind: store.TimerEscalate}); err != nil {
				return 0, err
			}
		}
		return b.toMaintainers(tx, c.ID, outmail.FirstReply, "first-reply."+c.ID, outmail.Spec{}, false, now)
	}
	esc := b.keys.Escalate
	if esc == nil || esc.Err != nil {
		b.log.Error("escalation NOT sent: the escalation address has no usable key", "case", c.ID)
		return 0, nil
	}
	sp := outmail.Spec{For: outmail.ToEscalation(esc.FP)}
	ok, err := b.enqueue(tx, c.ID, outmail.FirstReply, fmt.Sprintf("escalate.%s", c.ID), []string{esc.Address}, sp, false, now)
	return boolInt(ok), err
}
