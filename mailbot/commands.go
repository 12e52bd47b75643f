package mailbot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/command"
	"github.com/secbot/secbot/mailbot/metrics"
	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
)

// lineResult is what happened to one command line: the transcript
// carries it as it is.
type lineResult = outmail.TranscriptLine

// cmdRun is one command mail being executed against a working copy of its
// case. Side effects (mail to queue) wait in after until the mail is known
// to run.
type cmdRun struct {
	b       *Bot
	tx      *store.Tx
	c       *store.Case // working copy
	orig    *store.Case
	msg     *store.Message
	p       *prepared
	now     time.Time
	results []lineResult
	after   []func() (int, error)
	// patches are the case's current patches as the commands so far left
	// them (patch and patch drop are written only at commit).
	patches []*store.Patch
	// sel is the vulnerability the field lines set, by number, after a
	// "vuln" line (0: none selected, see target); selBroken is set by a
	// vuln line that failed, so that the lines after it do not run on
	// another vulnerability than meant.
	sel       int
	selBroken bool
}

// handleCommands runs or refuses the command block of a recorded message
// and queues the transcript. Only a signature that verified against a
// configured maintainer key lets a command run; the From header counts
// for nothing.
func (b *Bot) handleCommands(tx *store.Tx, c *store.Case, m *store.Message, p *prepared, isNew bool, now time.Time) (int, error) {
	if p.signer == "" {
		// A maintainer's mail whose OpenPGP part could not be read never
		// had its commands parsed: it is told why nothing ran all the same.
		unreadable := p.status == store.MsgUndecryptable
		if p.cmds == nil && !unreadable || !b.claimsMaintainer(p) {
			return 0, nil // no commands, or a reporter's text that happens to look like some
		}
		tx.OnCommit(func() { b.metrics.CommandRefused(unsignedKind(p)) })
		return b.queueTranscript(tx, c, m, p, nil, "No command ran: "+b.unsignedReason(p), now)
	}
	if p.cmds == nil {
		return 0, nil
	}
	if refusal, err := b.replayRefusal(tx, m, p, now); err != nil || refusal != "" {
		if err != nil {
			return 0, err
		}
		tx.OnCommit(func() {
			b.log.Warn("command mail refused", "case", c.ID, "msg", m.Key, "reason", refusal)
			b.metrics.CommandRefused(replayKind(refusal))
		})
		return b.queueTranscript(tx, c, m, p, nil, "No command ran: "+refusal, now)
	}
	if refusal := b.wrongCase(c, p, isNew); refusal != "" {
		tx.OnCommit(func() { b.metrics.CommandRefused(metrics.RefusedWrongCase) })
		return b.queueTranscript(tx, c, m, p, nil, "No command ran: "+refusal, now)
	}
	run := &cmdRun{b: b, tx: tx, c: copyCase(c), orig: c, msg: m, p: p, now: now}
	header := run.execute()
	n, err := run.commit(c)
	if err != nil {
		return 0, err
	}
	tx.OnCommit(b.metrics.CommandsRan)
	t, err := b.queueTranscript(tx, c, m, p, run.results, header, now)
	return n + t, err
}

// claimsMaintainer reports whether an unverified mail says it comes from
// a maintainer, or carries a signature that failed: its sender is then
// told why nothing ran.
func (b *Bot) claimsMaintainer(p *prepared) bool {
	if p.opened != nil && p.opened.Signed {
		return true
	}
	for _, mk := range b.keys.Maintainers {
		if strings.EqualFold(mk.Address, p.env.From) {
			return true
		}
	}
	return false
}

func (b *Bot) unsignedReason(p *prepared) string {
	switch {
	case p.status == store.MsgUndecryptable:
		return "the OpenPGP part of the mail could not be read: " + p.reason
	case p.opened == nil || !p.opened.Signed:
		return "the mail is not OpenPGP-signed. Commands run only from mail signed with a configured maintainer key; the From header proves nothing."
	case errors.Is(p.opened.SignatureError, pgpmime.ErrKeyExpired), errors.Is(p.opened.SignatureError, pgpmime.ErrKeyRevoked):
		return "the signature is by a maintainer key that may not command: " + p.opened.SignatureError.Error() + "."
	case p.opened.SignatureError != nil:
		return "the signature did not verify against any configured maintainer key: " + p.opened.SignatureError.Error() + "."
	default:
		return "the key that signed it is not a configured maintainer key."
	}
}

