package store

// Tests of the layout: raw chunks, index entries, fan-outs and outbox
// data, and that schema 1 data is migrated.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestRawChunks: the bytes of every message read back the same, inside
// the transaction that added them and after it committed, including
// messages that spill a chunk past chunkMax and one bigger than a chunk.
func TestRawChunks(t *testing.T) {
	s := openTemp(t)
	sizes := []int{0, 1, 5000, chunkMax - 100, 300, chunkMax + 7, 42}
	want := map[uint64][2][]byte{}
	err := s.Update(func(tx *Tx) error {
		for i, n := range sizes {
			raw := bytes.Repeat([]byte{byte('a' + i)}, n)
			var plain []byte
			if i%2 == 1 {
				plain = bytes.Repeat([]byte{byte('A' + i)}, n/3)
			}
			key, err := tx.AddMessage(&Message{Case: "SEC-2026-0001"}, raw, plain)
			if err != nil {
				return err
			}
			want[key] = [2][]byte{raw, plain}
		}
		check(t, tx, want, "in the transaction")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(func(tx *Tx) error {
		check(t, tx, want, "after commit")
		if n := tx.btx.Bucket(bucketChunks).Stats().BucketN - 1; n != 5 {
			t.Errorf("%d chunks, want 5 (closed whenever the next message would pass chunkMax)", n)
		}
		return nil
	})
}

func check(t *testing.T, tx *Tx, want map[uint64][2][]byte, when string) {
	t.Helper()
	for key, w := range want {
		if got := tx.Raw(key); !bytes.Equal(got, w[0]) {
			t.Errorf("%s: raw of %d: %d bytes, want %d", when, key, len(got), len(w[0]))
		}
		wantPlain := w[1]
		if wantPlain == nil {
			wantPlain = w[0]
		}
		if got := tx.Plain(key); !bytes.Equal(got, wantPlain) {
			t.Errorf("%s: plain of %d: %d bytes, want %d", when, key, len(got), len(wantPlain))
		}
	}
}

// TestChunkNotRewritten: a chunk is written by the transaction that
// fills it and by no later one (chunks in one leaf would be rewritten
// with every append).
func TestChunkNotRewritten(t *testing.T) {
	s := openTemp(t)
	const size = 64 << 10
	big := bytes.Repeat([]byte("x"), size)
	for i := range 6 {
		st := s.db.Stats().TxStats
		before := st.GetPageAlloc()
		if err := s.Update(func(tx *Tx) error {
			_, err := tx.AddMessage(&Message{Case: "SEC-2026-0001"}, big, nil)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		st = s.db.Stats().TxStats
		if got := st.GetPageAlloc() - before; got >= 2*size {
			t.Fatalf("transaction %d wrote %d bytes of pages for one %d byte chunk", i, got, size)
		}
	}
}

// TestSchema1Store: a store written before chunks (raw bytes under the
// message key in bucket raw) is migrated when opened for writing: the
// bytes move into a chunk, bucket raw is gone, and the schema is raised.
func TestSchema1Store(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(btx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketCases, bucketMessages, bucketRaw, bucketMsgID,
			bucketIMAP, bucketOutbox, bucketExecuted, bucketAudit, bucketDue, bucketPatches, bucketPatchDat, bucketTimers} {
			if _, err := btx.CreateBucket(name); err != nil {
				return err
			}
		}
		btx.Bucket(bucketMeta).Put(keySchema, u64(1))
		rec, _ := json.Marshal(Message{Key: 1, Case: "SEC-2026-0001", Status: MsgIngested})
		btx.Bucket(bucketMessages).Put(u64(1), rec)
		btx.Bucket(bucketRaw).Put(append(u64(1), 'r'), []byte("old raw"))
		btx.Bucket(bucketRaw).Put(append(u64(1), 'p'), []byte("old plain"))
		return btx.Bucket(bucketMessages).SetSequence(1)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Update(func(tx *Tx) error {
		if got := string(tx.Raw(1)); got != "old raw" {
			t.Errorf("schema 1 raw = %q", got)
		}
		if got := string(tx.Plain(1)); got != "old plain" {
			t.Errorf("schema 1 plain = %q", got)
		}
		key, err := tx.AddMessage(&Message{Case: "SEC-2026-0001"}, []byte("new raw"), nil)
		if err != nil {
			return err
		}
		if key != 2 || string(tx.Raw(key)) != "new raw" {
			t.Errorf("new message %d raw = %q", key, tx.Raw(key))
		}
		if v := beU64(tx.btx.Bucket(bucketMeta).Get(keySchema)); v != SchemaVersion {
			t.Errorf("schema after open = %d, want %d", v, SchemaVersion)
		}
		if tx.btx.Bucket(bucketRaw) != nil {
			t.Errorf("bucket raw is still there")
		}
		if m, _ := tx.Message(1); m == nil || m.RawAt == nil || m.PlainAt == nil {
			t.Errorf("message 1 does not say where its bytes went: %+v", m)
		}
		return nil
	})
}

func TestFanoutsInOrder(t *testing.T) {
	s := openTemp(t)
	s.Update(func(tx *Tx) error {
		for i := range 5 {
			if err := tx.AddFanout(&Fanout{Case: "SEC-2026-0001", Msg: uint64(10 + i), AckTo: []string{"r@x"}}); err != nil {
				return err
			}
		}
		return nil
	})
	s.Update(func(tx *Tx) error {
		fs, err := tx.Fanouts(3)
		if err != nil || len(fs) != 3 || fs[0].Msg != 10 || fs[2].Msg != 12 || fs[0].AckTo[0] != "r@x" {
			t.Fatalf("fanouts = %+v, %v", fs, err)
		}
		if n := tx.PendingCount(); n != 5 {
			t.Errorf("pending = %d, want 5 (fan-outs count)", n)
		}
		return tx.DeleteFanout(fs[0].Seq)
	})
	s.View(func(tx *Tx) error {
		fs, _ := tx.Fanouts(10)
		if len(fs) != 4 || fs[0].Msg != 11 {
			t.Errorf("after delete: %+v", fs)
		}
		return nil
	})
}

// TestThreadRefs: index entries read back as written, and a broken one
// does not read.
func TestThreadRefs(t *testing.T) {
	s := openTemp(t)
	s.Update(func(tx *Tx) error {
		digest := bytes.Repeat([]byte{0xab}, 32)
		for _, ref := range []ThreadRef{{Case: "SEC-2026-0001", Msg: 7, Digest: digest}, {Case: "SEC-2026-0002"}, {Msg: 1 << 40}, {}, {Digest: digest}} {
			id := fmt.Sprintf("%s.%d.%d@x", ref.Case, ref.Msg, len(ref.Digest))
			if err := tx.IndexMessageID(id, ref); err != nil {
				return err
			}
			if got, ok := tx.LookupMessageID("<" + id + ">"); !ok || !reflect.DeepEqual(got, ref) {
				t.Errorf("lookup %s = %+v %v, want %+v", id, got, ok, ref)
			}
		}
		tx.btx.Bucket(bucketMsgID).Put([]byte("short@x"), []byte{1, 2})
		if got, ok := tx.LookupMessageID("short@x"); ok {
			t.Errorf("a broken entry reads as %+v", got)
		}
		return nil
	})
}

// TestOutMailData: rendered bytes are stored once, apart from the record,
// and read back with it.
func TestOutMailData(t *testing.T) {
	s := openTemp(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s.Update(func(tx *Tx) error {
		if _, err := tx.Enqueue(&OutMail{ID: "a@x", Kind: "ack", To: []string{"r@x"}, Queued: now}); err != nil {
			return err
		}
		m, _ := tx.OutMail("a@x")
		m.Data, m.Attempts = []byte("rendered"), 1
		if err := tx.UpdateOutMail(m); err != nil {
			return err
		}
		m.State, m.Data = OutSent, nil // a later update without the bytes keeps them
		if err := tx.UpdateOutMail(m); err != nil {
			return err
		}
		if rec := tx.btx.Bucket(bucketOutbox).Get([]byte("a@x")); bytes.Contains(rec, []byte(`"data"`)) {
			t.Errorf("the record carries the bytes: %s", rec)
		}
		return nil
	})
	s.View(func(tx *Tx) error {
		for id, want := range map[string]string{"a@x": "rendered"} {
			m, err := tx.OutMail(id)
			if err != nil || string(m.Data) != want {
				t.Errorf("%s: data %q, %v; want %q", id, m.Data, err, want)
			}
		}
		return nil
	})
}

// TestChunkPacking: a chunk is closed only when the next blob would pass
// chunkMax, so one that fills it exactly stays in it; and a chunk that
// holds nothing yet (or only empty blobs) is never written out empty.
func TestChunkPacking(t *testing.T) {
	check := func(name string, sizes []int, wantChunks int) {
		t.Helper()
		s := openTemp(t)
		if err := s.Update(func(tx *Tx) error {
			for _, n := range sizes {
				if _, err := tx.AddMessage(&Message{Case: "SEC-2026-0001"}, make([]byte, n), nil); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		s.View(func(tx *Tx) error {
			if n := tx.btx.Bucket(bucketChunks).Stats().BucketN - 1; n != wantChunks {
				t.Errorf("%s: %d chunks, want %d", name, n, wantChunks)
			}
			return nil
		})
	}
	check("two halves fill one chunk exactly", []int{chunkMax / 2, chunkMax / 2}, 1)
	check("one byte more opens a second", []int{chunkMax / 2, chunkMax/2 + 1}, 2)
	check("an empty blob, then one bigger than a chunk", []int{0, chunkMax + 1}, 1)
}

// TestBlobRefOutOfRange: a blob reference that does not fit its chunk
// (a damaged record) reads as missing, without a panic; an empty blob
// reads as empty, not as missing.
func TestBlobRefOutOfRange(t *testing.T) {
	s := openTemp(t)
	s.Update(func(tx *Tx) error {
		ref, err := tx.addBlob([]byte("0123456789"))
		if err != nil {
			return err
		}
		for _, bad := range []BlobRef{{Off: 8, Len: 3}, {Off: 11}, {Off: -1, Len: 2}, {Off: 2, Len: -1}, {Off: 6, Len: 5}} {
			bad.Chunk = ref.Chunk
			if got := tx.blob(&bad); got != nil {
				t.Errorf("blob %+v = %q, want nil", bad, got)
			}
		}
		for _, ok := range []BlobRef{{Off: 0, Len: 10}, {Off: 10, Len: 0}, {Off: 3, Len: 0}} {
			ok.Chunk = ref.Chunk
			if got := tx.blob(&ok); got == nil || len(got) != ok.Len {
				t.Errorf("blob %+v = %q (nil: %v), want %d bytes", ok, got, got == nil, ok.Len)
			}
		}
		return nil
	})
}

// TestThreadRefEdges: a digest of 255 bytes (the most one length byte
// can say) is kept and a longer one dropped; an entry that is empty or
// shorter than its digest length says is refused, without a panic.
func TestThreadRefEdges(t *testing.T) {
	for _, n := range []int{255, 256} {
		ref := ThreadRef{Case: "SEC-2026-0001", Msg: 3, Digest: bytes.Repeat([]byte{7}, n)}
		got, err := decodeThreadRef(ref.encode())
		want := ref
		if n > 255 {
			want.Digest = nil
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("digest of %d bytes: %+v, %v; want %+v", n, got, err, want)
		}
	}
	long := ThreadRef{Msg: 1, Digest: []byte{1, 2, 3}}.encode()
	for _, v := range [][]byte{nil, {}, long[:9], long[:11], append(u64(1), 200, 1, 2)} {
		if got, err := decodeThreadRef(v); err == nil {
			t.Errorf("entry %x decodes as %+v", v, got)
		}
	}
}
