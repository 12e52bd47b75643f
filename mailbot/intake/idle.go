package intake

import (
	"context"
	"time"
)

// waitForMail blocks until there may be new mail: an EXISTS push, the
// PollInterval re-scan timer, or (with IDLE) the IdleRestart timer. Every
// KeepAlive in between it proves the server still answers, each round trip
// within KeepAliveTimeout, so that a frozen server ends the session within
// a minute. It returns ctx.Err() when ctx ends, after ending IDLE cleanly.
func (s *session) waitForMail(ctx context.Context) error {
	w := newWaitTimers(s.cfg, s.canIdle)
	defer w.stop()
	for first := true; ; first = false {
		probe, err := s.waitOnce(ctx, w, first)
		if err != nil || !probe {
			return err
		}
		if err := s.noop(ctx); err != nil {
			return err
		}
		w.keepAlive.Reset(s.cfg.KeepAlive)
	}
}

// waitOnce waits in IDLE, or without it, until there may be news (probe
// false) or the keep-alive is due (probe true). Only the first wait of a
// waitForMail counts as having caught up.
func (s *session) waitOnce(ctx context.Context, w *waitTimers, first bool) (probe bool, err error) {
	if !s.canIdle {
		if first {
			s.notifyIdle()
		}
		return w.wait(ctx, s.wake, nil)
	}
	return s.idle(ctx, w, first)
}

// idle waits in IDLE (RFC 2177). The timer re-scan is not optional: the
// memserver, and maybe others, can miss an EXISTS sent while IDLE starts.
func (s *session) idle(ctx context.Context, w *waitTimers, first bool) (probe bool, err error) {
	var stop func() error
	err = s.probe(ctx, "idle", false, func() error {
		cmd, err := s.c.Idle() // blocks until "+ idling"
		if err == nil {
			stop = func() error { return stopIdle(cmd.Close, cmd.Wait) }
		}
		return err
	})
	if err != nil {
		return false, err
	}
	if first {
		s.notifyIdle()
	}
	probe, waitErr := w.wait(ctx, s.wake, s.c.Closed())

	// Even on shutdown: a clean DONE lets LOGOUT follow. Its answer is the
	// first proof that the server still lives.
	if err := s.probe(ctx, "end idle", true, stop); err != nil {
		return false, err
	}
	return probe, waitErr
}

// noop is the keep-alive round trip (RFC 9051 section 6.1.2); any EXISTS it
// brings wakes the loop.
func (s *session) noop(ctx context.Context) error {
	return s.probe(ctx, "noop", false, func() error { return s.c.Noop().Wait() })
}

// probe runs a short command of the wait for mail within KeepAliveTimeout;
// always (ending IDLE) runs it even after ctx ended.
func (s *session) probe(ctx context.Context, what string, always bool, op func() error) error {
	if always {
		return guardAlways(ctx, s.cfg.KeepAliveTimeout, s.closeConn, what, op)
	}
	return guard(ctx, s.cfg.KeepAliveTimeout, s.closeConn, what, op)
}

// waitTimers are the timers of one waitForMail. restart is nil without IDLE.
type waitTimers struct {
	poll, restart, keepAlive *time.Timer
}

func newWaitTimers(cfg *Config, canIdle bool) *waitTimers {
	w := &waitTimers{
		poll:      time.NewTimer(cfg.PollInterval),
		keepAlive: time.NewTimer(cfg.KeepAlive),
	}
	if canIdle {
		w.restart = time.NewTimer(cfg.IdleRestart)
	}
	return w
}

// wait returns when ctx ends (its error), the connection closed, a push
// woke the loop or the re-scan or restart timer fired (probe false), or the
// keep-alive is due (probe true).
func (w *waitTimers) wait(ctx context.Context, wake <-chan struct{}, closed <-chan struct{}) (probe bool, err error) {
	var restart <-chan time.Time
	if w.restart != nil {
		restart = w.restart.C
	}
	select {
	case <-ctx.Done():
		return false, ctx.Err()
	case <-closed:
		// Ending IDLE reports the connection error.
	case <-wake:
	case <-w.poll.C:
	case <-restart:
	case <-w.keepAlive.C:
		return true, nil
	}
	return false, nil
}

func (w *waitTimers) stop() {
	w.poll.Stop()
	w.keepAlive.Stop()
	if w.restart != nil {
		w.restart.Stop()
	}
}

func stopIdle(closeFn, waitFn func() error) error {
	if err := closeFn(); err != nil {
		return err
	}
	return waitFn()
}

func (s *session) notifyIdle() {
	s.log.Debug("caught up, waiting for mail")
	s.caughtUp = true
	if s.cfg.OnIdle != nil {
		s.cfg.OnIdle()
	}
}
