package metrics

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/secbot/secbot/store"
)

// Health judges whether the daemon works. Its limits follow the running
// configuration: the poll interval changes on reload.
type Health struct {
	m       *Metrics
	st      *store.Store
	started time.Time
	now     func() time.Time
	poll    atomic.Int64 // the IMAP poll interval, in nanoseconds
}

// MaxOutboxLate is how long past due the oldest pending mail may be.
const MaxOutboxLate = time.Hour

// NewHealth watches m and st from started on.
func NewHealth(m *Metrics, st *store.Store, poll time.Duration, now func() time.Time) *Health {
	h := &Health{m: m, st: st, now: now, started: now()}
	h.SetPoll(poll)
	return h
}

// SetPoll sets the poll interval of the running configuration.
func (h *Health) SetPoll(d time.Duration) { h.poll.Store(int64(d)) }

// Problems lists what is wrong, nil when healthy: the intake has not
// caught up within 3 poll intervals (of the start, before the first
// sync), the oldest due mail is over an hour late, or the store cannot
// be written.
func (h *Health) Problems() []string {
	var out []string
	now := h.now()
	since := h.m.LastSync()
	if since.IsZero() {
		since = h.started
	}
	if limit := 3 * time.Duration(h.poll.Load()); now.Sub(since) > limit {
		out = append(out, fmt.Sprintf("intake: no IMAP sync for %s (limit %s)", now.Sub(since).Round(time.Second), limit))
	}
	var oldest time.Time
	if err := h.st.View(func(tx *store.Tx) error { oldest = tx.OldestDue(); return nil }); err != nil {
		out = append(out, fmt.Sprintf("store: read: %v", err))
	} else if !oldest.IsZero() && now.Sub(oldest) > MaxOutboxLate {
		out = append(out, fmt.Sprintf("outbox: the oldest due mail is %s late (limit %s)", now.Sub(oldest).Round(time.Second), MaxOutboxLate))
	}
	if err := h.st.Update(func(tx *store.Tx) error { return tx.TouchHealth(now) }); err != nil {
		out = append(out, fmt.Sprintf("store: cannot write: %v", err))
	}
	return out
}
