package command

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/secbot/secbot/mailbot/versions"
)

// Kind names a command. Its value is the command's canonical keyword, except
// KindCVERequest, which is written "cve request".
type Kind string

// The commands: those that set fields of the case first (Fields holds
// the advisory fields among them), then actions.
const (
	KindTitle       Kind = "title"
	KindAffected    Kind = "affected"
	KindNotAffected Kind = "not-affected"
	KindUnchecked   Kind = "unchecked"
	KindType        Kind = "type"
	KindImpact      Kind = "impact"
	KindSeverity    Kind = "severity"
	KindCVE         Kind = "cve"
	KindCRD         Kind = "crd"
	KindMitigation  Kind = "mitigation"
	KindWorkaround  Kind = "workaround"
	KindCredit      Kind = "credit"
	KindReporter    Kind = "reporter"
	KindReporterKey Kind = "reporter-key"
	KindBranch      Kind = "branch"

	KindCVERequest Kind = "cve-request" // written "cve request"
	KindAccept     Kind = "accept"
	KindReject     Kind = "reject"
	KindDuplicate  Kind = "duplicate"
	KindClose      Kind = "close"
	KindReopen     Kind = "reopen"
	KindStatus     Kind = "status"
	KindReply      Kind = "reply"
	KindPatch      Kind = "patch"
	KindNotify     Kind = "notify"
	KindSend       Kind = "send"
	KindPrenotify  Kind = "prenotify"
	KindAdvisory   Kind = "advisory"
	KindPublish    Kind = "publish"
	KindHold       Kind = "hold"
	KindTell       Kind = "tell"
	KindShare      Kind = "share"
	KindVuln       Kind = "vuln"
)

// Limits that bound the work Parse does and the size of what it returns.
const (
	// MaxLines is the most command lines a block may hold. Comments, blank
	// lines and heredoc content do not count; a heredoc command counts once.
	MaxLines = 50

	// MaxLineLen is the longest command line accepted, in bytes: the
	// RFC 5322 section 2.1.1 line limit.
	MaxLineLen = 998

	// MaxHeredocBytes is the largest heredoc value accepted.
	MaxHeredocBytes = 64 << 10
)

// Stop reasons, the values of Result.Stop.
const (
	StopThanks    = "thanks"    // a line thanks, thank you, quit, stop or --
	StopQuote     = "quote"     // a quoted line or an "On ... wrote:" attribution
	StopSignature = "signature" // the signature separator "-- "
	StopBlank     = "blank"     // a blank line followed by text that is not a command
	StopText      = "text"      // the first line is text, not a command: no block at all
	StopEnd       = "end"       // the end of the body
	StopLimit     = "limit"     // more than MaxLines commands, or a heredoc over MaxHeredocBytes
)

// Command is one parsed command line (with its heredoc, if any). Only the
// fields that belong to its Kind are set.
type Command struct {
	Line int    // 1-based line number in the body where the command started
	Raw  string // the line as written, without line ending (first line only for heredocs)
	Kind Kind

	// Text is the free text of the text fields (SyntaxLine, SyntaxText:
	// title, impact, mitigation, workaround), of type and of reject. A
	// heredoc value is kept verbatim, without its final newline.
	Text string

	Ranges versions.List // the version lists (SyntaxVersions): affected, not-affected, unchecked

	CWE string // type: "CWE-79", or empty when only text was given

	Severity string // none, low, medium, high or critical
	CVSS     string // optional CVSS 3.x or 4.0 vector, in canonical form
	// Score is the CVSS vector's base score; Band the level it falls in
	// ("" without a vector).
	Score float64
	Band  string

	CVE string // "CVE-2026-12345"

	CRD   time.Time // crd, in the zone it was given in
	Force bool      // crd: the writer confirmed a date beyond MaxCRDAhead

	// Clear empties the field instead of setting it (the SyntaxText and
	// SyntaxVersions fields, type, severity, cve, crd, credit).
	Clear bool

	Credit *Credit // credit

	Address string // reporter, reporter-key: the reporter's address
	Name    string // reporter: optional display name

	// reporter-key: Fingerprint names the pending or stored key to trust;
	// DropKey drops the key. Neither: the key attached to the mail.
	Fingerprint string
	DropKey     bool

	Branch       string // branch: the release branch, "1.4"
	FixedVersion string // branch: the first fixed version on it, "1.4.3"

	CaseID string // duplicate: "SEC-2026-0001"

	IDs []string // notify, tell: downstream contact ids (tell: none for all)

	Now bool // publish now

	Drop string // patch drop NAME

	// vuln: VulnOp is VulnSelect, VulnAdd or VulnDrop; Vuln the number
	// of the vulnerability selected or dropped.
	VulnOp string
	Vuln   int

	// share: Plain lets the draft go signed only to a reporter without a
	// trusted key; WithPatches attaches the patches.
	Plain, WithPatches bool
}

