package intake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// shutdownGrace is how long a command already running when ctx ends may take
// to finish, so that shutdown does not tear a STORE or an IDLE in half, while
// a dead server still cannot hold shutdown for long.
const shutdownGrace = 5 * time.Second

// errCommandTimeout is the cause recorded when a command made no progress
// for Config.CommandTimeout.
var errCommandTimeout = errors.New("imap command timed out")

// watchdog closes the connection when no progress was reported for the
// timeout, or shutdownGrace after ctx ends. imapclient commands take no
// context, and closing the connection is the only way to unblock one stuck
// on a dead peer.
type watchdog struct {
	timeout    time.Duration
	timer      *time.Timer
	ctx        context.Context
	cancel     context.CancelCauseFunc
	stopParent func() bool
	stopClose  func() bool
}

func newWatchdog(ctx context.Context, timeout time.Duration, closeConn func()) *watchdog {
	wctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	w := &watchdog{timeout: timeout, ctx: wctx, cancel: cancel}
	w.timer = time.AfterFunc(timeout, func() { cancel(errCommandTimeout) })
	w.stopParent = context.AfterFunc(ctx, func() {
		time.AfterFunc(shutdownGrace, func() { cancel(context.Cause(ctx)) })
	})
	w.stopClose = context.AfterFunc(wctx, closeConn)
	return w
}

// kick reports progress, pushing the deadline back.
func (w *watchdog) kick() { w.timer.Reset(w.timeout) }

// stop disarms the watchdog. It returns the cause (timeout or the parent
// context's error) when the watchdog already closed the connection.
func (w *watchdog) stop() error {
	w.timer.Stop()
	w.stopParent()
	closed := !w.stopClose()
	cause := context.Cause(w.ctx)
	w.cancel(nil) // a pending grace timer now cancels nothing that matters
	if closed {
		return cause
	}
	return nil
}

// guard runs op under a watchdog, but starts nothing once ctx has ended:
// the first phase of shutdown is to stop starting new work.
func guard(ctx context.Context, timeout time.Duration, closeConn func(), what string, op func() error) error {
	if err := ctx.Err(); err != nil {
		return wrap(what, err)
	}
	return guardAlways(ctx, timeout, closeConn, what, op)
}

// guardAlways runs op under a watchdog even when ctx has ended, for steps
// that finish work already begun (ending IDLE, marking a committed batch,
// LOGOUT); they then get shutdownGrace.
func guardAlways(ctx context.Context, timeout time.Duration, closeConn func(), what string, op func() error) error {
	w := newWatchdog(ctx, timeout, closeConn)
	err := op()
	if werr := w.stop(); werr != nil {
		// The op error is only the symptom ("use of closed connection").
		return wrap(what, werr)
	}
	return wrap(what, err)
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// kickReader reports progress (kick, a watchdog's) on every read that
// brings bytes, so a slow but moving download of a large literal is not
// mistaken for a dead peer.
type kickReader struct {
	r    io.Reader
	kick func()
}

func (k kickReader) Read(p []byte) (int, error) {
	n, err := k.r.Read(p)
	if n > 0 {
		k.kick()
	}
	return n, err
}
