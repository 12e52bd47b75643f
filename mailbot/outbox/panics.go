package outbox

import "sync/atomic"

// unownedPanics counts recovered panics of the senders whose Config names
// no counter of its own, so that a test's TestMain can fail the run if any
// of them panicked. A Bot passes its own counter.
var unownedPanics atomic.Int64

// Panics returns how many panics the senders without a counter of their
// own recovered from.
func Panics() int64 { return unownedPanics.Load() }
