package store

import (
	"testing"
	"time"
)

// TestCheckCaselessTimers: the timers of no case (the digest, retention)
// are not reported as pointing at a missing case.
func TestCheckCaselessTimers(t *testing.T) {
	s := openTemp(t)
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	if err := s.Update(func(tx *Tx) error {
		for _, k := range []string{TimerDigest, TimerRetention} {
			if err := tx.SetTimer(Timer{At: at, Kind: k}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if problems := s.Check(); len(problems) > 0 {
		t.Errorf("check: %v", problems)
	}
}
