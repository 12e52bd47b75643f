package store

import (
	"encoding/json"
	"fmt"
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
	// RawAt and PlainAt say where the bytes are; PlainAt is nil when the
	// message was not encrypted.
	RawAt   *BlobRef `json:"raw_at,omitempty"`
	PlainAt *BlobRef `json:"plain_at,omitempty"`
	// Purged is when retention dropped the message's bytes (purge.go);
	// RawAt and PlainAt are nil since, and the record is all that is left.
	Purged time.Time `json:"purged,omitzero"`
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
	m.Received, m.Date = writableTime(m.Received), writableTime(m.Date)
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
	if m.RawAt == nil {
		return nil
	}
	return tx.blob(m.RawAt)
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
	return tx.RawOf(m)
}

// MessageCount returns how many messages are stored.
func (tx *Tx) MessageCount() int {
	return tx.btx.Bucket(bucketMessages).Stats().KeyN
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