// replayRefusal refuses a signature that is too old, and a mail (by
// Message-ID, or by signer, signature time and text) that already ran.
func (b *Bot) replayRefusal(tx *store.Tx, m *store.Message, p *prepared, now time.Time) (string, error) {
	sigTime := p.opened.SignatureTime
	maxAge := b.cfg.Commands.MaxSignatureAge
	if sigTime.IsZero() {
		return "the signature carries no creation time.", nil
	}
	// Measured from the arrival, so that a mail that waited while secbot
	// was down still runs.
	if age := p.arrived.Sub(sigTime); age > maxAge {
		return fmt.Sprintf("the signature was made %s before the mail arrived; at most %s is accepted, so that an old mail cannot be replayed.",
			age.Round(time.Minute), maxAge), nil
	}
	sum := sha256.Sum256([]byte(p.signer + "\x00" + sigTime.UTC().Format(time.RFC3339Nano) + "\x00" + p.cmdText))
	keys := []string{"sig:" + hex.EncodeToString(sum[:])}
	if !p.env.Synthetic {
		keys = append(keys, "mid:"+p.env.MessageID)
	}
	fresh, err := tx.MarkExecuted(keys, now)
	if err != nil || fresh {
		return "", err
	}
	return replayedText, nil
}

// replayedText refuses a mail that already ran.
const replayedText = "this mail (its Message-ID or its signed content) was already executed once; a replay never runs again."

// wrongCase checks the signed text against the case the mail was
// threaded to. Threading uses headers a signature does not cover
// (In-Reply-To, the subject, the address), so a captured signed mail could
// be re-addressed to another case; the signed text must name the case.
// An explicit pin line ("# SEC-…" in the command block) decides alone.
// Without one, a reply quotes, and so signs, the case id of the mail it
// answers: when the signed text names case ids and none is this case's,
// nothing runs. (Ids on duplicate lines name the other case on purpose
// and are not counted.) A mail that opened its case has no id to name.
func (b *Bot) wrongCase(c *store.Case, p *prepared, isNew bool) string {
	if pins := b.casePins(p.cmds.Comments); len(pins) > 0 {
		return wrongPin(c.ID, pins)
	}
	var named []string
	for _, line := range strings.Split(p.cmdText, "\n") {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(line)), "duplicate") {
			continue
		}
		for _, id := range b.caseIDRE.FindAllString(line, -1) {
			id = strings.ToUpper(id)
			if id == c.ID {
				return ""
			}
			if !slices.Contains(named, id) {
				named = append(named, id)
			}
		}
	}
	if len(named) == 0 {
		if isNew || !b.cfg.Commands.RequireCaseID {
			return "" // a new internal case has no id yet to name
		}
		return fmt.Sprintf("the signed text does not name case %s, and the headers that put the mail there are not signed. Quote the mail you answer (its subject tag is enough), or add a comment line \"# %s\" to the commands.", c.ID, c.ID)
	}
	return fmt.Sprintf("the signed text names %s, but the mail's headers put it on case %s; its unsigned headers may have been changed. Send the commands again in a reply within the right case.", strings.Join(named, ", "), c.ID)
}

// casePins returns the case each pin line names, once each: a comment
// whose text starts with a case id pins the mail to it; any other id on
// the line is a mention.
func (b *Bot) casePins(comments []string) []string {
	var pins []string
	for _, l := range comments {
		text := strings.TrimLeft(strings.TrimPrefix(l, "#"), " \t")
		loc := b.caseIDRE.FindStringIndex(text)
		if loc == nil || loc[0] != 0 {
			continue
		}
		if id := strings.ToUpper(text[:loc[1]]); !slices.Contains(pins, id) {
			pins = append(pins, id)
		}
	}
	return pins
}

