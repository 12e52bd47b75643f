package store

import (
	"bytes"
	"testing"
	"time"
)

// TestPurgeMessages: purging some messages of a chunk zeroes their bytes
// and keeps the others readable; purging the last live one deletes the
// chunk; records keep their headers; a second purge changes nothing.
func TestPurgeMessages(t *testing.T) {
	s := openTemp(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var keys []uint64
	bodies := [][]byte{[]byte("raw one SECRET"), []byte("raw two SECRET"), []byte("raw three KEEP")}
	if err := s.Update(func(tx *Tx) error { // one transaction: one chunk
		if err := tx.PutCase(&Case{ID: "SEC-2026-0001", State: StateClosed, Opened: now}); err != nil {
			return err
		}
		for i, b := range bodies {
			var plain []byte
			if i == 0 {
				plain = []byte("plain one SECRET")
			}
			k, err := tx.AddMessage(&Message{Case: "SEC-2026-0001", From: "r@example.org", Subject: "s", Received: now}, b, plain)
			if err != nil {
				return err
			}
			keys = append(keys, k)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	chunkOf := func(tx *Tx) []byte {
		b := tx.btx.Bucket(bucketChunks).Bucket(u64(1))
		if b == nil {
			return nil
		}
		return b.Get(chunkData)
	}
	purge := func(ks ...uint64) int {
		t.Helper()
		var n int
		if err := s.Update(func(tx *Tx) (err error) { n, err = tx.PurgeMessages(ks, now.Add(time.Hour)); return err }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := purge(keys[0], keys[1]); n != 2 {
		t.Fatalf("purged %d, want 2", n)
	}
	s.View(func(tx *Tx) error {
		if c := chunkOf(tx); c == nil || bytes.Contains(c, []byte("SECRET")) || !bytes.Contains(c, []byte("raw three KEEP")) {
			t.Errorf("chunk after a partial purge: %q", c)
		}
		m, _ := tx.Message(keys[0])
		if tx.RawOf(m) != nil || tx.PlainOf(m) != nil || m.Purged.IsZero() || m.From != "r@example.org" || m.Subject != "s" {
			t.Errorf("purged message %+v still has bytes, or lost its headers", m)
		}
		if got := tx.Raw(keys[2]); string(got) != "raw three KEEP" {
			t.Errorf("live message reads %q", got)
		}
		return nil
	})
	if n := purge(keys...); n != 1 {
		t.Fatalf("second purge purged %d, want 1 (the rest were purged)", n)
	}
	s.View(func(tx *Tx) error {
		if c := chunkOf(tx); c != nil {
			t.Errorf("chunk of purged messages kept: %q", c)
		}
		return nil
	})
	if problems := s.Check(); len(problems) > 0 {
		t.Errorf("check after purge: %v", problems)
	}
}

// TestZeroChunkSkipsDamagedRefs: a reference reaching outside its chunk
// (a damaged record) zeroes nothing and panics nowhere.
func TestZeroChunkSkipsDamagedRefs(t *testing.T) {
	s := openTemp(t)
	raw := []byte("raw bytes of one message")
	err := s.Update(func(tx *Tx) error {
		if err := tx.PutCase(&Case{ID: "SEC-2026-0001", State: StateClosed}); err != nil {
			return err
		}
		_, err := tx.AddMessage(&Message{Case: "SEC-2026-0001"}, raw, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	n := len(raw)
	for _, ref := range []BlobRef{{Off: n - 2, Len: 10}, {Off: -1, Len: 2}, {Off: 0, Len: -1}, {Off: n + 1, Len: 0}} {
		err := s.Update(func(tx *Tx) error { return tx.zeroChunk(1, []*BlobRef{&ref}) })
		if err != nil {
			t.Errorf("ref %+v: %v", ref, err)
		}
		s.View(func(tx *Tx) error {
			if got := tx.btx.Bucket(bucketChunks).Bucket(u64(1)).Get(chunkData); !bytes.Equal(got, raw) {
				t.Errorf("ref %+v: chunk %q, want it unchanged", ref, got)
			}
			return nil
		})
	}
}
