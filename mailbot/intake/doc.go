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
// While catching up, three batches are in flight (pipeline.go): one in
// Sink.Deliver on a helper goroutine, the next being prepared (a Sink that
// is a Preparer parses and decrypts it on a goroutine of its own) and
// waiting its turn, and the one after downloading. Calls into the Sink
// still never overlap: a Deliver starts only after the previous one
// returned, Delivers come in UID order, and the session joins the helpers
// before anything else calls the Sink.
//
// # Commit protocol
//
// For each batch, in UID order: fetch with BODY.PEEK (nothing changes on the
// server), Sink.Deliver (which commits the messages and lastUID together),
// and only then UID STORE \Seen or UID MOVE. When a Deliver fails, that
// batch and every later one in flight are dropped unmarked. So:
//   - a failing Sink leaves every message unseen on the server;
//   - a crash after the commit but before the marking is repaired on the
//     next connect, without re-delivery (everything <= lastUID is marked);
//   - messages are re-delivered only when UIDVALIDITY changes, and the Sink
//     then dedupes them by Message-ID.
//
// New mail is found by UID above lastUID (one UID FETCH lastUID+1:* of
// sizes and dates plans a catch-up; UID SEARCH only where a server refuses
// that), never by trusting EXISTS pushes or sequence numbers: pushes wake
// the loop early, and a timer re-scans anyway because servers
// (imapmemserver at least) can miss them.
//
// # A server that stops answering
//
// A frozen server (the process stopped, TCP still open) is noticed within
// KeepAlive + KeepAliveTimeout (one minute by default): while waiting for
// mail the session leaves IDLE and sends NOOP every KeepAlive, and
// starting IDLE, DONE and NOOP each have a KeepAliveTimeout deadline. The
// watchdog then closes the connection and Run reconnects with backoff.
package intake
