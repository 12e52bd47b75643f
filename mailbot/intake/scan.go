package intake

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/emersion/go-imap/v2"
)

// catchUp delivers everything above the sink's lastUID (everything, when
// UIDVALIDITY changed), in UID order, in batches, marking each batch only
// after the sink committed it. Asking for UIDs above lastUID rather than
// trusting EXISTS pushes makes it correct whatever notifications were
// missed.
func (s *session) catchUp(ctx context.Context) error {
	last, err := s.lastUID(ctx)
	if err != nil {
		return err
	}
	metas, err := s.metaAfter(ctx, last)
	if err != nil {
		return err
	}
	return s.pipeline(ctx, &plan{metas: metas})
}

// lastUID returns the highest processed UID valid for the selected mailbox:
// 0 when the stored UIDVALIDITY differs, since old UIDs then mean nothing
// (RFC 9051 section 2.3.1.1).
func (s *session) lastUID(ctx context.Context) (imap.UID, error) {
	validity, last, err := s.sink.State(ctx, s.cfg.Mailbox)
	if err != nil {
		return 0, fmt.Errorf("sink state: %w", err)
	}
	if validity == s.uidValidity {
		return imap.UID(last), nil
	}
	if validity != 0 && !s.rescanLogged {
		s.rescanLogged = true
		s.log.Warn("uidvalidity changed: rescanning the whole mailbox",
			"old_uidvalidity", validity, "new_uidvalidity", s.uidValidity)
	}
	return 0, nil
}

// metaAfter returns the metadata of the messages above last, ascending:
// one UID FETCH of "last+1:*" finds them and plans their batches at once.
// (A UID SEARCH first would cost a round trip more, and a server that
// reads each message to evaluate SEARCH, as go-imap's memserver does, a
// lot more.) The metadata of a backlog is some 40 bytes a message.
func (s *session) metaAfter(ctx context.Context, last imap.UID) ([]meta, error) {
	if last == math.MaxUint32 {
		return nil, nil
	}
	// "n:*" always matches the highest UID, even below n (RFC 9051
	// section 6.4.8): the last message delivered comes back.
	old := func(uid imap.UID) bool { return uid <= last }
	newer := imap.UIDSet{{Start: last + 1, Stop: 0}}
	metas, err := s.fetchMeta(ctx, newer)
	if ierr := (*imap.Error)(nil); errors.As(err, &ierr) {
		// Some servers refuse "n:*" in an empty mailbox: ask the way
		// every server takes, a UID SEARCH, then fetch what it found.
		s.log.Debug("server refused a fetch of n:*; searching instead", "reply", ierr.Text)
		uids, serr := s.search(ctx, "search new", &imap.SearchCriteria{UID: []imap.UIDSet{newer}})
		uids = slices.DeleteFunc(uids, old)
		if serr != nil || len(uids) == 0 {
			return nil, serr
		}
		metas, err = s.fetchMeta(ctx, imap.UIDSetNum(uids...))
	}
	return slices.DeleteFunc(metas, func(m meta) bool { return old(m.uid) }), err
}

func (s *session) search(ctx context.Context, what string, crit *imap.SearchCriteria) ([]imap.UID, error) {
	var uids []imap.UID
	err := s.do(ctx, what, func() error {
		data, err := s.c.UIDSearch(crit, nil).Wait()
		if err != nil {
			return err
		}
		set, ok := data.All.(imap.UIDSet)
		if !ok || set.Dynamic() {
			return errors.New("server returned a dynamic uid set")
		}
		uids, _ = set.Nums()
		return nil
	})
	slices.Sort(uids)
	return uids, err
}

// splitBySize cuts metas into runs whose announced sizes sum to at most max;
// a run always holds at least one message. Header-only messages count at
// their full size, which only makes batches smaller.
func splitBySize(metas []meta, max int64) [][]meta {
	var out [][]meta
	start, sum := 0, int64(0)
	for i, m := range metas {
		if i > start && sum+m.size > max {
			out = append(out, metas[start:i])
			start, sum = i, 0
		}
		sum += m.size
	}
	if start < len(metas) {
		out = append(out, metas[start:])
	}
	return out
}

// fetchBatch downloads a batch: whole bodies for messages within MaxSize,
// headers only for the others, and returns them in UID order.
func (s *session) fetchBatch(ctx context.Context, batch []meta) ([]Message, error) {
	limit := s.cfg.MaxSize + sizeSlack
	var small, big []imap.UID
	for _, m := range batch {
		if m.size > s.cfg.MaxSize {
			big = append(big, m.uid)
		} else {
			small = append(small, m.uid)
		}
	}
	bodies, err := s.fetchSection(ctx, small, &imap.FetchItemBodySection{Peek: true}, limit, false)
	if err != nil {
		return nil, err
	}
	for uid, sec := range bodies {
		if sec.overflow { // the literal was far larger than RFC822.SIZE said
			s.log.Warn("message larger than announced, keeping its header only", "uid", uid)
			big = append(big, uid)
		}
	}
	hdrItem := &imap.FetchItemBodySection{Peek: true, Specifier: imap.PartSpecifierHeader}
	headers, err := s.fetchSection(ctx, big, hdrItem, limit, true)
	if err != nil {
		return nil, err
	}
	msgs := assemble(batch, bodies, headers)
	if len(msgs) < len(batch) {
		if err := s.checkExpunged(ctx, batch, msgs); err != nil {
			return nil, err
		}
	}
	return msgs, nil
}

// checkExpunged makes sure that every UID of the batch that came back
// without its message is really gone. A server may answer a FETCH in a
// shape the client cannot route (the UID after the literal), and a UID
// skipped here would be passed by lastUID and never fetched again.
func (s *session) checkExpunged(ctx context.Context, batch []meta, msgs []Message) error {
	got := map[imap.UID]bool{}
	for _, m := range msgs {
		got[imap.UID(m.UID)] = true
	}
	var missing []imap.UID
	for _, m := range batch {
		if !got[m.uid] {
			missing = append(missing, m.uid)
		}
	}
	still, err := s.search(ctx, "search missing", &imap.SearchCriteria{UID: []imap.UIDSet{imap.UIDSetNum(missing...)}})
	if err != nil {
		return err
	}
	if len(still) > 0 {
		return fmt.Errorf("the server did not return uids %v although they exist: retrying later", still)
	}
	return nil
}

// assemble builds the messages in batch order. A UID missing from both maps
// was expunged meanwhile and is skipped.
func assemble(batch []meta, bodies, headers map[imap.UID]section) []Message {
	msgs := make([]Message, 0, len(batch))
	for _, m := range batch {
		msg := Message{UID: uint32(m.uid), Size: m.size, InternalDate: m.date}
		if b, ok := bodies[m.uid]; ok && !b.overflow {
			msg.Raw = b.raw
		} else if h, ok := headers[m.uid]; ok {
			msg.Raw, msg.TooBig = h.raw, true
		} else {
			continue
		}
		msgs = append(msgs, msg)
	}
	return msgs
}

func uidsOf(msgs []Message) []imap.UID {
	uids := make([]imap.UID, len(msgs))
	for i, m := range msgs {
		uids[i] = imap.UID(m.UID)
	}
	return uids
}
