package store

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The public pages (publish.dir) are files, written outside any bbolt
// transaction. The store keeps what they owe: PutCase marks a published
// case in bucketSitePending in the same transaction that changes it, and
// the site writer, once the pages of the case are on disk, replaces the
// mark with the case's index entry (bucketSiteEntry). A crash between
// the commit and the write leaves the mark, so the pages are written at
// the next start; and the index and feed are built from the entries,
// without rendering every published case again.
var (
	bucketSitePending = []byte("site-pending")
	bucketSiteEntry   = []byte("site-entry")
)

// markSite notes that c's public pages must be written, when it is
// published: a case in any other state has none.
func (tx *Tx) markSite(c *Case) error {
	if c.State != StatePublished {
		return nil
	}
	if err := tx.btx.Bucket(bucketSitePending).Put([]byte(c.ID), nil); err != nil {
		return fmt.Errorf("mark site of %s: %w", c.ID, err)
	}
	tx.wakeSite()
	return nil
}

// wakeSite runs the store's OnSite function after the commit.
func (tx *Tx) wakeSite() {
	if tx.store == nil {
		return
	}
	if fn := tx.store.onSite.Load(); fn != nil {
		tx.OnCommit(*fn)
	}
}

// MarkSite marks the cases ids for writing, when they are published: for
// pages found missing on disk.
func (tx *Tx) MarkSite(ids ...string) error {
	for _, id := range ids {
		c, err := tx.Case(id)
		if err != nil {
			return err
		}
		if err := tx.markSite(c); err != nil {
			return err
		}
	}
	return nil
}

// MarkSiteAll marks every published case for writing (the pages'
// layout or settings changed) and returns how many.
func (tx *Tx) MarkSiteAll() (int, error) {
	n := 0
	pending := tx.btx.Bucket(bucketSitePending)
	err := tx.btx.Bucket(bucketSummary).ForEach(func(k, v []byte) error {
		s, err := decodeSummary(k, v)
		if err != nil || s.State != StatePublished {
			return err
		}
		n++
		return pending.Put(k, nil)
	})
	if n > 0 {
		tx.wakeSite()
	}
	return n, err
}

// SitePending lists up to n cases whose pages must be written, in id
// order, after the case id after ("" for the first): a writer walks the
// marks once, and a case whose pages fail stays marked without being
// taken again and again in one pass.
func (tx *Tx) SitePending(after string, n int) []string {
	var out []string
	c := tx.btx.Bucket(bucketSitePending).Cursor()
	k, _ := c.Seek([]byte(after))
	if k != nil && string(k) == after {
		k, _ = c.Next()
	}
	for ; k != nil && len(out) < n; k, _ = c.Next() {
		out = append(out, string(k))
	}
	return out
}

// SitePendingCount counts the cases whose pages must be written.
func (tx *Tx) SitePendingCount() int {
	return tx.btx.Bucket(bucketSitePending).Stats().KeyN
}

// SiteWritten records that the pages of case id are on disk, with its
// entry in the index (opaque to the store) and the time the index sorts
// it by, and clears its mark. The index is owed until SiteIndexWritten.
func (tx *Tx) SiteWritten(id string, published time.Time, entry []byte) error {
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(entry)), uint64(published.UnixNano()))
	if err := tx.btx.Bucket(bucketSiteEntry).Put([]byte(id), append(v, entry...)); err != nil {
		return fmt.Errorf("site entry of %s: %w", id, err)
	}
	if err := tx.owe(); err != nil {
		return err
	}
	return tx.btx.Bucket(bucketSitePending).Delete([]byte(id))
}

// SiteDropped clears the mark and the entry of case id: it is not
// published, or gone.
func (tx *Tx) SiteDropped(id string) error {
	if tx.btx.Bucket(bucketSiteEntry).Get([]byte(id)) != nil {
		if err := tx.btx.Bucket(bucketSiteEntry).Delete([]byte(id)); err != nil {
			return err
		}
		if err := tx.owe(); err != nil {
			return err
		}
	}
	return tx.btx.Bucket(bucketSitePending).Delete([]byte(id))
}

// keySiteIndex in the meta bucket says that an entry changed since the
// index was last written: a crash between the two leaves it, and the
// index is written at the next start.
var keySiteIndex = []byte("site-index-owed")

func (tx *Tx) owe() error { return tx.btx.Bucket(bucketMeta).Put(keySiteIndex, []byte{1}) }

// SiteIndexOwed reports whether an entry changed since SiteIndexWritten.
func (tx *Tx) SiteIndexOwed() bool { return tx.btx.Bucket(bucketMeta).Get(keySiteIndex) != nil }

// SiteIndexWritten records that the index shows every entry.
func (tx *Tx) SiteIndexWritten() error { return tx.btx.Bucket(bucketMeta).Delete(keySiteIndex) }

// SiteOrder lists the cases whose pages were written, as the index
// lists them: newest first, then by case id, the later first. It reads
// only the time of each entry, so 50,000 of them cost little memory.
func (tx *Tx) SiteOrder() ([]string, error) {
	type item struct {
		id string
		at int64
	}
	b := tx.btx.Bucket(bucketSiteEntry)
	items := make([]item, 0, b.Stats().KeyN)
	err := b.ForEach(func(k, v []byte) error {
		if len(v) < 8 {
			return fmt.Errorf("site entry of %s: truncated", k)
		}
		items = append(items, item{string(k), int64(binary.BigEndian.Uint64(v))})
		return nil
	})
	slices.SortStableFunc(items, func(a, b item) int {
		if c := cmp.Compare(b.at, a.at); c != 0 {
			return c
		}
		return strings.Compare(b.id, a.id)
	})
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.id
	}
	return ids, err
}

// SiteEntry reads the index entry of case id, nil when it has none. It
// is valid only inside the transaction.
func (tx *Tx) SiteEntry(id string) []byte {
	v := tx.btx.Bucket(bucketSiteEntry).Get([]byte(id))
	if len(v) < 8 {
		return nil
	}
	return v[8:]
}

// SiteEntries calls fn with every case whose pages were written, in id
// order.
func (tx *Tx) SiteEntries(fn func(id string) error) error {
	return tx.btx.Bucket(bucketSiteEntry).ForEach(func(k, _ []byte) error { return fn(string(k)) })
}

// OnSite sets fn to run after the commit of every transaction that
// marked a case's pages for writing: it wakes the site writer.
func (s *Store) OnSite(fn func()) { s.onSite.Store(&fn) }
