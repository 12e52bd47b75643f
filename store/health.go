package store

import (
	"encoding/json"
	"time"
)

var keyHealth = []byte("health-probe")

// PendingByKind counts the pending outbox mails by kind; fan-outs not
// yet expanded count under "fanout".
func (tx *Tx) PendingByKind() map[string]int {
	out := map[string]int{}
	c := tx.btx.Bucket(bucketDue).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		var m struct {
			Kind string `json:"kind"`
		}
		if len(k) > 8 && json.Unmarshal(tx.btx.Bucket(bucketOutbox).Get(k[8:]), &m) == nil {
			out[m.Kind]++
		}
	}
	if n := tx.FanoutCount(); n > 0 {
		out["fanout"] = n
	}
	return out
}

// OldestDue is when the earliest pending mail was due (zero: none).
func (tx *Tx) OldestDue() time.Time {
	k, _ := tx.btx.Bucket(bucketDue).Cursor().First()
	if len(k) < 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(beU64(k[:8])))
}

// Publications counts the armed announcements (publication timers) and
// returns the earliest CRD among them (zero: none).
func (tx *Tx) Publications() (n int, next time.Time) {
	c := tx.btx.Bucket(bucketTimers).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var t Timer
		if jsonUnmarshal(v, &t) != nil || t.Kind != TimerPublish {
			continue
		}
		if n++; next.IsZero() {
			next = t.At // timers are keyed by time: the first is the earliest
		}
	}
	return n, next
}

// TouchHealth writes now into the meta bucket: a commit that proves the
// store can be written.
func (tx *Tx) TouchHealth(now time.Time) error {
	return tx.btx.Bucket(bucketMeta).Put(keyHealth, u64(uint64(now.UnixNano())))
}
