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
	// Prepared is the sink's own, set by its Prepare (see Preparer); the
	// intake never reads it.
	Prepared any
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

// A Preparer is a Sink with work to do on each message that needs no
// store (parsing, decryption). The intake calls Prepare on a batch as soon
// as it is downloaded, on a goroutine of its own, so that it overlaps the
// previous batch's Deliver and the next batch's download; the same slice
// goes to Deliver once Prepare returned. Prepare must not fail: what it
// cannot do is for Deliver to find out.
type Preparer interface {
	Prepare(msgs []Message)
}
