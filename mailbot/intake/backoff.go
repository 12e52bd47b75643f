package intake

import (
	"context"
	"math/rand/v2"
	"time"
)

// backoff is capped exponential backoff with jitter, so that many bots
// restarted together do not reconnect to the server in lockstep.
type backoff struct {
	min, max time.Duration
	cur      time.Duration // ceiling of the next delay; 0 after reset
}

// next returns the delay before the next attempt: uniform in [cur/2, cur],
// where cur doubles per call from min up to max.
func (b *backoff) next() time.Duration {
	switch {
	case b.cur == 0:
		b.cur = b.min
	case b.cur < b.max/2:
		b.cur *= 2
	default:
		b.cur = b.max
	}
	half := b.cur / 2
	return half + rand.N(b.cur-half+1)
}

// reset is called after a successful session: the next failure is fresh.
func (b *backoff) reset() { b.cur = 0 }

// sleep waits d or until ctx ends; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
