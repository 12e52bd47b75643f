package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Message statuses: what ingest could make of a message.
const (
	MsgIngested      = "ingested"      // parsed, and decrypted when it was encrypted
	MsgTooBig        = "too-big"       // over the size limit: only the header was kept
	MsgUndecryptable = "undecryptable" // encrypted, but not for us or broken: kept as it came
	MsgQuarantined   = "quarantined"   // could not be parsed at all: kept as it came
	MsgOutgoing      = "outgoing"      // a mail secbot sent on the case
)

// Message is the record of one mail on a case. The raw bytes live in a
// bucket of their own so that listing a case never loads them.
type Message struct {
	Key       uint64    `json:"key"`
	Case      string    `json:"case"`
	MessageID string    `json:"message_id"`
	Received  time.Time `json:"received"`
	Date      time.Time `json:"date,omitzero"`
	From      string    `json:"from"`
	Subject   string    `json:"subject"`
	Status    string    `json:"status"`
	Reason    string    `json:"reason,omitempty"` // why it was quarantined, too big...
	Size      int64     `json:"size"`
	Encrypted bool      `json:"encrypted,omitempty"`
	Signed    bool      `json:"signed,omitempty"`
	// Signer is the fingerprint of the configured maintainer key whose
	// signature verified; empty when none did.
	Signer string `json:"signer,omitempty"`
	// Mailbox, UIDValidity and UID say where the message came from.
	Mailbox     string `json:"mailbox,omitempty"`
	UIDValidity uint32 `json:"uid_validity,omitempty"`
	UID         uint32 `json:"uid,omitempty"`
	// RawAt and PlainAt say where the bytes are; nil in a schema 1 store,
	// whose bytes are under the message key in bucket raw.
	RawAt   *BlobRef `json:"raw_at,omitempty"`
	PlainAt *BlobRef `json:"plain_at,omitempty"`
}

// AddMessage stores m and its raw bytes (as they came, and the decrypted
// form when there is one) and returns the new message key. The bytes go
// into the transaction's chunk, and must not change until it commits.
func (tx *Tx) AddMessage(m *Message, raw, plain []byte) (uint64, error) {
	b := tx.btx.Bucket(bucketMessages)
	// Message keys only grow: pack pages full instead of half (bbolt's
	// default split), which halves the pages a backlog writes.
	b.FillPercent = appendFill
	key, err := b.NextSequence()
	if err != nil {
		return 0, fmt.Errorf("message sequence: %w", err)
	}
	m.Key = key
	if m.RawAt, err = tx.addBlob(raw); err != nil {
		return 0, fmt.Errorf("raw message %d: %w", key, err)
	}
	m.PlainAt = nil
	if plain != nil {
		if m.PlainAt, err = tx.addBlob(plain); err != nil {
			return 0, fmt.Errorf("plain message %d: %w", key, err)
		}
	}
	data, err := encodeJSON(m.appendJSON, m, m.Received, m.Date)
	if err != nil {
		return 0, fmt.Errorf("encode message %d: %w", key, err)
	}
	if err := b.Put(u64(key), data); err != nil {
		return 0, fmt.Errorf("put message %d: %w", key, err)
	}
	return key, nil
}

// Message reads one message record.
func (tx *Tx) Message(key uint64) (*Message, error) {
	var m Message
	if err := tx.getJSON(bucketMessages, u64(key), &m); err != nil {
		return nil, fmt.Errorf("message %d: %w", key, err)
	}
	return &m, nil
}

// Raw returns the message exactly as it arrived, nil when there is no
// such message. The slice is only valid inside the transaction.
func (tx *Tx) Raw(key uint64) []byte {
	m, err := tx.Message(key)
	if err != nil {
		return nil
	}
	return tx.RawOf(m)
}

// RawOf is Raw for a message record already read.
func (tx *Tx) RawOf(m *Message) []byte {
	if m.RawAt != nil {
		return tx.blob(m.RawAt)
	}
	return tx.btx.Bucket(bucketRaw).Get(append(u64(m.Key), 'r'))
}

// Plain returns the decrypted form of an encrypted message, or the raw
// bytes when it was not encrypted.
func (tx *Tx) Plain(key uint64) []byte {
	m, err := tx.Message(key)
	if err != nil {
		return nil
	}
	return tx.PlainOf(m)
}

// PlainOf is Plain for a message record already read.
func (tx *Tx) PlainOf(m *Message) []byte {
	if m.PlainAt != nil {
		return tx.blob(m.PlainAt)
	}
	if m.RawAt == nil { // schema 1: the decrypted form under the key, if any
		if p := tx.btx.Bucket(bucketRaw).Get(append(u64(m.Key), 'p')); p != nil {
			return p
		}
	}
	return tx.RawOf(m)
}

// MessageCount returns how many messages are stored.
func (tx *Tx) MessageCount() int {
	return tx.btx.Bucket(bucketMessages).Stats().KeyN
}

// ThreadRef is what the Message-ID index knows of one id.
type ThreadRef struct {
	Case string `json:"case"`
	// Msg is the stored message key for incoming mail; 0 for a mail secbot sent.
	Msg uint64 `json:"msg,omitempty"`
	// Digest is the dedupe digest of the incoming mail (its Message-ID
	// and body) that holds the id, so that a re-scan finds it without an
	// index entry of its own. Empty for a mail secbot sent, and in
	// entries a schema 1 store wrote.
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
// case id. A schema 1 store wrote JSON, which always begins with '{'; a
// message key never does (it would need to pass 0x7b << 56).
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
	if len(v) > 0 && v[0] == '{' {
		err := json.Unmarshal(v, &ref)
		return ref, err
	}
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

// IMAPState is the UID bookkeeping of one mailbox.
type IMAPState struct {
	UIDValidity uint32 `json:"uid_validity"`
	LastUID     uint32 `json:"last_uid"`
}

// IMAPState returns the stored state of mailbox, zero when never seen.
func (tx *Tx) IMAPState(mailbox string) IMAPState {
	var st IMAPState
	_ = tx.getJSON(bucketIMAP, []byte(mailbox), &st)
	return st
}

// SetIMAPState records the state of mailbox.
func (tx *Tx) SetIMAPState(mailbox string, st IMAPState) error {
	return tx.putJSON(bucketIMAP, []byte(mailbox), st)
}

// MarkExecuted records that a signed command mail ran, keyed by its
// Message-ID and by the hash of its signed content, so that a replay of
// either never runs again. It returns false when either key was already
// recorded.
func (tx *Tx) MarkExecuted(keys []string, when time.Time) (bool, error) {
	b := tx.btx.Bucket(bucketExecuted)
	for _, k := range keys {
		if k != "" && b.Get([]byte(k)) != nil {
			return false, nil
		}
	}
	for _, k := range keys {
		if k == "" {
			continue
		}
		if err := b.Put([]byte(k), u64(uint64(when.Unix()))); err != nil {
			return false, fmt.Errorf("record executed %s: %w", k, err)
		}
	}
	return true, nil
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
