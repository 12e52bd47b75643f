package mailbot

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/secbot/secbot/mailbot/outbox"
	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// queue is the outbox.Queue the sender works on, over the store. It
// renders queued mails on first use and keeps the rendered bytes with the
// entry when the attempt is recorded, so retries send identical mail.
type queue struct {
	b *Bot

	mu       sync.Mutex
	rendered map[string][]byte // id → bytes rendered in Due, stored by Attempt
}

var _ outbox.Queue = (*queue)(nil)

// Due implements outbox.Queue. Each mail is rendered in a read
// transaction of its own, so that encrypting a batch never holds one long
// transaction open against the writers.
//
// Fan-outs are expanded into their mails first, so that what a message
// caused is sent in the order the messages came.
func (q *queue) Due(now time.Time, limit int) ([]outbox.Entry, time.Time, error) {
	if _, err := q.b.ExpandFanouts(); err != nil {
		return nil, time.Time{}, err
	}
	var (
		due  []*store.OutMail
		next time.Time
	)
	err := q.b.store.View(func(tx *store.Tx) error {
		var err error
		due, next, err = tx.Due(now, limit)
		return err
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	var out []outbox.Entry
	for _, om := range due {
		var e outbox.Entry
		err := q.b.store.View(func(tx *store.Tx) error {
			var err error
			e, err = q.entry(tx, om)
			return err
		})
		var perm outmail.PermanentError
		switch {
		case errors.As(err, &perm):
			q.b.log.Error("mail refused before sending", "id", om.ID, "reason", perm.Error())
			if err := q.retire(om.ID, now, refusedReply(perm), "Mail refused before sending", refusedText); err != nil {
				return nil, time.Time{}, err
			}
		case err != nil:
			// Not this mail's fault for good (say, a transient error):
			// try it again later, and let the others through meanwhile.
			q.b.log.Error("mail could not be rendered; retrying later", "id", om.ID, "err", err)
			if err := q.Attempt(om.ID, now, now.Add(time.Minute)); err != nil {
				return nil, time.Time{}, err
			}
		default:
			out = append(out, e)
		}
	}
	return out, next, nil
}

func (q *queue) entry(tx *store.Tx, om *store.OutMail) (outbox.Entry, error) {
	e := outbox.Entry{ID: om.ID, From: om.From, To: om.To, Queued: om.Queued, Attempts: om.Attempts, Data: om.Data}
	if e.Data != nil {
		return e, nil
	}
	data, err := q.b.render(tx, om)
	if err != nil {
		return e, err
	}
	q.mu.Lock()
	q.rendered[om.ID] = data
	q.mu.Unlock()
	e.Data = data
	return e, nil
}

// Attempt implements outbox.Queue: the attempt and the next try are on
// disk before the sender dials.
func (q *queue) Attempt(id string, now, next time.Time) error {
	q.mu.Lock()
	data := q.rendered[id]
	delete(q.rendered, id)
	q.mu.Unlock()
	return q.b.store.Update(func(tx *store.Tx) error {
		om, err := tx.OutMail(id)
		if err != nil {
			return err
		}
		om.Attempts++
		om.LastAttempt, om.NextAttempt = now, next
		if om.Data == nil {
			om.Data = data
		}
		return tx.UpdateOutMail(om)
	})
}

// Delivered implements outbox.Queue.
func (q *queue) Delivered(id string, now time.Time, reply string) error {
	return q.b.store.Update(func(tx *store.Tx) error {
		om, err := tx.OutMail(id)
		if err != nil {
			return err
		}
		om.State, om.Done, om.LastReply = store.OutSent, now, reply
		tx.OnCommit(func() { q.b.metrics.Mail(om.Kind, true, now); q.b.metrics.SMTPReply(reply) })
		return tx.UpdateOutMail(om)
	})
}

// Failed implements outbox.Queue. A permanent failure retires the entry
// and, in the same transaction, tells the maintainers.
func (q *queue) Failed(id string, now time.Time, reply string, permanent bool) error {
	q.b.metrics.SMTPReply(reply)
	if permanent {
		return q.retire(id, now, reply, "Delivery failed", undeliveredText)
	}
	return q.b.store.Update(func(tx *store.Tx) error {
		om, err := tx.OutMail(id)
		if err != nil {
			return err
		}
		om.LastReply = reply
		return tx.UpdateOutMail(om)
	})
}

// refusedReply is what an outbox entry keeps of a refusal: "refused: "
// and the reason, whose own leading "refused" words go.
func refusedReply(perm outmail.PermanentError) string {
	reason := perm.Error()
	for _, p := range []string{"refused: ", "refused to send: "} {
		for strings.HasPrefix(reason, p) {
			reason = strings.TrimPrefix(reason, p)
		}
	}
	return "refused: " + reason
}

// failureTitle is the subject of a notice about a failed mail: what
// happened, to which kind of mail, and to whom, so that two notices about
// two failures never share one.
func failureTitle(what string, om *store.OutMail) string {
	return fmt.Sprintf("%s: %s to %s", what, om.Kind, strings.Join(om.To, ", "))
}

// undeliveredText is the notice for a mail the SMTP server refused for
// good. The server's reply is quoted on a line of its own, as it came.
func undeliveredText(om *store.OutMail) string {
	return fmt.Sprintf("A %s mail could not be delivered and will not be retried.\n\nMessage-ID: <%s>\nRecipients: %s\nAttempts:   %d\n\nThe server's last reply:\n> %s\n",
		om.Kind, om.ID, strings.Join(om.To, ", "), om.Attempts, om.LastReply)
}

// refusedText is the notice for a mail refused before sending: its reason
// (say, the maintainer it is pinned to was removed or has a new key), and
// that it is gone for good: a queued mail is only ever encrypted to the
// key it was queued for, so nothing sends it to a new key.
func refusedText(om *store.OutMail) string {
	return fmt.Sprintf("A %s mail was refused before sending and will not be sent.\n\nReason:     %s\nMessage-ID: <%s>\nRecipients: %s\n\n"+
		"secbot encrypts a queued mail only to the key it was queued for, and never sends it in the clear "+
		"or to another key: this one is retired. `secbot case show` shows what its case holds.\n",
		om.Kind, strings.TrimPrefix(om.LastReply, "refused: "), om.ID, strings.Join(om.To, ", "))
}

// retire marks a mail failed for good and, in the same transaction, tells
// the maintainers with a notice (what, with the mail's kind and
// recipients, is its title; text makes its text), unless the mail is
// itself a notice; within the rate limit, the notice waits to be told
// with the others (failnotice.go).
func (q *queue) retire(id string, now time.Time, reply, what string, text func(*store.OutMail) string) error {
	queued := 0
	err := q.b.store.Update(func(tx *store.Tx) error {
		queued = 0
		om, err := tx.OutMail(id)
		if err != nil {
			return err
		}
		om.LastReply = reply
		om.State, om.Done = store.OutFailed, now
		tx.OnCommit(func() { q.b.metrics.Mail(om.Kind, false, now) })
		if err := tx.UpdateOutMail(om); err != nil {
			return err
		}
		if om.Case != "" {
			if err := tx.Audit(store.AuditEntry{Time: now, Case: om.Case, Actor: "secbot", Action: "delivery-failed", Detail: om.Kind + ": " + reply}); err != nil {
				return err
			}
		}
		if om.NoFailNotice {
			return nil
		}
		queued, err = q.b.tellFailure(tx, om, what, text, now)
		return err
	})
	if err == nil && queued > 0 {
		q.b.kick()
	}
	return err
}
