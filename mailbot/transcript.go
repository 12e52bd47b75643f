package mailbot

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// Kinds of outgoing mail added by the command interface.
const (
	KindTranscript = "transcript"
	KindReply      = "reply"
)

// transcriptData is kept in the queued mail's spec: the transcript is
// written from the state right after the commands ran.
type transcriptData struct {
	Header  string       `json:"header"`
	From    string       `json:"from"`
	Signer  string       `json:"signer,omitempty"`
	Lines   []lineResult `json:"lines"`
	Summary string       `json:"summary"`
	Errors  int          `json:"errors"`
}

// queueTranscript answers a command mail, in its thread, to every
// maintainer, encrypted like every maintainer copy.
func (b *Bot) queueTranscript(tx *store.Tx, c *store.Case, m *store.Message, p *prepared, lines []lineResult, header string, now time.Time) (int, error) {
	a, err := b.advisoryOf(tx, c)
	if err != nil {
		return 0, err
	}
	td := transcriptData{Header: header, From: p.env.From, Lines: lines, Summary: caseSummary(c, a)}
	if mk, ok := b.keys.MaintainerBySigner(p.signer); ok {
		td.Signer = fmt.Sprintf("%s (key %s)", mk.Name, spacedFP(mk.FP))
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
	sp := spec{Msg: m.Key, Text: string(text), InReplyTo: p.env.MessageID, References: refs}
	return b.toMaintainers(tx, c.ID, KindTranscript, fmt.Sprintf("transcript.%d", m.Key), sp, false, now)
}

func (b *Bot) renderTranscript(tx *store.Tx, om *store.OutMail, sp spec) ([]byte, error) {
	var td transcriptData
	if err := json.Unmarshal([]byte(sp.Text), &td); err != nil {
		return nil, errPermanent{fmt.Errorf("decode transcript: %w", err)}
	}
	m, err := tx.Message(sp.Msg)
	if err != nil {
		return nil, errPermanent{err}
	}
	subj, body, err := b.tmpl.Render(templates.Transcript, map[string]any{
		"Case": om.Case, "Subject": orNone(m.Subject), "Errors": td.Errors, "Header": td.Header,
		"From": td.From, "Signer": td.Signer, "Lines": td.Lines, "Summary": td.Summary,
	})
	if err != nil {
		return nil, errPermanent{err}
	}
	return textMail(b.header(om, subj, sp), body)
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
	sp := spec{Msg: cmdMsg, Text: text, InReplyTo: inReplyTo}
	if inReplyTo != "" {
		sp.References = []string{inReplyTo}
	}
	return b.queueToReporters(tx, c, KindReply, fmt.Sprintf("reply.%d", cmdMsg), sp, now)
}

func (b *Bot) renderReply(tx *store.Tx, om *store.OutMail, sp spec) ([]byte, error) {
	c, err := tx.Case(om.Case)
	if err != nil {
		return nil, errPermanent{err}
	}
	subj, body, err := b.tmpl.Render(templates.Reply, map[string]any{
		"Case": c.ID, "Project": b.projectName(), "Text": sp.Text, "Robot": b.cfg.Robot.Name,
	})
	if err != nil {
		return nil, errPermanent{err}
	}
	return textMail(b.header(om, subj, sp), body)
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
		row(f.Summary, f.Value(a))
	}
	fmt.Fprintf(&s, "Messages:       %d\n", len(c.Messages))
	return s.String()
}
