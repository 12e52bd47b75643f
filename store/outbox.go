package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Outbox entry states.
const (
	OutPending = "pending"
	OutSent    = "sent"
	OutFailed  = "failed"
)

// OutMail is one mail waiting in, or retired from, the outbox. It is
// written in the same transaction as the case change that caused it.
//
// A mail is stored as a rendering Spec rather than as bytes: rendering
// and encrypting happen when the sender first takes the mail, which keeps
// ingest transactions short. The first rendering is kept in Data so that
// every retry sends the same bytes; it is stored apart from the record
// (bucket outbox-data), and read back into Data. (Schema 1 kept it
// inline, in the record; schema 4 moved it out.)
type OutMail struct {
	// ID is the Message-ID the mail will carry: the idempotency key.
	ID   string `json:"id"`
	Case string `json:"case,omitempty"`
	// Kind is the mail's mailbot/outmail.Kind (ack, relay, notice...):
	// its row says how it is rendered and whether it may leave unencrypted.
	Kind string          `json:"kind"`
	Spec json.RawMessage `json:"spec,omitempty"`
	From string          `json:"from"`
	To   []string        `json:"to"`
	Data []byte          `json:"-"`

	Queued      time.Time `json:"queued"`
	NextAttempt time.Time `json:"next_attempt"`
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	Attempts    int       `json:"attempts"`
	State       string    `json:"state"`
	LastReply   string    `json:"last_reply,omitempty"`
	Done        time.Time `json:"done,omitzero"`
	// NoFailNotice marks mails whose permanent failure must not cause
	// another notice (the notices themselves), so failures cannot loop.
	NoFailNotice bool `json:"no_fail_notice,omitempty"`
}

func dueKey(t time.Time, id string) []byte {
	return append(u64(uint64(t.UnixNano())), id...)
}

// Enqueue adds m as pending, due at m.NextAttempt (or m.Queued). An id
// already in the outbox is left as it is: enqueueing is idempotent.
func (tx *Tx) Enqueue(m *OutMail) (bool, error) {
	if m.ID == "" {
		return false, fmt.Errorf("enqueue: empty id")
	}
	if tx.btx.Bucket(bucketOutbox).Get([]byte(m.ID)) != nil {
		return false, nil
	}
	m.State = OutPending
	if m.NextAttempt.IsZero() {
		m.NextAttempt = m.Queued
	}
	if err := tx.putOutMail(m); err != nil {
		return false, err
	}
	due := tx.btx.Bucket(bucketDue)
	due.FillPercent = appendFill // new entries are due now: keys mostly grow
	if err := due.Put(dueKey(m.NextAttempt, m.ID), nil); err != nil {
		return false, fmt.Errorf("index due %s: %w", m.ID, err)
	}
	return true, nil
}

// OutMail reads one outbox entry.
func (tx *Tx) OutMail(id string) (*OutMail, error) {
	var m OutMail
	if err := tx.getJSON(bucketOutbox, []byte(id), &m); err != nil {
		return nil, fmt.Errorf("outbox %s: %w", id, err)
	}
	if d := tx.btx.Bucket(bucketOutData).Get([]byte(id)); d != nil {
		m.Data = bytes.Clone(d)
	}
	return &m, nil
}

// putOutMail writes m's record, and its rendered bytes (which never
// change once set) in a bucket of their own the first time they are
// there: inline, each attempt and delivery record would re-encode them
// as base64 JSON, twice.
func (tx *Tx) putOutMail(m *OutMail) error {
	if m.Data != nil {
		data := tx.btx.Bucket(bucketOutData)
		if data.Get([]byte(m.ID)) == nil {
			if err := data.Put([]byte(m.ID), m.Data); err != nil {
				return fmt.Errorf("put outbox data %s: %w", m.ID, err)
			}
		}
	}
	return tx.putJSON(bucketOutbox, []byte(m.ID), m)
}

// Due returns up to max pending entries due at now, oldest first, and the
// earliest due time of the rest (zero when nothing else is pending).
func (tx *Tx) Due(now time.Time, max int) ([]*OutMail, time.Time, error) {
	var out []*OutMail
	c := tx.btx.Bucket(bucketDue).Cursor()
	limit := u64(uint64(now.UnixNano()))
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if bytes.Compare(k[:8], limit) > 0 || len(out) >= max {
			return out, time.Unix(0, int64(beU64(k[:8]))), nil
		}
		m, err := tx.OutMail(string(k[8:]))
		if err != nil {
			return nil, time.Time{}, err
		}
		out = append(out, m)
	}
	return out, time.Time{}, nil
}

// UpdateOutMail rewrites m, moving its due index entry from the time it
// had to m.NextAttempt, or removing it once m is no longer pending.
func (tx *Tx) UpdateOutMail(m *OutMail) error {
	old, err := tx.OutMail(m.ID)
	if err != nil {
		return err
	}
	due := tx.btx.Bucket(bucketDue)
	if old.State == OutPending {
		if err := due.Delete(dueKey(old.NextAttempt, old.ID)); err != nil {
			return fmt.Errorf("unindex due %s: %w", m.ID, err)
		}
	}
	if m.State == OutPending {
		if err := due.Put(dueKey(m.NextAttempt, m.ID), nil); err != nil {
			return fmt.Errorf("index due %s: %w", m.ID, err)
		}
	}
	return tx.putOutMail(m)
}

// Outbox lists every entry, pending, sent and failed, in id order.
func (tx *Tx) Outbox() ([]*OutMail, error) {
	var out []*OutMail
	err := tx.btx.Bucket(bucketOutbox).ForEach(func(k, _ []byte) error {
		m, err := tx.OutMail(string(k))
		if err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// PendingCount returns how many entries wait to be sent, counting each
// fan-out not yet expanded as one.
func (tx *Tx) PendingCount() int {
	return tx.btx.Bucket(bucketDue).Stats().KeyN + tx.FanoutCount()
}
