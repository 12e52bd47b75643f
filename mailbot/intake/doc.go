// Package intake is the IMAP client loop of secbot: it moves mail from the
// security@ mailbox into a Sink.
//
// # Ownership
//
// Run owns everything on its own goroutine: one session (connection,
// selected mailbox) at a time, the backoff, and every IMAP command.
// imapclient adds a reader goroutine per connection; the only thing it
// touches is the session's buffered wake channel (EXISTS seen), and the
// watchdog timers only ever close the connection.
//
// While catching up, Sink.Deliver runs on a helper goroutine, so that the
// next batch downloads meanwhile. Calls into the Sink still never overlap:
// a Deliver starts only after the previous one returned, and the session
// joins it before anything else calls the Sink.
//
// # Commit protocol
//
// For each batch, in UID order: fetch with BODY.PEEK (nothing changes on the
// server), Sink.Deliver (which commits the messages and lastUID together),
// and only then UID STORE \Seen or UID MOVE. At most one batch is downloaded
// ahead; when a Deliver fails, it is dropped unmarked. So:
//   - a failing Sink leaves every message unseen on the server;
//   - a crash after the commit but before the marking is repaired on the
//     next connect, without re-delivery (everything <= lastUID is marked);
//   - messages are re-delivered only when UIDVALIDITY changes, and the Sink
//     then dedupes them by Message-ID.
//
// New mail is found by UID SEARCH above lastUID, never by trusting EXISTS
// pushes or sequence numbers: pushes wake the loop early, and a timer
// re-scans anyway because servers (imapmemserver at least) can miss them.
package intake
