package store

import (
	"fmt"
	"time"
)

// Timer kinds.
const (
	TimerPublish = "publish"
	TimerRemind  = "remind"
	// TimerFirstReply fires when a new case had no maintainer answer in
	// response.first_reply; TimerEscalate at twice that.
	TimerFirstReply = "first-reply"
	TimerEscalate   = "escalate"
	// TimerDigest is the weekly digest: one timer of no case (Case is
	// empty), re-armed each time it fires.
	TimerDigest = "digest"
	// TimerRetention purges the bodies of old closed cases, daily: one
	// timer of no case, re-armed each time it fires.
	TimerRetention = "retention"
	// TimerFailures tells the mails that failed for good while the
	// notices of failures were rate-limited: one timer of no case.
	TimerFailures = "failures"
)

// Timer is a scheduled action on a case. Timers live in the store so that
// they survive restarts.
type Timer struct {
	At   time.Time `json:"at"`
	Case string    `json:"case"`
	Kind string    `json:"kind"`
}

// Bucket timers is keyed by due time, so that the scheduler reads what is
// due from the front; bucket timer-index finds a case's timer of a kind
// (key "CASE/kind", value its key in timers), so that replacing or
// deleting one does not scan every timer. A case has at most one timer of
// each kind.

func timerKey(t Timer) []byte {
	return append(u64(uint64(t.At.UnixNano())), timerIndexKey(t.Case, t.Kind)...)
}

func timerIndexKey(caseID, kind string) []byte { return []byte(caseID + "/" + kind) }

// SetTimer schedules t, replacing any timer of the same case and kind.
func (tx *Tx) SetTimer(t Timer) error {
	if err := tx.DeleteTimer(t.Case, t.Kind); err != nil {
		return err
	}
	key := timerKey(t)
	if err := tx.putJSON(bucketTimers, key, t); err != nil {
		return fmt.Errorf("put timer %s/%s: %w", t.Case, t.Kind, err)
	}
	if err := tx.btx.Bucket(bucketTimerIdx).Put(timerIndexKey(t.Case, t.Kind), key); err != nil {
		return fmt.Errorf("index timer %s/%s: %w", t.Case, t.Kind, err)
	}
	return nil
}

// DeleteTimer removes the timer of a case and kind, if any.
func (tx *Tx) DeleteTimer(caseID, kind string) error {
	idx := tx.btx.Bucket(bucketTimerIdx)
	ik := timerIndexKey(caseID, kind)
	key := idx.Get(ik)
	if key == nil {
		return nil
	}
	if err := tx.btx.Bucket(bucketTimers).Delete(key); err != nil {
		return fmt.Errorf("delete timer %s: %w", ik, err)
	}
	if err := idx.Delete(ik); err != nil {
		return fmt.Errorf("unindex timer %s: %w", ik, err)
	}
	return nil
}

// TimerOf returns the timer of a case and kind, if there is one.
func (tx *Tx) TimerOf(caseID, kind string) (Timer, bool, error) {
	key := tx.btx.Bucket(bucketTimerIdx).Get(timerIndexKey(caseID, kind))
	if key == nil {
		return Timer{}, false, nil
	}
	var t Timer
	if err := tx.getJSON(bucketTimers, key, &t); err != nil {
		return Timer{}, false, fmt.Errorf("timer %s/%s: %w", caseID, kind, err)
	}
	return t, true, nil
}

// Timers returns the timers due at now, and the time of the next one
// after them (zero if none).
func (tx *Tx) Timers(now time.Time) ([]Timer, time.Time, error) {
	var due []Timer
	c := tx.btx.Bucket(bucketTimers).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var t Timer
		if err := jsonUnmarshal(v, &t); err != nil {
			return nil, time.Time{}, fmt.Errorf("timer: %w", err)
		}
		if t.At.After(now) {
			return due, t.At, nil
		}
		due = append(due, t)
	}
	return due, time.Time{}, nil
}

// AllTimers lists every timer, for the CLI.
func (tx *Tx) AllTimers() ([]Timer, error) {
	var out []Timer
	err := tx.btx.Bucket(bucketTimers).ForEach(func(_, v []byte) error {
		var t Timer
		if err := jsonUnmarshal(v, &t); err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	return out, err
}
