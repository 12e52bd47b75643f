package store

import (
	"errors"
	"fmt"
	"time"
)

// Alert is the state of one kind of operator alert ("intake"): whether
// the maintainers were told of a fault that has not cleared yet, and
// when. It lives in the store so that a restart neither repeats an alert
// nor forgets to say that its fault cleared.
type Alert struct {
	Kind string `json:"kind"`
	// Open: an alert went out and its fault has not cleared since.
	Open bool `json:"open,omitempty"`
	// Since is when the fault began (for the intake: its last sync).
	Since time.Time `json:"since"`
	// Raised is when the last alert went out; the rate limit counts from
	// it. Cleared is when its fault was last seen cleared.
	Raised  time.Time `json:"raised"`
	Cleared time.Time `json:"cleared"`
	// Held are the outbox ids of mails that failed for good within the
	// rate limit of the delivery alert, not yet told; Overflow counts
	// those past HeldMax, told only by number.
	Held     []string `json:"held,omitempty"`
	Overflow int      `json:"overflow,omitempty"`
}

// HeldMax bounds Alert.Held: a relay that refuses everything for a day
// must not grow one value of the meta bucket without end.
const HeldMax = 200

// Alerts are kept in bucket meta, one key "alert/KIND" each: a handful of
// small values that need no bucket (and no migration) of their own.
func alertKey(kind string) []byte { return []byte("alert/" + kind) }

// AlertOf returns the stored alert of kind, a zero Alert of that kind if
// there is none.
func (tx *Tx) AlertOf(kind string) (Alert, error) {
	a := Alert{Kind: kind}
	err := tx.getJSON(bucketMeta, alertKey(kind), &a)
	if errors.Is(err, ErrNotFound) {
		return Alert{Kind: kind}, nil
	}
	if err != nil {
		return Alert{}, fmt.Errorf("alert %s: %w", kind, err)
	}
	return a, nil
}

// PutAlert stores a.
func (tx *Tx) PutAlert(a Alert) error {
	if err := tx.putJSON(bucketMeta, alertKey(a.Kind), a); err != nil {
		return fmt.Errorf("put alert %s: %w", a.Kind, err)
	}
	return nil
}
