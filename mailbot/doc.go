// Package mailbot wires secbot together: the IMAP intake feeds ingest,
// ingest records cases and queues mail in one store transaction, the
// outbox sender delivers what was queued, and the scheduler fires the
// timers kept in the store.
//
// This comment is secbot's architecture page: which goroutine owns what,
// the path of a message, and where to add a command, a mail kind or an
// export format. The README is the user's side (what secbot does, its
// configuration, the command reference, the security model). Keep this
// page true when the code changes.
//
// # Packages
//
// Each arrow of a message's path crosses a package boundary at most once,
// and nothing goes back upstream.
//
//	cmd/secbot          subcommands, flags, signals; the control socket that
//	                    answers the read-only CLI queries while the daemon runs
//	mailbot             the Bot: ingest (threading, cases, reporter keys),
//	                    command execution, the embargo and publication, the
//	                    scheduler, the outbox adapter
//	mailbot/intake      IMAP client loop: IDLE or poll, UID bookkeeping,
//	                    batches, mark-after-commit, keep-alive, reconnect
//	mailbot/outbox      SMTP sender loop: attempts, backoff, final failures
//	mailbot/outmail     the table of outgoing mail kinds, rendering, MIME,
//	                    and the one function that seals a mail to its pinned key
//	mailbot/advisory    the typed Advisory, built once per case; every mail
//	                    and export that shows advisory fields renders from it
//	mailbot/command     the maintainer command language (pure: no I/O, no clock)
//	mailbot/versions    version ranges: parser, canonical text, bounds (pure)
//	mailbot/policy      embargo, CRD, completeness and patch-name rules (pure)
//	mailbot/pgpmime     RFC 3156 encrypt / sign / decrypt / verify, key checks
//	mailbot/keyring     the keys the daemon loads (robot, maintainers,
//	                    downstream, CNA); read-only commands never load it
//	mailbot/config      the TOML config and `secbot check`
//	mailbot/tlsmode     how IMAP and SMTP connections are protected
//	mailbot/loopback    the one rule for where plain IMAP and SMTP are allowed
//	store               bbolt: cases, messages, Message-ID index, IMAP state,
//	                    outbox, fan-outs, timers, audit, replay guard,
//	                    schema migrations; the only package that imports bbolt
//	templates           the embedded mail templates and the sample config
//
// # Goroutines and who owns what
//
// Bot.Run starts four goroutines and owns them; `secbot run` adds the
// control socket and restarts the Bot on SIGHUP with the new config (the
// store stays open).
//
//   - The intake (intake.Run) owns the IMAP connection and the UID
//     bookkeeping of the session. While catching up it keeps three batches
//     in flight: one in Bot.Deliver, the next being prepared (parsed and
//     decrypted, Bot.Prepare, on its own goroutine, using every core) and
//     the one after downloading. Deliver calls never overlap and come in
//     UID order; a batch is marked \Seen (or moved) only after its Deliver
//     returned, so only after its transaction committed. While it waits
//     for mail it leaves IDLE for a NOOP every KeepAlive, with short
//     deadlines, so that a frozen server is noticed within a minute.
//   - The sender (outbox.Sender.Run) owns the SMTP connection. It first
//     expands the fan-outs that ingest left (one record per incoming
//     message: the acknowledgement and a relay per maintainer), then takes
//     due entries, renders and seals each through outmail, records the
//     attempt before dialling, sends, and records the delivery.
//   - The scheduler (Bot.runScheduler) fires the timers in the store
//     (publication at the CRD, the reminder before it, the first-reply
//     reminder and its escalation, the weekly digest, which Run arms from
//     the config before the scheduler starts, the daily retention purge,
//     the notice of failed mails held by the rate limit), one transaction
//     per timer;
//     a timer is deleted in the transaction that does its work.
//   - The site writer (Bot.runSite, with publish.dir) owns publish.dir.
//     Every put of a published case marks its pages in the store, in the
//     same transaction, and the commit wakes the writer (store.OnSite); it
//     renders the marked cases 50 per read transaction, writes and syncs
//     their files outside any transaction, then clears the marks and keeps
//     each case's index entry, from which it writes the index and the
//     feed. At start it marks every published case again when the site's
//     generation stamp differs, and the cases whose page is gone from disk.
//     It stops with the intake, and a failure or panic there stops no mail.
//   - The control socket (cmd/secbot) answers read-only queries from read
//     transactions; it needs no Bot and no key. `case list` reads the
//     summaries in its transaction and streams the list after it, so a
//     slow reader never holds a read transaction (which would keep bbolt
//     from growing the file).
//
// State lives in the store, not in goroutines: every change to a case and
// every mail it causes commit together in one bbolt transaction, so a
// crash at any point loses nothing and a restart resumes from the store.
// The only in-memory state that matters is the rendered bytes the sender
// holds for a retry, and those are also stored before the first attempt.
// Every goroutine recovers panics and counts them on the Bot's counter
// (Bot.Panics); the tests fail on any.
//
// Shutdown is in two phases: cancelling the context stops the intake from
// taking new mail, then the sender gets a short grace period; what it does
// not finish stays queued.
//
// # The path of a message
//
//	IMAP --(intake: IDLE or poll, UID FETCH in batches)--> raw bytes
//	  --> Prepare: parse the header, decrypt, verify the signature against the
//	      maintainer keys (at the signature's time and at arrival), parse the
//	      command block of signed or maintainer-claiming mail, find any key
//	  --> Deliver, one store.Update per batch: dedupe, thread into a case (or
//	      open one), store the message, learn or queue the confirmation of a
//	      reporter key, run the signed commands (replay guard, case pin,
//	      all-or-nothing), write the fan-out, the transcript and every mail
//	      the commands cause, the audit entries and the IMAP UID state
//	  --> \Seen or MOVE on the server, only after the commit
//	fan-outs --(sender, one transaction per 256)--> outbox entries
//	outbox --(sender: outmail.Render, seal, SMTP, retries)--> reporters,
//	      maintainers, downstream, the CNA, the announce lists
//	timers --(scheduler)--> case change + outbox entries, in one transaction
//
// Log lines that say what a transaction did are emitted from
// store.Tx.OnCommit, so a rolled-back batch leaves no claim in the log.
//
// # Recipe: a command that sets one advisory field
//
// For a field of a standard syntax (one line of text; text or heredoc that
// can be cleared; a version list), four edits:
//
//  1. store/case.go: a field in store.Vuln, the fields of one
//     vulnerability (Solution string, with the JSON tag
//     "solution,omitempty"). No migration: an old record reads it as
//     empty.
//  2. mailbot/command/fields.go: a row in command.Fields, for example
//     {Kind: "solution", Aliases: []string{"fix"}, Syntax: SyntaxText}.
//     It gives the keyword, its aliases, typo suggestions, the heredoc,
//     `clear`, and the canonical form.
//  3. mailbot/advisory/fields.go: a row in advisory.Fields at the same
//     position, for example {Kind: "solution", Scope: ScopeVulnerability,
//     Summary: "Solution", Section: "Solution", Text: func(f *store.Vuln)
//     *string { return &f.Solution }}. From it apply sets the field on
//     the selected vulnerability (vuln.go) and writes the transcript line,
//     advisory.Build fills Vulnerability.Texts, the case summary shows the
//     row for each vulnerability, and the advisory template prints the
//     section.
//  4. README.md: a row in "Commands that set case fields".
//
// Then `go test ./mailbot/advisory -update` regenerates the golden files.
// TestFieldTablesClosed fails on a keyword without a row (or the reverse),
// TestReadmeFieldTable on a missing README row, and TestFieldRecipe
// follows this recipe end to end. A field with a syntax of its own (type,
// severity, cve, crd, credit, branch) also needs its parse and format
// functions in its command row, a Show function in its advisory row (a
// field of the whole case, ScopeCase, shows with ShowCase and is kept in
// store.Fields) and a case in apply.go; a field the completeness check requires needs
// mailbot/policy too.
//
// # Recipe: a command that acts
//
//  1. mailbot/command: a Kind constant and an actions row in keywords.go
//     with its parser (table tests in command_test.go, a seed in
//     testdata/fuzz/FuzzParse); if it reaches people outside the team or
//     cannot be taken back, list it in the all-or-nothing set.
//  2. mailbot/apply.go: a case in the switch, in a file of its own when it
//     is more than a few lines (mailbot/reporterkey_cmd.go is one); the
//     mails it causes are queued through r.after, in the same transaction.
//  3. README: a row in the command reference.
//
// # Recipe: a new kind of outgoing mail
//
// Add a constant and one row to the table in mailbot/outmail/kind.go, and
// the template file in templates/ ("Subject: …", a blank line, the body).
// The row names the template and the classes of recipient it may go to.
// Leave Clear out unless the mail may go to a reporter whose key we do
// not know: by default a kind is never sent without a key, and a kind with
// no row is refused in the clear (TestANewKindIsClosedByDefault follows
// this recipe). A row without a render function gets the case's common
// fields and Spec.Text; a kind that needs more data gets a render
// function. Queue it from the Bot with enqueue (or toMaintainers,
// queueToReporters, queueToContacts) and an outmail.Spec whose For names
// the recipient by class and pinned fingerprint. The constant's string is
// stored with every queued mail, so it never changes.
//
// # Recipe: a new export format
//
// Exports are built from advisory.Advisory (advisory.Build, or
// advisory.Load in a read transaction), never by parsing rendered text:
// version lists are versions.List ranges with typed bounds, credits and
// CWE ids are typed. A format gets its own file in the export package,
// a golden file under its testdata/, and a test that validates the output
// against the official schema kept in ../shared/reference/schemas/.
package mailbot
