package mailbot

import (
	"fmt"

	"github.com/secbot/secbot/store"
)

// fanoutBatch is how many fan-outs one transaction expands: large enough
// that a backlog costs few commits, small enough that the first mails of
// a backlog leave soon.
const fanoutBatch = 256

// ExpandFanouts turns every waiting fan-out into its outbox entries, a
// batch per transaction, and returns how many mails it queued. The
// sender calls it before it takes due mail; it is exported for the
// benchmarks, which measure it apart from ingestion. Each fan-out is removed in the transaction that
// queues its mails, so a crash leaves it whole or done, and the mails'
// stable Message-IDs keep a repeated expansion from queueing twice.
func (b *Bot) ExpandFanouts() (int, error) {
	total := 0
	for {
		n, more := 0, false
		err := b.store.Update(func(tx *store.Tx) error {
			n = 0
			fs, err := tx.Fanouts(fanoutBatch)
			if err != nil {
				return err
			}
			more = len(fs) == fanoutBatch
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
		if err != nil {
			return total, err
		}
		total += n
		if !more {
			return total, nil
		}
	}
}

// expand queues the mails of one fan-out: the acknowledgement, then a
// relay to each maintainer, encrypted to the key that maintainer has now.
// The mails count as queued when the message was recorded.
func (b *Bot) expand(tx *store.Tx, f *store.Fanout) (int, error) {
	if !tx.CaseExists(f.Case) {
		b.log.Error("fanout names no stored case: dropped", "case", f.Case, "msg", f.Msg)
		return 0, nil
	}
	n := 0
	if len(f.AckTo) > 0 {
		sp := spec{Msg: f.Msg, InReplyTo: f.InReplyTo, References: f.References}
		ok, err := b.enqueue(tx, f.Case, KindAck, "ack."+f.Case, f.AckTo, sp, false, f.Queued)
		if err != nil {
			return 0, err
		}
		n += boolInt(ok)
	}
	sp := spec{Msg: f.Msg, New: f.New, Problem: f.Problem, InReplyTo: f.InReplyTo, References: f.References}
	k, err := b.toMaintainers(tx, f.Case, KindRelay, fmt.Sprintf("relay.%d", f.Msg), sp, false, f.Queued)
	return n + k, err
}
