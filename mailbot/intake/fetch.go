package intake

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// sizeSlack is how far a body literal may exceed MaxSize before it is
// refused: servers compute RFC822.SIZE in different ways (line endings), but
// a literal far larger than announced is a lie we must not buffer.
const sizeSlack = 64 << 10

// meta is the cheap part of a message, fetched first to plan batches and to
// decide whether the body may be downloaded at all.
type meta struct {
	uid  imap.UID
	size int64
	date time.Time
}

// section is one downloaded body section.
type section struct {
	raw []byte
	// overflow: the literal exceeded the limit, so it was left unread (body)
	// or truncated (header).
	overflow bool
}

// stream runs one UID FETCH and hands each message to fn, which must consume
// the literals it wants before returning. The watchdog is kicked per message
// and per read, so CommandTimeout bounds silence, not the whole transfer.
func (s *session) stream(ctx context.Context, what string, uids imap.UIDSet, opts *imap.FetchOptions,
	fn func(msg *imapclient.FetchMessageData, w *watchdog) error) error {
	if err := ctx.Err(); err != nil {
		return wrap(what, err)
	}
	w := newWatchdog(ctx, s.cfg.CommandTimeout, s.closeConn)
	cmd := s.c.Fetch(uids, opts)
	var fnErr error
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		w.kick()
		if fnErr == nil {
			fnErr = fn(msg, w)
		}
		// After an error keep draining: the client must see the tagged reply.
	}
	err := cmd.Close()
	if werr := w.stop(); werr != nil {
		return wrap(what, werr)
	}
	if fnErr != nil {
		return wrap(what, fnErr)
	}
	return wrap(what, err)
}

// fetchMeta returns UID, RFC822.SIZE and INTERNALDATE of uids, in UID order.
// Messages expunged in the meantime are simply absent.
func (s *session) fetchMeta(ctx context.Context, uids imap.UIDSet) ([]meta, error) {
	var out []meta
	opts := &imap.FetchOptions{UID: true, RFC822Size: true, InternalDate: true}
	err := s.stream(ctx, "fetch metadata", uids, opts,
		func(msg *imapclient.FetchMessageData, _ *watchdog) error {
			if m := readMeta(msg); m.uid != 0 {
				out = append(out, m)
			}
			return nil
		})
	slices.SortFunc(out, func(a, b meta) int { return cmp.Compare(a.uid, b.uid) })
	return out, err
}

func readMeta(msg *imapclient.FetchMessageData) meta {
	var m meta
	for item := msg.Next(); item != nil; item = msg.Next() {
		switch it := item.(type) {
		case imapclient.FetchItemDataUID:
			m.uid = it.UID
		case imapclient.FetchItemDataRFC822Size:
			m.size = it.Size
		case imapclient.FetchItemDataInternalDate:
			m.date = it.Time
		}
	}
	return m
}

// fetchSection downloads one body section of each of uids. A literal larger
// than limit is truncated when truncate is set, else skipped unread; either
// way at most limit bytes per message are held in memory.
func (s *session) fetchSection(ctx context.Context, uids []imap.UID, item *imap.FetchItemBodySection,
	limit int64, truncate bool) (map[imap.UID]section, error) {
	out := make(map[imap.UID]section, len(uids))
	if len(uids) == 0 {
		return out, nil // an empty UID set is a syntax error
	}
	opts := &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{item}}
	err := s.stream(ctx, "fetch "+sectionName(item), imap.UIDSetNum(uids...), opts,
		func(msg *imapclient.FetchMessageData, w *watchdog) error {
			uid, sec, got, err := readSection(msg, w, limit, truncate)
			if err != nil {
				return fmt.Errorf("uid %d: %w", uid, err)
			}
			// A FETCH response without the section (say, an unsolicited
			// FLAGS update) is not a message: it must not be delivered
			// empty and then marked.
			if uid != 0 && got {
				out[uid] = sec
			}
			return nil
		})
	return out, err
}

func sectionName(item *imap.FetchItemBodySection) string {
	return "body.peek[" + string(item.Specifier) + "]"
}

// readSection reads the data items of one message. imapclient streams them,
// so each literal is read here, before the next item is requested.
func readSection(msg *imapclient.FetchMessageData, w *watchdog, limit int64, truncate bool) (imap.UID, section, bool, error) {
	var (
		uid imap.UID
		sec section
		got bool
		err error
	)
	for item := msg.Next(); item != nil; item = msg.Next() {
		switch it := item.(type) {
		case imapclient.FetchItemDataUID:
			uid = it.UID
		case imapclient.FetchItemDataBodySection:
			got = true
			if err == nil {
				sec, err = readLiteral(it.Literal, w, limit, truncate)
			}
		}
	}
	return uid, sec, got, err
}

func readLiteral(lit imap.LiteralReader, w *watchdog, limit int64, truncate bool) (section, error) {
	if lit == nil {
		return section{}, nil // NIL: the server has no such section
	}
	r := kickReader{r: lit, kick: w.kick}
	size := lit.Size()
	if size > limit && !truncate {
		// Drain it ourselves so the watchdog sees progress while we skip.
		_, err := io.Copy(io.Discard, r)
		return section{overflow: true}, err
	}
	buf := make([]byte, min(size, limit))
	if _, err := io.ReadFull(r, buf); err != nil {
		return section{}, err
	}
	return section{raw: buf, overflow: size > limit}, nil
}
