package store

import "fmt"

// Raw messages are packed, a transaction's worth at a time, into chunks:
// one bbolt value per chunk instead of one per message. A value of a few
// KB gets a leaf node and overflow pages of its own, a third of them
// empty, and bbolt allocates, zeroes and writes each node separately; one
// chunk per batch is a single run of pages and a single write. The bytes
// of a message never change, so a chunk is written once and never again.
//
// Each chunk is the one value of a bucket of its own, under bucket
// raw-chunks. Were chunks values side by side in one bucket, bbolt would
// keep up to four in the last leaf (a node of four keys or fewer is never
// split), and write each chunk again with every chunk appended after it.

// chunkMax is where a chunk is closed and the next one begun, so that no
// single value (and no contiguous run of pages) grows without bound; a
// message bigger than this gets a chunk of its own.
const chunkMax = 16 << 20

var chunkData = []byte("data")

// BlobRef locates bytes inside a chunk.
type BlobRef struct {
	Chunk uint64 `json:"c"`
	Off   int    `json:"o"`
	Len   int    `json:"n"`
}

// chunk is the chunk a read-write transaction is filling.
type chunk struct {
	seq uint64
	buf []byte
}

// addBlob appends data to the transaction's chunk and returns where it
// will be.
func (tx *Tx) addBlob(data []byte) (*BlobRef, error) {
	if tx.chunk != nil && len(tx.chunk.buf) > 0 && len(tx.chunk.buf)+len(data) > chunkMax {
		if err := tx.flushChunk(); err != nil {
			return nil, err
		}
	}
	if tx.chunk == nil {
		seq, err := tx.btx.Bucket(bucketChunks).NextSequence()
		if err != nil {
			return nil, fmt.Errorf("chunk sequence: %w", err)
		}
		tx.chunk = &chunk{seq: seq, buf: make([]byte, 0, min(max(len(data), tx.rawHint), chunkMax))}
	}
	ref := &BlobRef{Chunk: tx.chunk.seq, Off: len(tx.chunk.buf), Len: len(data)}
	tx.chunk.buf = append(tx.chunk.buf, data...)
	return ref, nil
}

// ReserveRaw says that about n bytes of messages are to be added, so that
// the chunk is allocated once.
func (tx *Tx) ReserveRaw(n int) { tx.rawHint = n }

// flushChunk writes the chunk being filled. bbolt keeps a reference to
// the value until commit, so the buffer is handed over, never reused.
func (tx *Tx) flushChunk() error {
	c := tx.chunk
	if c == nil {
		return nil
	}
	tx.chunk = nil
	parent := tx.btx.Bucket(bucketChunks)
	parent.FillPercent = appendFill
	b, err := parent.CreateBucket(u64(c.seq))
	if err != nil {
		return fmt.Errorf("create raw chunk %d: %w", c.seq, err)
	}
	if err := b.Put(chunkData, c.buf); err != nil {
		return fmt.Errorf("put raw chunk %d: %w", c.seq, err)
	}
	return nil
}

// blob returns the bytes ref points at, nil when they are missing.
func (tx *Tx) blob(ref *BlobRef) []byte {
	var data []byte
	if c := tx.chunk; c != nil && c.seq == ref.Chunk {
		data = c.buf
	} else {
		if b := tx.btx.Bucket(bucketChunks).Bucket(u64(ref.Chunk)); b != nil {
			data = b.Get(chunkData)
		}
	}
	if ref.Off < 0 || ref.Len < 0 || ref.Off+ref.Len > len(data) {
		return nil
	}
	return data[ref.Off : ref.Off+ref.Len : ref.Off+ref.Len]
}
