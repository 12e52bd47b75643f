package store

import (
	"fmt"
	"time"
)

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
