package intake

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// TestKickReader: only a read that brings bytes counts as progress.
func TestKickReader(t *testing.T) {
	for _, tc := range []struct {
		name  string
		r     io.Reader
		kicks int
	}{
		{"bytes", iotest.OneByteReader(strings.NewReader("abc")), 3},
		{"nothing", iotest.ErrReader(io.EOF), 0},
		{"an error", iotest.ErrReader(errors.New("reset")), 0},
		{"bytes with the end", iotest.DataErrReader(strings.NewReader("abc")), 2},
	} {
		kicks := 0
		r := kickReader{r: tc.r, kick: func() { kicks++ }}
		buf := make([]byte, 2)
		for range 4 {
			r.Read(buf)
		}
		if kicks != tc.kicks {
			t.Errorf("%s: %d kicks, want %d", tc.name, kicks, tc.kicks)
		}
	}
}

// TestGuardAlways: the op's own error comes back, wrapped in what; a
// watchdog that fired reports its cause instead of the symptom.
func TestGuardAlways(t *testing.T) {
	errOp := errors.New("NO [AUTHENTICATIONFAILED]")
	if err := guardAlways(t.Context(), time.Hour, func() {}, "login", func() error { return errOp }); !errors.Is(err, errOp) || err.Error() != "login: "+errOp.Error() {
		t.Errorf("op error: %v, want login: %v", err, errOp)
	}
	if err := guardAlways(t.Context(), time.Hour, func() {}, "login", func() error { return nil }); err != nil {
		t.Errorf("op success: %v", err)
	}
	closed := make(chan struct{})
	stuck := func() error { <-closed; return errors.New("use of closed connection") }
	err := guardAlways(t.Context(), time.Millisecond, func() { close(closed) }, "fetch", stuck)
	if !errors.Is(err, errCommandTimeout) {
		t.Errorf("stuck op: %v, want %v", err, errCommandTimeout)
	}
}
