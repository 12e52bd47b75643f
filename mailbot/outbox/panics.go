package outbox

import "sync/atomic"

// panics counts recovered panics in this package's goroutines. It is package
// wide, like mox's metrics, so a test's TestMain can fail the run if any
// Sender panicked.
var panics atomic.Int64

// Panics returns how many panics the senders of this process recovered from.
func Panics() int64 { return panics.Load() }
