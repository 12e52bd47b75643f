package store

import (
	"bytes"
	"fmt"
	"time"
)

// Timer kinds.
const (
	TimerPublish = "publish"
	TimerRemind  = "remind"
)

// Timer is a scheduled action on a case. Timers live in the store so that
// they survive restarts.
type Timer struct {
	At   time.Time `json:"at"`
	Case string    `json:"case"`
	Kind string    `json:"kind"`
}

func timerKey(t Timer) []byte {
	return append(u64(uint64(t.At.UnixNano())), t.Case+"/"+t.Kind...)
}

// SetTimer schedules t, replacing any timer of the same case and kind.
func (tx *Tx) SetTimer(t Timer) error {
	if err := tx.DeleteTimer(t.Case, t.Kind); err != nil {
		return err
	}
	return tx.putJSON(bucketTimers, timerKey(t), t)
}

// DeleteTimer removes the timer of a case and kind, if any.
func (tx *Tx) DeleteTimer(caseID, kind string) error {
	b := tx.btx.Bucket(bucketTimers)
	suffix := []byte(caseID + "/" + kind)
	var del [][]byte
	err := b.ForEach(func(k, _ []byte) error {
		if len(k) > 8 && bytes.Equal(k[8:], suffix) {
			del = append(del, append([]byte{}, k...))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("find timer %s: %w", suffix, err)
	}
	for _, k := range del {
		if err := b.Delete(k); err != nil {
			return fmt.Errorf("delete timer: %w", err)
		}
	}
	return nil
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
