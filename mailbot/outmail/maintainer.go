package outmail

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/secbot/secbot/store"
)

// The renderings of mail to maintainers: relays, notices, transcripts and
// reminders (the draft advisory is in advisory.go).

func renderRelay(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	m, err := r.Tx.Message(sp.Msg)
	if err != nil {
		return nil, PermanentError{err}
	}
	transport := "plain text"
	switch {
	case m.Encrypted && m.Signed:
		transport = "OpenPGP encrypted and signed"
	case m.Encrypted:
		transport = "OpenPGP encrypted"
	case m.Signed:
		transport = "OpenPGP signed"
	}
	signer := ""
	if mk, ok := r.Keys.MaintainerBySigner(m.Signer); ok {
		signer = fmt.Sprintf("%s (maintainer key %s)", mk.Name, SpacedFP(mk.FP))
	}
	subj, body, err := r.Templates.Render(r.row.Template, map[string]any{
		"Case": om.Case, "New": sp.New, "From": m.From, "Subject": OrNone(m.Subject), "Topic": r.topic(om, m),
		"Date": FmtTime(m.Date), "Received": FmtTime(m.Received), "Transport": transport,
		"Signer": signer, "Problem": sp.Problem,
	})
	if err != nil {
		return nil, PermanentError{err}
	}
	original, err := bodyOf(r.Tx, m)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s-message-%d.eml", om.Case, m.Key)
	return mixedMail(r.header(om, subj, sp), body, name, original)
}

// bodyOf is the message a relay carries; a message whose bytes
// retention purged is never relayed again, with or without them.
func bodyOf(tx *store.Tx, m *store.Message) ([]byte, error) {
	if !m.Purged.IsZero() {
		return nil, PermanentError{fmt.Errorf("message %d: its body was purged (retention.raw_after_close)", m.Key)}
	}
	return tx.PlainOf(m), nil
}

func renderNotice(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	subj, body, err := r.Templates.Render(r.row.Template, map[string]any{
		"Case": om.Case, "Title": sp.Title, "Text": sp.Text,
	})
	if err != nil {
		return nil, PermanentError{err}
	}
	h := r.header(om, subj, sp)
	if sp.Msg != 0 {
		if raw := r.Tx.Raw(sp.Msg); raw != nil {
			return mixedMail(h, body, fmt.Sprintf("message-%d.eml", sp.Msg), raw)
		}
	}
	return textMail(h, body)
}

func renderTranscript(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	var td TranscriptData
	if err := json.Unmarshal([]byte(sp.Text), &td); err != nil {
		return nil, PermanentError{fmt.Errorf("decode transcript: %w", err)}
	}
	m, err := r.Tx.Message(sp.Msg)
	if err != nil {
		return nil, PermanentError{err}
	}
	return r.templateMail(om, sp, map[string]any{
		"Case": om.Case, "Subject": OrNone(m.Subject), "Topic": r.topic(om, m), "Errors": td.Errors, "Header": td.Header,
		"From": td.From, "Signer": td.Signer, "Lines": td.Lines, "Summary": td.Summary,
	})
}

func renderReminder(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	c, err := r.Tx.Case(om.Case)
	if err != nil {
		return nil, PermanentError{err}
	}
	base := r.caseBase(c)
	base["Within"] = FmtDuration(r.Config.Embargo.Reminder)
	base["Problems"] = strings.Split(sp.Text, "\n")
	return r.templateMail(om, sp, base)
}

// topic is what a mail about message m is about, for its subject line
// after the case tag (see Topic): m's own subject, or the case's when
// m's says nothing.
func (r *renderer) topic(om *store.OutMail, m *store.Message) string {
	caseSubject := ""
	if c, err := r.Tx.Case(om.Case); err == nil {
		caseSubject = c.Subject
	}
	return topicOr(m.Subject, caseSubject, om.Case)
}
