package store

import (
	"fmt"
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
// entry in the index (opaque to the store), and clears its mark.
func (tx *Tx) SiteWritten(id string, entry []byte) error {
	if err := tx.btx.Bucket(bucketSiteEntry).Put([]byte(id), entry); err != nil {
		return fmt.Errorf("site entry of %s: %w", id, err)
	}
	return tx.btx.Bucket(bucketSitePending).Delete([]byte(id))
}

// SiteDropped clears the mark and the entry of case id: it is not
// published, or gone.
func (tx *Tx) SiteDropped(id string) error {
	if err := tx.btx.Bucket(bucketSiteEntry).Delete([]byte(id)); err != nil {
		return err
	}
	return tx.btx.Bucket(bucketSitePending).Delete([]byte(id))
}

// ClearSitePending drops every mark: without publish.dir there is no
// page to write. A site configured later is written whole (see
// mailbot/site.go), so nothing is lost.
func (tx *Tx) ClearSitePending() error {
	if err := tx.btx.DeleteBucket(bucketSitePending); err != nil {
		return err
	}
	_, err := tx.btx.CreateBucket(bucketSitePending)
	return err
}

// SiteEntries calls fn with the index entry of every case whose pages
// were written, in id order. entry is valid only inside fn.
func (tx *Tx) SiteEntries(fn func(id string, entry []byte) error) error {
	return tx.btx.Bucket(bucketSiteEntry).ForEach(func(k, v []byte) error { return fn(string(k), v) })
}

// OnSite sets fn to run after the commit of every transaction that
// marked a case's pages for writing: it wakes the site writer.
func (s *Store) OnSite(fn func()) { s.onSite.Store(&fn) }
