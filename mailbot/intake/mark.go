package intake

import (
	"context"
	"fmt"

	"github.com/emersion/go-imap/v2"
)

// markDone tells the server the messages are processed: UID MOVE to MoveTo,
// or +FLAGS.SILENT \Seen. It runs even when ctx ended meanwhile: the sink
// has committed, and finishing now spares the repair pass. Only UIDs are used: the memserver sends two
// EXPUNGEs per MOVE, so sequence numbers cannot be trusted afterwards.
func (s *session) markDone(ctx context.Context, uids []imap.UID) error {
	if len(uids) == 0 {
		return nil
	}
	set := imap.UIDSetNum(uids...)
	if s.cfg.MoveTo != "" {
		return s.finish(ctx, "move to "+s.cfg.MoveTo, func() error {
			_, err := s.c.Move(set, s.cfg.MoveTo).Wait()
			return err
		})
	}
	return s.finish(ctx, "store seen", func() error {
		store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}
		return s.c.Store(set, store, nil).Close()
	})
}

// ensureMoveTo creates MoveTo when it is missing. LIST first, because
// servers disagree on how CREATE of an existing mailbox fails.
func (s *session) ensureMoveTo(ctx context.Context) error {
	if s.cfg.MoveTo == "" {
		return nil
	}
	var exists bool
	err := s.do(ctx, "list "+s.cfg.MoveTo, func() error {
		boxes, err := s.c.List("", s.cfg.MoveTo, nil).Collect()
		for _, b := range boxes {
			// The name is a pattern: '%' or '*' in it could match others.
			exists = exists || b.Mailbox == s.cfg.MoveTo
		}
		return err
	})
	if err != nil || exists {
		return err
	}
	s.log.Info("creating move-to mailbox", "move_to", s.cfg.MoveTo)
	return s.do(ctx, "create "+s.cfg.MoveTo, func() error {
		return s.c.Create(s.cfg.MoveTo, nil).Wait()
	})
}

// repair finishes the marking a crash interrupted: messages at or below
// lastUID were committed by the sink, so they must not stay unseen (or, with
// MoveTo, in the source mailbox at all).
func (s *session) repair(ctx context.Context) error {
	validity, last, err := s.sink.State(ctx, s.cfg.Mailbox)
	if err != nil {
		return fmt.Errorf("sink state: %w", err)
	}
	if validity != s.uidValidity || last == 0 {
		return nil // after a UIDVALIDITY change the old lastUID means nothing
	}
	crit := &imap.SearchCriteria{UID: []imap.UIDSet{{{Start: 1, Stop: imap.UID(last)}}}}
	if s.cfg.MoveTo == "" {
		crit.NotFlag = []imap.Flag{imap.FlagSeen}
	}
	uids, err := s.search(ctx, "search unmarked", crit)
	if err != nil || len(uids) == 0 {
		return err
	}
	s.log.Info("marking messages committed before a crash", "count", len(uids))
	for len(uids) > 0 && ctx.Err() == nil {
		n := min(len(uids), s.cfg.BatchSize) // bound the command line length
		if err := s.markDone(ctx, uids[:n]); err != nil {
			return err
		}
		uids = uids[n:]
	}
	return nil
}
