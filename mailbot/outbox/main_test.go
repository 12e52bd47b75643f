package outbox

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"
)

// wantPanics counts the panics tests provoke on purpose.
var wantPanics atomic.Int64

// TestMain fails the run if a sender recovered from a panic no test asked
// for, as mox's queue tests do.
func TestMain(m *testing.M) {
	code := m.Run()
	if got, want := Panics(), wantPanics.Load(); got != want {
		fmt.Fprintf(os.Stderr, "outbox: %d panics recovered, want %d\n", got, want)
		code = 1
	}
	os.Exit(code)
}
