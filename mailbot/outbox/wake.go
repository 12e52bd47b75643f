package outbox

import (
	"context"
	"fmt"
	"time"
)

// batch is the state of one wake: the connection shared by its entries.
type batch struct {
	s       *Sender
	cn      *conn
	dialErr error // set once connecting failed; later entries reuse it
}

// wake handles one batch of due entries. again says whether entries were
// handled, so more may be due; next is the queue's next due time.
func (s *Sender) wake(ctx context.Context) (again bool, next time.Time, err error) {
	due, next, err := s.q.Due(s.cfg.Now(), s.cfg.BatchMax)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("due entries: %w", err)
	}
	due = due[:min(len(due), s.cfg.BatchMax)]
	b := &batch{s: s}
	defer b.close(ctx)
	for _, e := range due {
		if ctx.Err() != nil {
			return false, next, nil
		}
		if err := b.handle(ctx, e); err != nil {
			return false, next, err
		}
	}
	return len(due) > 0, next, nil
}

// handle makes one attempt at e. The attempt is recorded before anything is
// dialled or sent; if that fails, nothing is sent.
func (b *batch) handle(ctx context.Context, e Entry) error {
	s := b.s
	now := s.cfg.Now()
	retry := now.Add(Backoff(s.cfg, e.Attempts+1, s.rnd))
	if err := s.q.Attempt(e.ID, now, retry); err != nil {
		return fmt.Errorf("record attempt of %s: %w", e.ID, err)
	}
	return s.report(e, b.try(ctx, e))
}

// try sends e on the batch's connection, connecting first if needed.
func (b *batch) try(ctx context.Context, e Entry) result {
	if err := checkEntry(e); err != nil {
		return result{kind: kindPermanent, reply: err.Error()}
	}
	if b.cn == nil && b.dialErr == nil {
		b.cn, b.dialErr = b.s.dial(ctx)
	}
	if b.dialErr != nil {
		return result{kind: kindTemporary, reply: b.dialErr.Error(), netErr: b.dialErr}
	}
	res := b.s.send(ctx, b.cn, e)
	if res.broken {
		b.cn.c.Close()
		b.cn = nil
	}
	return res
}

// close ends the batch's connection, if any.
func (b *batch) close(ctx context.Context) {
	if b.cn != nil {
		b.cn.close(ctx, b.s)
	}
}

// report hands the result to the queue, turning temporary failures
// permanent once the entry has expired.
func (s *Sender) report(e Entry, res result) error {
	now := s.cfg.Now()
	log := s.log.With("id", e.ID, "rcpts", len(e.To), "attempt", e.Attempts+1, "code", res.code)
	if res.kind == kindDelivered {
		log.Info("delivered")
		if err := s.q.Delivered(e.ID, now, res.reply); err != nil {
			return fmt.Errorf("record delivery of %s: %w", e.ID, err)
		}
		return nil
	}
	permanent := res.kind == kindPermanent
	if !permanent && now.Sub(e.Queued) > s.cfg.Expire {
		permanent = true
		res.reply = fmt.Sprintf("expired after %v in queue; last error: %s", s.cfg.Expire, res.reply)
	}
	if res.netErr != nil {
		log = log.With("err", res.netErr)
	}
	log.Warn("delivery failed", "permanent", permanent)
	if err := s.q.Failed(e.ID, now, res.reply, permanent); err != nil {
		return fmt.Errorf("record failure of %s: %w", e.ID, err)
	}
	return nil
}
