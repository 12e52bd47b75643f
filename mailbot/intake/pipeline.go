package intake

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/emersion/go-imap/v2"
)

// pipeline runs the commit protocol over the planned batches, downloading
// batch N+1 while the sink commits batch N, since the two take comparable
// time and neither needs the other.
//
// The session goroutine keeps the connection to itself: every fetch and
// every marking is issued from here. imapclient would accept commands from
// two goroutines, but a streamed FETCH holds its reader goroutine until the
// literals are consumed, so a STORE sent alongside would only queue behind it,
// and one owner keeps the watchdog's closeConn unambiguous.
//
// The sink runs on a helper goroutine, one batch at a time: the next Deliver
// starts only after the previous one returned, so calls never overlap and
// come in UID order. A Preparer sink prepares each batch on a goroutine
// of its own as soon as it is downloaded, alongside the previous Deliver. At most two batches are in memory: the one the sink
// holds and the one being downloaded.
func (s *session) pipeline(ctx context.Context, p *plan) error {
	var inflight *delivery
	// On every way out, panics included, the helper is joined: the next
	// session's State must not overlap this session's Deliver.
	defer func() { _ = inflight.wait() }()
	for {
		msgs, err := s.nextMessages(ctx, p)
		if err != nil {
			return errors.Join(err, s.settle(ctx, inflight))
		}
		if len(msgs) == 0 {
			return s.settle(ctx, inflight)
		}
		uids := uidsOf(msgs) // msgs belong to Prepare from here on
		prep := s.startPrepare(msgs)
		if err := inflight.wait(); err != nil {
			<-prep
			return err // msgs, and whatever follows, stay unseen for the next session
		}
		if err := ctx.Err(); err != nil {
			<-prep
			// Shutting down: hand nothing new to the sink, but mark what it committed.
			return errors.Join(err, s.settle(ctx, inflight))
		}
		done := inflight
		inflight = s.startDeliver(ctx, msgs, uids, prep)
		// Marking batch N overlaps Deliver of batch N+1.
		if err := s.settle(ctx, done); err != nil {
			return err
		}
	}
}

// settle waits for d and marks its messages once the sink committed them.
// A nil d (nothing in flight) settles at once.
func (s *session) settle(ctx context.Context, d *delivery) error {
	if d == nil {
		return nil
	}
	if err := d.wait(); err != nil {
		return err
	}
	return s.markDone(ctx, d.uids)
}

// delivery is one Deliver running on its own goroutine. It keeps only the
// UIDs: the messages belong to the goroutine, and are freed when it ends.
type delivery struct {
	uids   []imap.UID
	result chan error // buffered: the goroutine ends even if nobody waits
	err    error
	joined bool
}

// startDeliver hands msgs (not empty, in UID order) to the sink on a new
// goroutine, once prep (see startPrepare) reports. The caller must wait
// for the previous delivery first.
func (s *session) startDeliver(ctx context.Context, msgs []Message, uids []imap.UID, prep <-chan error) *delivery {
	d := &delivery{uids: uids, result: make(chan error, 1)}
	go func() {
		if err := <-prep; err != nil {
			d.result <- err
			return
		}
		d.result <- s.deliver(ctx, msgs)
	}()
	return d
}

// startPrepare has a Preparer sink prepare msgs on a goroutine of its
// own, so that the work overlaps both the previous batch's Deliver and
// the next batch's download. The channel reports when it is done (at
// once, for a sink that is no Preparer); a panic becomes its error, as in
// deliver.
func (s *session) startPrepare(msgs []Message) <-chan error {
	done := make(chan error, 1)
	pr, ok := s.sink.(Preparer)
	if !ok {
		done <- nil
		return done
	}
	go func() {
		defer func() {
			if r := recover(); r != nil {
				panics.Add(1)
				s.log.Error("panic in sink's Prepare", "panic", r, "stack", string(debug.Stack()))
				done <- fmt.Errorf("prepare uids %d-%d: panic: %v", msgs[0].UID, msgs[len(msgs)-1].UID, r)
			}
		}()
		pr.Prepare(msgs)
		done <- nil
	}()
	return done
}

// wait returns the Deliver result; it may be called again, and on a nil d.
func (d *delivery) wait() error {
	if d == nil {
		return nil
	}
	if !d.joined {
		d.err, d.joined = <-d.result, true
	}
	return d.err
}

// deliver calls the sink. A panic in it becomes an error, as runSafe would
// make it on the session goroutine: here nothing else would recover it and
// it would kill the daemon.
func (s *session) deliver(ctx context.Context, msgs []Message) (err error) {
	first, last := msgs[0].UID, msgs[len(msgs)-1].UID
	defer func() {
		if r := recover(); r != nil {
			panics.Add(1)
			s.log.Error("panic in sink", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("deliver uids %d-%d: panic: %v", first, last, r)
		}
	}()
	if err := s.sink.Deliver(ctx, s.cfg.Mailbox, s.uidValidity, msgs); err != nil {
		return fmt.Errorf("deliver uids %d-%d: %w", first, last, err)
	}
	s.log.Info("delivered", "count", len(msgs), "first_uid", first, "last_uid", last)
	return nil
}

// plan is the catch-up work not yet downloaded, in UID order.
type plan struct {
	metas []meta   // not cut into batches yet
	ready [][]meta // batches cut, not downloaded yet
}

// nextMessages downloads the next batch that still holds messages; it
// returns none when the plan is done.
func (s *session) nextMessages(ctx context.Context, p *plan) ([]Message, error) {
	for {
		batch := s.nextBatch(p)
		if len(batch) == 0 {
			return nil, nil
		}
		msgs, err := s.fetchBatch(ctx, batch)
		if err != nil || len(msgs) > 0 {
			return msgs, err
		}
		// Everything in the batch was expunged meanwhile: on to the next.
	}
}

// nextBatch returns the next batch's metadata, cut BatchSize messages and
// at most MaxBatchBytes at a time; nil when the plan is done.
func (s *session) nextBatch(p *plan) []meta {
	if len(p.ready) == 0 {
		if len(p.metas) == 0 {
			return nil
		}
		n := min(len(p.metas), s.cfg.BatchSize)
		p.ready = splitBySize(p.metas[:n], s.cfg.MaxBatchBytes)
		p.metas = p.metas[n:]
	}
	batch := p.ready[0]
	p.ready = p.ready[1:]
	return batch
}
