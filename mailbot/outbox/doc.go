// Package outbox sends queued mail to one SMTP relay.
//
// The queue itself is abstract (see Queue); the caller keeps it in bbolt and
// enqueues mail in the same transaction as the state change that caused it,
// using the Message-ID as the idempotency key. This package owns only the
// sender loop, modelled on mox's queue:
//
//   - Before dialling, every attempt is recorded durably together with the
//     time of the next attempt, so a crash mid-send leads to a later retry and
//     never to a tight loop.
//   - Retries back off exponentially with jitter (Backoff).
//   - A 5xx reply, or a temporary failure that persists past Config.Expire,
//     retires the entry through Queue.Failed with permanent=true; the queue
//     tells the maintainers in that same transaction.
//   - Kick wakes the sender through a channel of size 1.
//
// # Delivery semantics
//
// Delivery is at least once: when the connection breaks after the final dot
// but before the server's reply, the entry is retried and may arrive twice.
// The Message-ID lets recipients spot the duplicate.
//
// # Several recipients
//
// An entry is one SMTP transaction, and the queue keeps no per-recipient
// state, so:
//
//   - all recipients accepted: DATA, then Delivered;
//   - any recipient answered 4xx: the transaction is abandoned (RSET) and the
//     whole entry retried later, so that nobody gets the mail twice;
//   - some recipients answered 5xx, the others 2xx: the mail is sent to the
//     accepted ones, then the entry is retired with Failed(permanent=true) and
//     a reply text that names who got it and who rejected it with which code.
//     A security mail that missed a recipient is something the maintainers
//     must hear about, and Failed is the call that tells them;
//   - every recipient answered 5xx: Failed(permanent=true).
//
// # Connection-level failures
//
// Errors while connecting (dial, greeting, EHLO, STARTTLS, AUTH) are treated
// as temporary even when they carry a 5xx code: they concern our relay
// account, not the message, and expiry turns them permanent in the end. When
// the connection fails, the remaining entries of the same wake are recorded
// as failed attempts with the same error instead of dialling once per entry.
package outbox
