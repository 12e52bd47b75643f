package intake

import (
	"context"
	"io"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// FetchAll does a bare `UID FETCH 1:* BODY.PEEK[]` of the mailbox over a
// fresh connection and returns count and total bytes. It is the physical
// floor for the ingestion benchmark: bodies are counted and discarded, so
// memory stays flat whatever the mailbox holds.
func FetchAll(ctx context.Context, cfg Config) (n int, bytes int64, err error) {
	cfg, err = prepare(cfg)
	if err != nil {
		return 0, 0, err
	}
	s := newSession(&cfg, nil)
	defer s.close(ctx)
	// EXAMINE: the benchmark must not be able to change the mailbox.
	if err := s.connect(ctx, true); err != nil {
		return 0, 0, err
	}
	if mbox := s.c.Mailbox(); mbox != nil && mbox.NumMessages == 0 {
		return 0, 0, nil // some servers reject 1:* in an empty mailbox
	}
	all := imap.UIDSet{{Start: 1, Stop: 0}} // 1:*
	opts := &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}}
	err = s.stream(ctx, "fetch all", all, opts, func(msg *imapclient.FetchMessageData, w *watchdog) error {
		got, err := countBodies(msg, w)
		n++
		bytes += got
		return err
	})
	return n, bytes, err
}

func countBodies(msg *imapclient.FetchMessageData, w *watchdog) (int64, error) {
	var total int64
	for item := msg.Next(); item != nil; item = msg.Next() {
		it, ok := item.(imapclient.FetchItemDataBodySection)
		if !ok || it.Literal == nil {
			continue
		}
		got, err := io.Copy(io.Discard, kickReader{r: it.Literal, kick: w.kick})
		total += got
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
