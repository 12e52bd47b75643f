package mailbot

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// queueTranscript answers a command mail, in its thread, to every
// maintainer, encrypted like every maintainer copy.
func (b *Bot) queueTranscript(tx *store.Tx, c *store.Case, m *store.Message, p *prepared, lines []lineResult, header string, now time.Time) (int, error) {
	a, err := b.advisoryOf(tx, c)
	if err != nil {
		return 0, err
	}
	td := outmail.TranscriptData{Header: header, From: p.env.From, Lines: lines, Summary: caseSummary(c, a)}
	if mk, ok := b.keys.MaintainerBySigner(p.signer); ok {
		td.Signer = fmt.Sprintf("%s (key %s)", mk.Name, outmail.SpacedFP(mk.FP))
	}
	for _, l := range lines {
		if !l.OK && !l.Skipped {
			td.Errors++
		}
	}
	if lines == nil {
		td.Errors = 1
	}
	text, err := json.Marshal(td)
	if err != nil {
		return 0, fmt.Errorf("encode transcript: %w", err)
	}
	refs := append(append([]string{}, p.env.References...), p.env.MessageID)
	sp := outmail.Spec{Msg: m.Key, Text: string(text), InReplyTo: p.env.MessageID, References: refs}
	return b.toMaintainers(tx, c.ID, outmail.Transcript, fmt.Sprintf("transcript.%d", m.Key), sp, false, now)
}

// queueReply sends a maintainer's reply to each reporter, from security@
// in the case thread; encrypted to a reporter whose key is known.
func (b *Bot) queueReply(tx *store.Tx, c *store.Case, cmdMsg uint64, text string, now time.Time) (int, error) {
	var inReplyTo string
	if len(c.Messages) > 0 {
		if first, err := tx.Message(c.Messages[0]); err == nil {
			inReplyTo = first.MessageID
		}
	}
	sp := outmail.Spec{Msg: cmdMsg, Text: text, InReplyTo: inReplyTo}
	if inReplyTo != "" {
		sp.References = []string{inReplyTo}
	}
	return b.queueToReporters(tx, c, outmail.Reply, fmt.Sprintf("reply.%d", cmdMsg), sp, now)
}

// caseSummary is the whole case in plain text, for transcripts and the
// status command: the case's state and people, then its advisory a, each
// field in the form the advisory shows it. Fields still missing say so.
func caseSummary(c *store.Case, a *advisory.Advisory) string {
	var s strings.Builder
	fmt.Fprintf(&s, "Case %s: %s\n", c.ID, c.State)
	if c.DuplicateOf != "" {
		fmt.Fprintf(&s, "Duplicate of:   %s\n", c.DuplicateOf)
	}
	if c.Reason != "" {
		fmt.Fprintf(&s, "Rejected:       %s\n", c.Reason)
	}
	row := func(name, value string) {
		if value == "" {
			value = "(missing)"
		}
		value = strings.ReplaceAll(strings.TrimSpace(value), "\n", "\n                ")
		fmt.Fprintf(&s, "%-15s %s\n", name+":", value)
	}
	row("Subject", c.Subject)
	row("Reporters", strings.Join(c.Reporters, ", "))
	if len(c.Reporters) > 0 {
		row("Reporter keys", strings.Join(ReporterKeyLines(c), "\n"))
	}
	for _, f := range advisory.Fields {
		if f.Scope == advisory.ScopeCase {
			row(f.Summary, f.Value(a, nil))
		}
	}
	for i := range a.Vulns {
		v := &a.Vulns[i]
		if a.Several() {
			fmt.Fprintf(&s, "Vulnerability %d:\n", v.N)
		}
		for _, f := range advisory.Fields {
			if f.Scope == advisory.ScopeVulnerability {
				row(f.Summary, f.Value(a, v))
			}
		}
	}
	fmt.Fprintf(&s, "Messages:       %d\n", len(c.Messages))
	return s.String()
}
