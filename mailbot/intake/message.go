package intake

import (
	"context"
	"time"
)

// Message is one mail handed to the Sink.
type Message struct {
	UID          uint32
	Size         int64 // RFC822.SIZE as reported by the server
	InternalDate time.Time
	// Raw is the whole message (BODY.PEEK[]), or only its header section
	// when TooBig.
	Raw    []byte
	TooBig bool
}

// Sink is implemented by the caller (backed by bbolt). Its calls never
// overlap, but Deliver may run on another goroutine than State: the intake
// downloads the next batch meanwhile.
type Sink interface {
	// State returns the stored UIDVALIDITY and highest processed UID for the
	// mailbox (0,0 when never seen).
	State(ctx context.Context, mailbox string) (uidValidity, lastUID uint32, err error)
	// Deliver durably records the messages AND the new lastUID (max UID of
	// msgs) for uidValidity in one transaction. It returns only after commit.
	// When uidValidity differs from the stored one, the sink dedupes by
	// Message-ID.
	Deliver(ctx context.Context, mailbox string, uidValidity uint32, msgs []Message) error
}
