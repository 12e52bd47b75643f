package intake

import (
	"context"
	"time"
)

// waitForMail blocks until there may be new mail: an EXISTS push, the
// PollInterval re-scan timer, or (with IDLE) the IdleRestart timer. It
// returns ctx.Err() when ctx ends, after ending IDLE cleanly.
func (s *session) waitForMail(ctx context.Context) error {
	if !s.canIdle {
		return s.poll(ctx)
	}
	return s.idle(ctx)
}

// poll is for servers without IDLE: the only news is the timer (or an
// EXISTS that happened to arrive with an earlier command's reply).
func (s *session) poll(ctx context.Context) error {
	s.notifyIdle()
	t := time.NewTimer(s.cfg.PollInterval)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-s.wake:
	case <-t.C:
	}
	return nil
}

// idle waits in IDLE (RFC 2177). The timer re-scan is not optional: the
// memserver, and maybe others, can miss an EXISTS sent while IDLE starts.
func (s *session) idle(ctx context.Context) error {
	var stop func() error
	err := s.do(ctx, "idle", func() error {
		cmd, err := s.c.Idle() // blocks until "+ idling"
		if err == nil {
			stop = func() error { return stopIdle(cmd.Close, cmd.Wait) }
		}
		return err
	})
	if err != nil {
		return err
	}
	s.notifyIdle()
	waitErr := s.idleWait(ctx)

	// Even on shutdown: a clean DONE lets LOGOUT follow.
	if err := s.finish(ctx, "end idle", stop); err != nil {
		return err
	}
	return waitErr
}

func (s *session) idleWait(ctx context.Context) error {
	poll := time.NewTimer(s.cfg.PollInterval)
	defer poll.Stop()
	restart := time.NewTimer(s.cfg.IdleRestart)
	defer restart.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-s.c.Closed():
		// The stop below reports the connection error.
	case <-s.wake:
	case <-poll.C:
	case <-restart.C:
	}
	return nil
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
