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

// Current keeps the patches not superseded or dropped, in their order.
func Current(patches []*Patch) []*Patch {
	var out []*Patch
	for _, p := range patches {
		if p.State == PatchCurrent {
			out = append(out, p)
		}
	}
	return out
}
