package intake

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"
)

// unownedPanics counts the panics recovered in sessions whose Config
// names no counter of its own; tests fail when it is not 0.
var unownedPanics atomic.Int64

// Run connects, and loops until ctx is cancelled: it delivers everything
// above the sink's lastUID in batches, marks each batch after Deliver
// committed it, then waits for new mail (IDLE, else polling). Connection and
// Deliver errors are logged and retried with capped exponential backoff.
// Run returns nil when ctx is cancelled and an error only for configuration
// errors.
func Run(ctx context.Context, cfg Config, sink Sink) error {
	cfg, err := prepare(cfg)
	if err != nil {
		return err
	}
	if sink == nil {
		return errors.New("intake config: nil sink")
	}
	bo := &backoff{min: cfg.MinBackoff, max: cfg.MaxBackoff}
	for {
		s := newSession(&cfg, sink)
		err := s.runSafe(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if s.caughtUp {
			bo.reset()
		}
		d := bo.next()
		s.log.Warn("imap session ended, reconnecting", "err", err, "retry_in", d)
		if cfg.OnReconnect != nil {
			cfg.OnReconnect()
		}
		if !sleep(ctx, d) {
			return nil
		}
	}
}

// runSafe runs one session and always closes it. A panic (say, in the
// Sink) ends the session like an error instead of killing the daemon.
func (s *session) runSafe(ctx context.Context) (err error) {
	defer s.close(ctx)
	defer func() {
		if r := recover(); r != nil {
			s.cfg.Panics.Add(1)
			s.log.Error("panic in imap session", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return s.run(ctx)
}

func (s *session) run(ctx context.Context) error {
	if err := s.connect(ctx, false); err != nil {
		return err
	}
	s.log.Info("imap connected", "uidvalidity", s.uidValidity, "idle", s.canIdle)
	if err := s.ensureMoveTo(ctx); err != nil {
		return err
	}
	if err := s.repair(ctx); err != nil {
		return err
	}
	for {
		if err := s.catchUp(ctx); err != nil {
			return err
		}
		if err := s.waitForMail(ctx); err != nil {
			return err
		}
	}
}
