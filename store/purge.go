package store

import (
	"fmt"
	"time"
)

// Retention (retention.raw_after_close) purges the bytes of old messages:
// the raw message as it came and its decrypted form. The record stays
// (headers: sender, subject, dates, status) with Purged set, and RawAt and
// PlainAt nil, so every reader of bytes (RawOf, PlainOf) finds none.
//
// Bytes are packed in chunks that several messages share (chunk.go), so a
// purge zeroes the message's ranges in its chunk and writes the chunk
// again; a chunk left all zeros (every message in it purged) is deleted,
// and its pages return to bbolt's free list. Zeroed or freed, the bytes
// may linger in free pages of the file until bbolt reuses them: `secbot
// store compact` writes a file without them.

// PurgeMessages drops the bytes of the messages keys and marks them
// purged at now; a message already purged is left alone. It returns how
// many it purged.
func (tx *Tx) PurgeMessages(keys []uint64, now time.Time) (int, error) {
	zero := map[uint64][]*BlobRef{} // chunk -> ranges to zero
	n := 0
	for _, k := range keys {
		m, err := tx.Message(k)
		if err != nil {
			return 0, err
		}
		if !m.Purged.IsZero() {
			continue
		}
		for _, ref := range []*BlobRef{m.RawAt, m.PlainAt} {
			if ref != nil {
				zero[ref.Chunk] = append(zero[ref.Chunk], ref)
			}
		}
		m.RawAt, m.PlainAt, m.Purged = nil, nil, writableTime(now)
		if err := tx.putMessage(m); err != nil {
			return 0, err
		}
		n++
	}
	for seq, refs := range zero {
		if err := tx.zeroChunk(seq, refs); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func (tx *Tx) putMessage(m *Message) error {
	data, err := encodeJSON(m.appendJSON, m, m.Received, m.Date)
	if err != nil {
		return fmt.Errorf("encode message %d: %w", m.Key, err)
	}
	if err := tx.btx.Bucket(bucketMessages).Put(u64(m.Key), data); err != nil {
		return fmt.Errorf("put message %d: %w", m.Key, err)
	}
	return nil
}

// zeroChunk zeroes refs in chunk seq and writes it again, or deletes it
// when nothing but zeros is left. No message is all zero bytes, so a
// chunk of zeros holds no live message.
func (tx *Tx) zeroChunk(seq uint64, refs []*BlobRef) error {
	parent := tx.btx.Bucket(bucketChunks)
	b := parent.Bucket(u64(seq))
	if b == nil {
		return nil
	}
	data := append([]byte(nil), b.Get(chunkData)...) // the mapped value is read-only
	for _, r := range refs {
		if r.Off >= 0 && r.Len >= 0 && r.Off+r.Len <= len(data) {
			clear(data[r.Off : r.Off+r.Len])
		}
	}
	if allZero(data) {
		if err := parent.DeleteBucket(u64(seq)); err != nil {
			return fmt.Errorf("delete raw chunk %d: %w", seq, err)
		}
		return nil
	}
	if err := b.Put(chunkData, data); err != nil {
		return fmt.Errorf("rewrite raw chunk %d: %w", seq, err)
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
