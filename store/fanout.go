package store

import (
	"encoding/json"
	"fmt"
	"time"
)

// A Fanout is the mail one incoming message causes, not yet made into
// outbox entries: the acknowledgement to the reporter when it opened a
// case, and a relay to every maintainer. Ingest writes this one small
// record, in the transaction that records the message; the sender expands
// it into the individual mails (each with its stable Message-ID and its
// recipient's pinned key) in a transaction of its own, before it sends.
// Keys only grow, so a backlog appends instead of splitting pages all
// over the outbox, and the maintainers' keys are taken when the mails are
// made, not when the report came in.
type Fanout struct {
	Seq  uint64 `json:"-"`
	Case string `json:"case"`
	Msg  uint64 `json:"msg"`
	// New says the message opened the case.
	New bool `json:"new,omitempty"`
	// AckTo are the reporters to acknowledge; empty when there is nobody
	// to acknowledge (a reply, an internal case, an automatic mail).
	AckTo   []string `json:"ack_to,omitempty"`
	Problem string   `json:"problem,omitempty"`
	// Contact is the pre-notified downstream contact the message came
	// from (conversation.go in mailbot): it is relayed to the maintainers
	// marked as theirs, and to nobody else. ContactSigned says the
	// contact's key signed it; without it the mail only claims to be theirs.
	Contact       string    `json:"contact,omitempty"`
	ContactSigned bool      `json:"contact_signed,omitempty"`
	InReplyTo     string    `json:"in_reply_to,omitempty"`
	References    []string  `json:"references,omitempty"`
	Queued        time.Time `json:"queued"`
}

// AddFanout records f for the sender to expand.
func (tx *Tx) AddFanout(f *Fanout) error {
	b := tx.btx.Bucket(bucketFanout)
	b.FillPercent = appendFill
	seq, err := b.NextSequence()
	if err != nil {
		return fmt.Errorf("fanout sequence: %w", err)
	}
	f.Seq = seq
	data, err := encodeJSON(f.appendJSON, f, f.Queued)
	if err != nil {
		return fmt.Errorf("encode fanout %d: %w", seq, err)
	}
	return b.Put(u64(seq), data)
}

// Fanouts returns up to max fan-outs, oldest first.
func (tx *Tx) Fanouts(max int) ([]*Fanout, error) {
	var out []*Fanout
	c := tx.btx.Bucket(bucketFanout).Cursor()
	for k, v := c.First(); k != nil && len(out) < max; k, v = c.Next() {
		f := &Fanout{Seq: beU64(k)}
		if err := json.Unmarshal(v, f); err != nil {
			return nil, fmt.Errorf("decode fanout %d: %w", f.Seq, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// DeleteFanout removes a fan-out once it has been expanded.
func (tx *Tx) DeleteFanout(seq uint64) error {
	if err := tx.btx.Bucket(bucketFanout).Delete(u64(seq)); err != nil {
		return fmt.Errorf("delete fanout %d: %w", seq, err)
	}
	return nil
}

// FanoutCount returns how many fan-outs wait to be expanded. It counts
// with a cursor, which (unlike bbolt's Stats) sees what the open
// transaction wrote; the bucket holds only what the sender has not
// reached yet.
func (tx *Tx) FanoutCount() int {
	n := 0
	c := tx.btx.Bucket(bucketFanout).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	return n
}