// Credit is one person or tool credited in the advisory.
type Credit struct {
	Name    string
	Address string // optional
	Kind    string // one of CreditKinds; "finder" when not given
	// Outcome is CreditConfirmed or CreditDeclined in "credit confirmed
	// NAME" and "credit declined NAME", which record the answer of the
	// person named; then only Name is set.
	Outcome string
}

// Outcomes of a credit's confirmation.
const (
	CreditConfirmed = "confirmed"
	CreditDeclined  = "declined"
)

// CreditKinds are the credit types shared by GHSA, OSV and CVE 5 (OSV adds
// "other"), in the hyphenated spelling secbot uses.
var CreditKinds = []string{
	"finder", "reporter", "analyst", "coordinator",
	"remediation-developer", "remediation-reviewer", "remediation-verifier",
	"tool", "sponsor", "other",
}

// Result is what Parse found in a body.
type Result struct {
	// Commands are the commands that parsed, in line order. Lines with
	// errors are left out here and reported in Errors.
	Commands []Command

	// Errors are the lines that failed, in line order.
	Errors []LineError

	// Rest is the body text after the command block, for the reply
	// command: leading and trailing blank lines removed, line endings
	// normalised to LF, and cut at the first quoted line, attribution line
	// or signature separator. It is empty when the block ended at a quote,
	// a signature, the limit or the end of the body.
	Rest string

	// Stop tells what ended the block: one of the Stop constants.
	Stop string

	// Comments are the block's comment lines ('#' first), trimmed, in line
	// order: a "# SEC-…" comment pins the mail to its case. A heredoc's
	// content is no comment, whatever its first character.
	Comments []string
}

// Err returns the line errors joined, or nil when there are none.
func (r Result) Err() error {
	errs := make([]error, len(r.Errors))
	for i := range r.Errors {
		errs[i] = r.Errors[i]
	}
	return errors.Join(errs...)
}

// LineError is a syntax error on one line of the command block.
type LineError struct {
	Line int    // 1-based line number in the body
	Raw  string // the line as written
	Err  error
}

// Error returns, for example, `line 3: "crd 2026-13-01": bad date "2026-13-01": month out of range`.
func (e LineError) Error() string {
	return fmt.Sprintf("line %d: %q: %v", e.Line, shorten(e.Raw, 80), e.Err)
}

func (e LineError) Unwrap() error { return e.Err }

// shorten cuts s to at most n bytes on a rune boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// Errors that the LineError values wrap, for errors.Is.
var (
	// ErrUnknownCommand is an unknown keyword.
	ErrUnknownCommand = errors.New("unknown command")
	// ErrTooManyLines is a block with more than MaxLines commands.
	ErrTooManyLines = fmt.Errorf("more than %d command lines", MaxLines)
	// ErrLineTooLong is a command line over MaxLineLen bytes.
	ErrLineTooLong = fmt.Errorf("line longer than %d bytes", MaxLineLen)
	// ErrUnterminatedHeredoc is a heredoc without its end marker line.
	ErrUnterminatedHeredoc = errors.New("unterminated heredoc")
	// ErrHeredocTooLong is a heredoc value over MaxHeredocBytes.
	ErrHeredocTooLong = fmt.Errorf("heredoc longer than %d bytes", MaxHeredocBytes)
	// ErrBadCharacter is invalid UTF-8 or a control character other than tab.
	ErrBadCharacter = errors.New("invalid character")
	// ErrMissingArgument is a command without the argument it needs.
	ErrMissingArgument = errors.New("missing argument")
)
