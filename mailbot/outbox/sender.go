package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"time"
)

// Sender delivers the entries of a Queue to one SMTP relay. Run it once.
type Sender struct {
	cfg  Config
	q    Queue
	log  *slog.Logger
	kick chan struct{} // size 1: any number of kicks while busy mean one more wake
	rnd  *rand.Rand    // backoff jitter; used only by the Run goroutine
}

// New returns a Sender; Run validates cfg.
func New(cfg Config, q Queue) *Sender {
	cfg = cfg.withDefaults()
	return &Sender{
		cfg:  cfg,
		q:    q,
		log:  cfg.Logger.With("pkg", "outbox"),
		kick: make(chan struct{}, 1),
		rnd:  rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
	}
}

// Kick wakes the sender without blocking; call it after a transaction that
// enqueued mail has committed.
func (s *Sender) Kick() {
	select {
	case s.kick <- struct{}{}:
	default: // a wake is already pending
	}
}

// Run sends due mail until ctx is cancelled, then returns ctx's error. It
// returns at once, touching neither the queue nor the network, if the
// config is invalid (such as plain SMTP to a non-loopback host).
func (s *Sender) Run(ctx context.Context) error {
	if err := s.cfg.Validate(); err != nil {
		return fmt.Errorf("outbox config: %w", err)
	}
	for {
		if err := s.sleep(ctx, s.step(ctx)); err != nil {
			return err
		}
	}
}

// step runs one wake and returns how long to wait before the next. It
// recovers panics, so that a bug around one entry cannot stop all mail.
func (s *Sender) step(ctx context.Context) (wait time.Duration) {
	defer func() {
		if r := recover(); r != nil {
			s.cfg.Panics.Add(1)
			s.log.Error("panic in sender", "panic", r, "stack", string(debug.Stack()))
			wait = s.cfg.MinBackoff
		}
	}()
	again, next, err := s.wake(ctx)
	switch {
	case err != nil:
		// The queue store is failing: retrying at once would spin.
		s.log.Error("outbox wake", "err", err)
		return s.cfg.MinBackoff
	case again:
		return 0
	case next.IsZero():
		// Nothing queued; wake now and then anyway in case a Kick was missed.
		return s.cfg.MaxBackoff
	}
	return min(max(next.Sub(s.cfg.Now()), 0), s.cfg.MaxBackoff)
}

// sleep waits for d, a Kick or the end of ctx.
func (s *Sender) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-s.kick:
	case <-t.C:
	}
	return nil
}
