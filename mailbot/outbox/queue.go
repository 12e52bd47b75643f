package outbox

import "time"

// Entry is one queued mail: a single SMTP transaction to the relay.
type Entry struct {
	// ID is the stable idempotency key, the Message-ID. It identifies the
	// entry in every Queue call and in logs.
	ID string
	// From is the envelope sender (MAIL FROM), not the From header.
	From string
	// To are the envelope recipients (RCPT TO).
	To []string
	// Data is the whole RFC 5322 message with CRLF line endings, sent as is.
	Data []byte
	// Queued is when the entry was enqueued; Config.Expire counts from here.
	Queued time.Time
	// Attempts is the number of attempts already recorded by Queue.Attempt.
	Attempts int
}

// Queue is the durable store the Sender works from. The caller implements it
// on bbolt. The Sender calls it from a single goroutine.
type Queue interface {
	// Due returns up to max entries whose next attempt time is <= now, and the
	// earliest next-attempt time of the remaining entries (zero if none).
	Due(now time.Time, max int) (due []Entry, next time.Time, err error)
	// Attempt records, durably and before dialling, that an attempt starts now
	// and when the next one may happen if this one never reports back. This is
	// what keeps a crash mid-send from turning into a tight retry loop.
	Attempt(id string, now, nextAttempt time.Time) error
	// Delivered retires the entry as sent. reply is the server's final reply.
	Delivered(id string, now time.Time, reply string) error
	// Failed records a failed attempt. permanent=true retires the entry (5xx,
	// expiry, partial delivery); the implementation tells the maintainers in
	// the same transaction. With permanent=false the entry stays queued and
	// its next attempt is the one given to Attempt.
	Failed(id string, now time.Time, reply string, permanent bool) error
}
