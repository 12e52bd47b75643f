package mailbot

import (
	"fmt"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// fanoutBatch is how many fan-outs one transaction expands: large enough
// that a backlog costs few commits, small enough that the first mails of
// a backlog leave soon.
const fanoutBatch = 256

// ExpandFanouts turns every waiting fan-out into its outbox entries, a
// batch per transaction, and returns how many mails it queued. The sender
// calls it before it takes due mail; it is exported for the benchmarks,
// which measure it apart from ingestion.
//
// Each fan-out is removed in the transaction that queues its mails, so a
// crash leaves it whole or done, and the mails' stable Message-IDs keep a
// repeated expansion from queueing twice. When a batch's transaction
// fails, its fan-outs are expanded one by one, and one the store still
// refuses is set aside with a notice: no single one can hold up all mail.
func (b *Bot) ExpandFanouts() (int, error) {
	total := 0
	for {
		// Look before writing: most calls find nothing, and a write
		// transaction commits (and syncs) even when it wrote nothing.
		var fs []*store.Fanout
		if err := b.store.View(func(tx *store.Tx) (err error) {
			fs, err = tx.Fanouts(fanoutBatch)
			return err
		}); err != nil {
			return total, err
		}
		if len(fs) == 0 {
			return total, nil
		}
		n, err := b.expandAll(fs)
		if err != nil {
			b.log.Warn("fan-outs could not be expanded together: one by one", "count", len(fs), "err", err)
			n = 0
			for _, f := range fs {
				k, err := b.expandAll([]*store.Fanout{f})
				if err != nil {
					k, err = b.setAside(f, err)
				}
				if err != nil {
					return total, err
				}
				n += k
			}
		}
		total += n
		if len(fs) < fanoutBatch {
			return total, nil
		}
	}
}

// expandAll expands fs and removes them, in one transaction.
func (b *Bot) expandAll(fs []*store.Fanout) (int, error) {
	n := 0
	err := b.store.Update(func(tx *store.Tx) error {
		n = 0
		for _, f := range fs {
			k, err := b.expand(tx, f)
			if err != nil {
				return fmt.Errorf("expand fanout of message %d: %w", f.Msg, err)
			}
			n += k
			if err := tx.DeleteFanout(f.Seq); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// setAside removes a fan-out the store refuses to expand, and tells the
// maintainers which message went without its acknowledgement and relays.
func (b *Bot) setAside(f *store.Fanout, cause error) (int, error) {
	b.log.Error("fan-out set aside: its mails could not be queued", "case", f.Case, "msg", f.Msg, "err", cause)
	n := 0
	err := b.store.Update(func(tx *store.Tx) error {
		if err := tx.DeleteFanout(f.Seq); err != nil {
			return err
		}
		var err error
		n, err = b.queueNotice(tx, f.Case, fmt.Sprintf("fanout.%d", f.Msg), "Mail for a message could not be queued",
			fmt.Sprintf("secbot could not queue the acknowledgement and the relays of message %d on %s (%v).\nThe message itself is stored; `secbot case show %s` shows it.", f.Msg, f.Case, cause, f.Case),
			f.Msg, f.Queued)
		return err
	})
	return n, err
}

// expand queues the mails of one fan-out: the acknowledgement, then a
// relay to each maintainer, encrypted to the key that maintainer has now.
// The mails count as queued when the message was recorded.
func (b *Bot) expand(tx *store.Tx, f *store.Fanout) (int, error) {
	if b.failExpand != nil {
		if err := b.failExpand(f); err != nil {
			return 0, err
		}
	}
	if !tx.CaseExists(f.Case) {
		tx.OnCommit(func() { b.log.Error("fanout names no stored case: dropped", "case", f.Case, "msg", f.Msg) })
		return 0, nil
	}
	n := 0
	if len(f.AckTo) > 0 {
		sp := outmail.Spec{For: outmail.ToReporter("", ""), Msg: f.Msg, InReplyTo: f.InReplyTo, References: f.References}
		ok, err := b.enqueue(tx, f.Case, outmail.Ack, "ack."+f.Case, f.AckTo, sp, false, f.Queued)
		if err != nil {
			return 0, err
		}
		n += boolInt(ok)
	}
	sp := outmail.Spec{Msg: f.Msg, New: f.New, Problem: f.Problem, InReplyTo: f.InReplyTo, References: f.References}
	kind := outmail.Relay
	if f.Contact != "" {
		// A pre-notified contact's mail: marked as theirs, for the
		// maintainers alone (conversation.go).
		kind, sp.Contact, sp.ContactSigned = outmail.DownstreamRelay, f.Contact, f.ContactSigned
	}
	k, err := b.toMaintainers(tx, f.Case, kind, relayTag(f.Msg), sp, false, f.Queued)
	return n + k, err
}
