package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// migrateSummaries (schema 6 → 7) writes the summary record of every case
// into bucket case-summary (Open created it before the step runs), in one
// transaction.
//
// It decodes only the fields a summary holds, not Case, so that it keeps
// reading the schema 6 layout whatever Case becomes.
func migrateSummaries(btx *bolt.Tx) error {
	sums := btx.Bucket(bucketSummary)
	return btx.Bucket(bucketCases).ForEach(func(k, v []byte) error {
		var c struct {
			ID       string    `json:"id"`
			State    string    `json:"state"`
			Subject  string    `json:"subject"`
			Opened   time.Time `json:"opened"`
			Messages []uint64  `json:"messages"`
		}
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("case %s: %w", k, err)
		}
		s := CaseSummary{ID: c.ID, State: c.State, Opened: c.Opened, Messages: len(c.Messages), Subject: c.Subject}
		return sums.Put(k, encodeSummary(s))
	})
}
