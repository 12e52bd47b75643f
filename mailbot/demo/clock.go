package demo

import (
	"sync"
	"time"
)

// Clock is a clock that the demo and the tests move by hand, so that a
// CRD two weeks away arrives at once and nothing sleeps for real time.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// NewClock returns a clock reading the real time, until moved.
func NewClock() *Clock { return &Clock{} }

// Now is the real time plus every Advance so far.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// AdvanceTo moves the clock forward to t (never back).
func (c *Clock) AdvanceTo(t time.Time) {
	if d := t.Sub(c.Now()); d > 0 {
		c.Advance(d)
	}
}