// wrongPin refuses a mail pinned to another case than caseID, or to
// more than one.
func wrongPin(caseID string, pins []string) string {
	var other []string
	for _, id := range pins {
		if id != caseID {
			other = append(other, id)
		}
	}
	if len(other) == 0 {
		return ""
	}
	return fmt.Sprintf("the signed text pins case %s (its \"# %s\" line), but the mail's headers put it on case %s; its unsigned headers may have been changed. Send the commands again in a reply within the case you mean.", strings.Join(other, ", "), other[0], caseID)
}

func copyCase(c *store.Case) *store.Case {
	data, _ := json.Marshal(c)
	var out store.Case
	_ = json.Unmarshal(data, &out)
	return &out
}

// execute applies every command to the working copy and returns the
// transcript's first line. With an all-or-nothing command among them and
// any error, the copy is thrown away and nothing runs.
func (r *cmdRun) execute() string {
	res := r.p.cmds
	var errs, allOrNothing int
	lines := mergeLines(res)
	for _, l := range lines {
		if l.err != nil {
			r.results = append(r.results, lineResult{Raw: l.raw, Msg: l.err.Error()})
			errs++
			r.selBroken = r.selBroken || command.MeansVuln(l.raw)
			continue
		}
		if command.AllOrNothingCommand(*l.cmd) {
			allOrNothing++
		}
		msg, err := r.apply(*l.cmd)
		if err != nil {
			errs++
			r.results = append(r.results, lineResult{Raw: l.raw, Msg: err.Error()})
			continue
		}
		r.results = append(r.results, lineResult{Raw: l.raw, OK: true, Msg: msg})
	}
	if allOrNothing > 0 && errs > 0 {
		r.c, r.after = nil, nil
		held := -1
		for i := range r.results {
			if r.results[i].OK {
				r.results[i].OK, r.results[i].Skipped = false, true
				if lines[i].cmd != nil && lines[i].cmd.Kind == command.KindHold {
					held = i
				}
			}
		}
		header := fmt.Sprintf("Nothing was run: this mail holds a command that must run with all the others (a state change, a mail that leaves, a publication or a dropped vulnerability), and %d line(s) failed. Fix them and send the whole mail again.", errs)
		if held >= 0 {
			// hold is never all-or-nothing: stopping a publication must
			// work even from a mail with mistakes in it.
			r.c = copyCase(r.orig)
			msg, err := r.hold()
			r.results[held] = lineResult{Raw: r.results[held].Raw, OK: err == nil, Msg: msg}
			header += " Only \"hold\" ran."
		}
		return header
	}
	return fmt.Sprintf("Processed: %d line(s), %d error(s).", len(lines), errs)
}

type blockLine struct {
	line int
	raw  string
	cmd  *command.Command
	err  error
}

// mergeLines puts parsed commands and syntax errors back in line order.
func mergeLines(res *command.Result) []blockLine {
	var out []blockLine
	ci, ei := 0, 0
	for ci < len(res.Commands) || ei < len(res.Errors) {
		if ei >= len(res.Errors) || (ci < len(res.Commands) && res.Commands[ci].Line < res.Errors[ei].Line) {
			c := res.Commands[ci]
			out = append(out, blockLine{line: c.Line, raw: c.Raw, cmd: &res.Commands[ci]})
			ci++
			continue
		}
		e := res.Errors[ei]
		out = append(out, blockLine{line: e.Line, raw: e.Raw, err: e.Err})
		ei++
	}
	return out
}

// commit writes the working copy over the case, audits every command that
// ran, and performs the deferred side effects.
func (r *cmdRun) commit(c *store.Case) (int, error) {
	if r.c == nil {
		return 0, nil
	}
	for _, res := range r.results {
		if !res.OK {
			continue
		}
		if err := r.tx.Audit(store.AuditEntry{Time: r.now, Case: c.ID, Actor: r.p.signer, Action: "command", Detail: res.Raw}); err != nil {
			return 0, err
		}
	}
	// The deferred effects run first: they may still change the working
	// copy (publishing sets the state), which then replaces the case.
	n := 0
	for _, fn := range r.after {
		k, err := fn()
		if err != nil {
			return 0, err
		}
		n += k
	}
	msgs := c.Messages
	*c = *r.c
	c.Messages = msgs // the message list is the caller's, not the copy's
	c.Updated = r.now
	return n, nil
}
