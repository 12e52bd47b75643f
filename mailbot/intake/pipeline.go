package intake

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/emersion/go-imap/v2"
)

// pipeline runs the commit protocol over the planned batches. Three
// things go on at once: the sink commits batch N, batch N+1 is prepared
// and waits its turn, and batch N+2 is downloaded. With one batch ahead
// only, the download and preparation of the next batch (which cannot
// start before the previous Deliver has) would be on the critical path
// after every commit.
//
// The session goroutine keeps the connection to itself: every fetch and
// every marking is issued from here. imapclient would accept commands from
// two goroutines, but a streamed FETCH holds its reader goroutine until the
// literals are consumed, so a STORE sent alongside would only queue behind it,
// and one owner keeps the watchdog's closeConn unambiguous.
//
// Each batch goes to the sink on a helper goroutine of its own, which
// waits for the previous batch's Deliver to return first: calls never
// overlap and come in UID order, and after a failed Deliver no later batch
// reaches the sink (its lastUID would skip the failed one). A Preparer
// sink prepares each batch on yet another goroutine as soon as it is
// downloaded. At most three batches are in memory: the one in Deliver,
// the one waiting for it, and the one being downloaded.
func (s *session) pipeline(ctx context.Context, p *plan) error {
	var pending []*delivery // handed to the sink, not settled yet; oldest first
	// On every way out, panics included, the helpers are joined: the next
	// session's State must not overlap this session's Deliver.
	defer func() {
		for _, d := range pending {
			_ = d.wait()
		}
	}()
	for {
		msgs, err := s.nextMessages(ctx, p)
		if err != nil {
			return errors.Join(err, s.settleAll(ctx, &pending))
		}
		if len(msgs) == 0 {
			return s.settleAll(ctx, &pending)
		}
		if err := ctx.Err(); err != nil {
			// Shutting down: hand nothing new to the sink, but mark what it committed.
			return errors.Join(err, s.settleAll(ctx, &pending))
		}
		uids := uidsOf(msgs) // msgs belong to the helpers from here on
		var prev *delivery
		if len(pending) > 0 {
			prev = pending[len(pending)-1]
		}
		pending = append(pending, s.startDeliver(ctx, msgs, uids, prev, s.startPrepare(msgs)))
		// Marking batch N overlaps Deliver of batch N+1 and the download
		// of batch N+2.
		for len(pending) > 2 {
			if err := s.settle(ctx, pending[0]); err != nil {
				return err
			}
			pending = pending[1:]
		}
	}
}

// settleAll settles the pending deliveries in order, up to the first that
// failed.
func (s *session) settleAll(ctx context.Context, pending *[]*delivery) error {
	for len(*pending) > 0 {
		if err := s.settle(ctx, (*pending)[0]); err != nil {
			return err
		}
		*pending = (*pending)[1:]
	}
	return nil
}

// settle waits for d and marks its messages once the sink committed them.
func (s *session) settle(ctx context.Context, d *delivery) error {
	if err := d.wait(); err != nil {
		return err
	}
	return s.markDone(ctx, d.uids)
}

// errNotDelivered is the result of a batch that was never handed to the
// sink, because the batch before it failed or the session was ending.
var errNotDelivered = errors.New("not delivered")

// delivery is one batch on its way to the sink, on its own goroutine. It
// keeps only the UIDs: the messages belong to the goroutine, and are freed
// when it ends. done is closed when err is set.
type delivery struct {
	uids []imap.UID
	done chan struct{}
	err  error
}

// startDeliver hands msgs (not empty, in UID order) to the sink on a new
// goroutine, once prev (nil for none) was delivered and prep (see
// startPrepare) reports.
func (s *session) startDeliver(ctx context.Context, msgs []Message, uids []imap.UID, prev *delivery, prep <-chan error) *delivery {
	d := &delivery{uids: uids, done: make(chan struct{})}
	go func() {
		defer close(d.done)
		perr := <-prep
		switch {
		case prev != nil && prev.wait() != nil:
			d.err = fmt.Errorf("uids %d-%d: %w: an earlier batch failed", uids[0], uids[len(uids)-1], errNotDelivered)
		case ctx.Err() != nil:
			d.err = fmt.Errorf("uids %d-%d: %w: %w", uids[0], uids[len(uids)-1], errNotDelivered, ctx.Err())
		case perr != nil:
			d.err = perr
		default:
			d.err = s.deliver(ctx, msgs)
		}
	}()
	return d
}

// wait returns the delivery's result; it may be called from any goroutine,
// and again.
func (d *delivery) wait() error {
	<-d.done
	return d.err
}

// startPrepare has a Preparer sink prepare msgs on a goroutine of its
// own, so that the work overlaps the previous batch's Deliver and the next
// batch's download. The channel reports when it is done (at once, for a
// sink that is no Preparer); a panic becomes its error, as in deliver.
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
				s.cfg.Panics.Add(1)
				s.log.Error("panic in sink's Prepare", "panic", r, "stack", string(debug.Stack()))
				done <- fmt.Errorf("prepare uids %d-%d: panic: %v", msgs[0].UID, msgs[len(msgs)-1].UID, r)
			}
		}()
		pr.Prepare(msgs)
		done <- nil
	}()
	return done
}

// deliver calls the sink. A panic in it becomes an error, as runSafe would
// make it on the session goroutine: here nothing else would recover it and
// it would kill the daemon.
func (s *session) deliver(ctx context.Context, msgs []Message) (err error) {
	first, last := msgs[0].UID, msgs[len(msgs)-1].UID
	defer func() {
		if r := recover(); r != nil {
			s.cfg.Panics.Add(1)
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
