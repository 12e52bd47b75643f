package mailbot

import (
	"fmt"
	"time"

	"github.com/secbot/secbot/store"
)

// Retention (retention.raw_after_close): once a day, the raw and
// decrypted bodies of the messages of cases closed, rejected, duplicate
// or published, and unchanged for that long, are purged (store/purge.go).
// The case, its advisory, its audit log and the message records (headers)
// stay. Its timer (of no case) lives in the store like the digest's.

// retentionEvery is how often the purge runs.
const retentionEvery = 24 * time.Hour

// armRetention makes the stored timer agree with the configuration at
// every start: none when retention is off; else kept, or set to run now.
func (b *Bot) armRetention() error {
	return b.store.Update(func(tx *store.Tx) error {
		if !b.cfg.Retention.On() {
			return tx.DeleteTimer("", store.TimerRetention)
		}
		if _, ok, err := tx.TimerOf("", store.TimerRetention); err != nil || ok {
			return err
		}
		return tx.SetTimer(store.Timer{At: b.now(), Kind: store.TimerRetention})
	})
}

// retentionDue purges what is due and arms the next run, a day on.
func (b *Bot) retentionDue(tx *store.Tx, now time.Time) (int, error) {
	if !b.cfg.Retention.On() {
		return 0, nil
	}
	if err := tx.SetTimer(store.Timer{At: now.Add(retentionEvery), Kind: store.TimerRetention}); err != nil {
		return 0, err
	}
	cases, err := tx.Cases()
	if err != nil {
		return 0, err
	}
	cutoff := now.Add(-b.cfg.Retention.RawAfterClose.D())
	for _, c := range cases {
		if !retired(c.State) || !c.Updated.Before(cutoff) {
			continue
		}
		n, err := tx.PurgeMessages(c.Messages, now)
		if err != nil {
			return 0, fmt.Errorf("purge %s: %w", c.ID, err)
		}
		if n == 0 {
			continue
		}
		if err := tx.Audit(store.AuditEntry{Time: now, Case: c.ID, Actor: "secbot", Action: "bodies-purged",
			Detail: fmt.Sprintf("%d message bodies (retention.raw_after_close)", n)}); err != nil {
			return 0, err
		}
		tx.OnCommit(func() { b.log.Info("message bodies purged", "case", c.ID, "messages", n) })
	}
	return 0, nil
}

// retired says whether a case in state s is over: its bodies may go.
func retired(s string) bool {
	switch s {
	case store.StateClosed, store.StateRejected, store.StateDuplicate, store.StatePublished:
		return true
	}
	return false
}
