package intake

import (
	"errors"
	"testing"
)

// TestStopIdle: DONE is sent, then its tagged answer awaited: the answer
// is the proof that the server still lives, and its error counts.
func TestStopIdle(t *testing.T) {
	errClose, errWait := errors.New("close"), errors.New("wait")
	for _, tc := range []struct {
		name              string
		closeErr, waitErr error
		want              error
		waited            bool
	}{
		{"both answer", nil, nil, nil, true},
		{"the answer is an error", nil, errWait, errWait, true},
		{"DONE cannot be sent", errClose, nil, errClose, false},
	} {
		waited := false
		err := stopIdle(func() error { return tc.closeErr }, func() error { waited = true; return tc.waitErr })
		if err != tc.want || waited != tc.waited {
			t.Errorf("%s: %v, waited %v; want %v, waited %v", tc.name, err, waited, tc.want, tc.waited)
		}
	}
}
