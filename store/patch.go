package store

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Patch states.
const (
	PatchCurrent    = "current"
	PatchSuperseded = "superseded" // a newer revision replaced it; kept
	PatchDropped    = "dropped"
)

// Patch is one patch file of a case. Its bytes are stored once per
// content hash.
type Patch struct {
	Seq    uint64    `json:"seq"`
	Case   string    `json:"case"`
	Name   string    `json:"name"`
	Base   string    `json:"base"` // the name without revision and extension
	Rev    int       `json:"rev"`
	Branch string    `json:"branch,omitempty"`
	SHA256 string    `json:"sha256"`
	Size   int       `json:"size"`
	Added  time.Time `json:"added"`
	By     string    `json:"by"`  // signer fingerprint
	Msg    uint64    `json:"msg"` // the mail it came with
	State  string    `json:"state"`
}

func patchKey(caseID string, seq uint64) []byte {
	return append([]byte(strings.ToUpper(caseID)+"/"), u64(seq)...)
}

// AddPatch stores a patch and its bytes.
func (tx *Tx) AddPatch(p *Patch, data []byte) error {
	b := tx.btx.Bucket(bucketPatches)
	seq, err := b.NextSequence()
	if err != nil {
		return fmt.Errorf("patch sequence: %w", err)
	}
	p.Seq = seq
	if err := tx.btx.Bucket(bucketPatchDat).Put([]byte(p.SHA256), data); err != nil {
		return fmt.Errorf("put patch %s: %w", p.Name, err)
	}
	return tx.putJSON(bucketPatches, patchKey(p.Case, seq), p)
}

// UpdatePatch rewrites a patch record (its state).
func (tx *Tx) UpdatePatch(p *Patch) error {
	return tx.putJSON(bucketPatches, patchKey(p.Case, p.Seq), p)
}

// Patches lists a case's patches in the order they were added, all
// states included.
func (tx *Tx) Patches(caseID string) ([]*Patch, error) {
	prefix := []byte(strings.ToUpper(caseID) + "/")
	var out []*Patch
	c := tx.btx.Bucket(bucketPatches).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var p Patch
		if err := jsonUnmarshal(v, &p); err != nil {
			return nil, fmt.Errorf("patch of %s: %w", caseID, err)
		}
		out = append(out, &p)
	}
	return out, nil
}

// PatchData returns a patch's bytes (valid only inside the transaction).
func (tx *Tx) PatchData(sha string) []byte {
	return tx.btx.Bucket(bucketPatchDat).Get([]byte(sha))
}

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
	b.ForEach(func(k, _ []byte) error {
		if bytes.Equal(k[8:], suffix) {
			del = append(del, append([]byte{}, k...))
		}
		return nil
	})
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
