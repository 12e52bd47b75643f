package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// ThreadRef is what the Message-ID index knows of one id.
type ThreadRef struct {
	Case string `json:"case"`
	// Msg is the stored message key for incoming mail; 0 for a mail secbot sent.
	Msg uint64 `json:"msg,omitempty"`
	// Digest is the dedupe digest of the incoming mail (its Message-ID
	// and body) that holds the id, so that a re-scan finds it without an
	// index entry of its own. Empty for a mail secbot sent, and in
	// entries a schema 1 store wrote (as JSON; migrated in schema 4).
	Digest []byte `json:"-"`
}

// NormalizeMessageID trims spaces and angle brackets: the form used as
// index key. (Message-IDs are compared exactly, as RFC 5322 makes no part
// of them case-insensitive in practice.)
func NormalizeMessageID(id string) string {
	id = strings.TrimSpace(id)
	id = strings.TrimPrefix(id, "<")
	id = strings.TrimSuffix(id, ">")
	return id
}

// IndexMessageID records that Message-ID id belongs to a case.
func (tx *Tx) IndexMessageID(id string, ref ThreadRef) error {
	id = NormalizeMessageID(id)
	if id == "" {
		return nil
	}
	return tx.btx.Bucket(bucketMsgID).Put([]byte(id), ref.encode())
}

// LookupMessageID finds which case a Message-ID belongs to.
func (tx *Tx) LookupMessageID(id string) (ThreadRef, bool) {
	id = NormalizeMessageID(id)
	if id == "" {
		return ThreadRef{}, false
	}
	v := tx.btx.Bucket(bucketMsgID).Get([]byte(id))
	if v == nil {
		return ThreadRef{}, false
	}
	ref, err := decodeThreadRef(v)
	return ref, err == nil
}

// The index holds an entry per message and per mail secbot sent, so its
// values are kept small and cheap to read: the message key (8 bytes,
// big-endian), the digest's length (one byte) and the digest, then the
// case id.
func (r ThreadRef) encode() []byte {
	digest := r.Digest
	if len(digest) > 255 {
		digest = nil // no such digest is made; the entry stays readable
	}
	v := make([]byte, 8, 9+len(digest)+len(r.Case))
	binary.BigEndian.PutUint64(v, r.Msg)
	v = append(v, byte(len(digest)))
	v = append(v, digest...)
	return append(v, r.Case...)
}

func decodeThreadRef(v []byte) (ThreadRef, error) {
	var ref ThreadRef
	if len(v) < 9 || len(v) < 9+int(v[8]) {
		return ref, fmt.Errorf("message-id index entry of %d bytes", len(v))
	}
	n := 9 + int(v[8])
	ref = ThreadRef{Msg: beU64(v), Case: string(v[n:])}
	if n > 9 {
		ref.Digest = bytes.Clone(v[9:n])
	}
	return ref, nil
}
