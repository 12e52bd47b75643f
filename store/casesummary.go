package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// bucketSummary holds one compact record per case, keyed by case id: what
// `secbot case list` prints. Listing decodes these instead of every case
// record, which grows with its messages, vulnerabilities and keys: at
// 50,000 cases decoding the full records took longer than the 100 ms a
// list may take. PutCase writes a case's summary in the same transaction
// as the case, so the two never disagree (store check verifies it).
var bucketSummary = []byte("case-summary")

// CaseSummary is the part of a case that the case list shows.
type CaseSummary struct {
	ID       string
	State    string
	Opened   time.Time
	Messages int // how many messages the case holds
	Subject  string
}

func summaryOf(c *Case) CaseSummary {
	return CaseSummary{ID: c.ID, State: c.State, Opened: c.Opened, Messages: len(c.Messages), Subject: c.Subject}
}

// encodeSummary writes s (the id is the key) as: state length and state,
// opened in Unix seconds and nanoseconds, message count, and the subject
// in the rest. Varints keep a record near 40 bytes.
func encodeSummary(s CaseSummary) []byte {
	b := make([]byte, 0, 24+len(s.State)+len(s.Subject))
	b = binary.AppendUvarint(b, uint64(len(s.State)))
	b = append(b, s.State...)
	b = binary.AppendVarint(b, s.Opened.Unix())
	b = binary.AppendUvarint(b, uint64(s.Opened.Nanosecond()))
	b = binary.AppendUvarint(b, uint64(s.Messages))
	return append(b, s.Subject...)
}

var errSummary = errors.New("summary record truncated")

func decodeSummary(id, b []byte) (CaseSummary, error) {
	s := CaseSummary{ID: string(id)}
	next := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			b = nil
			return 0
		}
		b = b[n:]
		return v
	}
	stateLen := next()
	if b == nil || uint64(len(b)) < stateLen {
		return s, fmt.Errorf("case %s: %w", id, errSummary)
	}
	s.State, b = internState(b[:stateLen]), b[stateLen:]
	sec, n := binary.Varint(b)
	if n <= 0 {
		return s, fmt.Errorf("case %s: %w", id, errSummary)
	}
	b = b[n:]
	nsec := next()
	msgs := next()
	if b == nil || nsec >= uint64(time.Second) {
		return s, fmt.Errorf("case %s: %w", id, errSummary)
	}
	s.Opened = time.Unix(sec, int64(nsec)).UTC()
	s.Messages, s.Subject = int(msgs), string(b)
	return s, nil
}

// putSummary writes c's summary record.
func (tx *Tx) putSummary(c *Case) error {
	return tx.btx.Bucket(bucketSummary).Put([]byte(c.ID), encodeSummary(summaryOf(c)))
}

// CaseSummaries lists every case's summary in id order, without decoding
// the cases.
func (tx *Tx) CaseSummaries() ([]CaseSummary, error) {
	b := tx.btx.Bucket(bucketSummary)
	// Sized once: growing a slice of 50,000 summaries by doubling copied
	// and scanned more than the decoding cost. Stats reads only the
	// bucket's pages, a few hundred at that size.
	out := make([]CaseSummary, 0, b.Stats().KeyN)
	err := b.ForEach(func(k, v []byte) error {
		s, err := decodeSummary(k, v)
		out = append(out, s)
		return err
	})
	return out, err
}

// states are the case states a summary names; internState returns the
// one b spells without allocating, so 50,000 summaries share six strings.
var states = []string{StateNew, StateAccepted, StateRejected, StateDuplicate, StateClosed, StatePublished}

func internState(b []byte) string {
	for _, s := range states {
		if string(b) == s {
			return s
		}
	}
	return string(b)
}
