package outmail

import (
	"fmt"

	"github.com/secbot/secbot/store"
)

// The renderings of the conversation with downstream contacts: their
// replies, relayed to the maintainers, and a maintainer's `tell`.

// renderDownstreamRelay relays a contact's mail to a maintainer, saying
// whether the contact's key signed it or the mail only claims to be
// theirs (its From header proves nothing).
func renderDownstreamRelay(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	m, err := r.Tx.Message(sp.Msg)
	if err != nil {
		return nil, PermanentError{err}
	}
	d, _ := r.Keys.DownstreamByID(sp.Contact)
	name := d.Name
	if name == "" {
		name = sp.Contact
	}
	subj, body, err := r.Templates.Render(r.row.Template, map[string]any{
		"Case": om.Case, "Contact": sp.Contact, "Name": name, "Signed": sp.ContactSigned, "Signer": SpacedFP(d.FP),
		"From": m.From, "Subject": OrNone(m.Subject), "Date": FmtTime(m.Date), "Received": FmtTime(m.Received),
		"Transport": transportOf(m),
	})
	if err != nil {
		return nil, PermanentError{err}
	}
	original, err := bodyOf(r.Tx, m)
	if err != nil {
		return nil, err
	}
	return mixedMail(r.header(om, subj, sp), body, fmt.Sprintf("%s-message-%d.eml", om.Case, m.Key), original)
}

// transportOf says how a stored message came protected.
func transportOf(m *store.Message) string {
	switch {
	case m.Encrypted && m.Signed:
		return "OpenPGP encrypted and signed"
	case m.Encrypted:
		return "OpenPGP encrypted"
	case m.Signed:
		return "OpenPGP signed"
	}
	return "plain text"
}

// renderTell writes a maintainer's text to one contact. It carries the
// text as the maintainer wrote it and the case's id, title and CRD: never
// the reporter's address or anything else of the case.
func renderTell(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	_, base, err := caseOf(r, om)
	if err != nil {
		return nil, err
	}
	d, _ := r.Keys.DownstreamByID(sp.For.ID)
	base["Name"], base["Text"] = d.Name, sp.Text
	return r.templateMail(om, sp, base)
}

// renderShare writes the draft advisory for a reporter's review, with the
// patches when the maintainer asked for them. Whether it may leave
// unencrypted is the row's business (Share never, SharePlain without a
// key); the rendering is the same.
func renderShare(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	c, base, err := caseOf(r, om)
	if err != nil {
		return nil, err
	}
	return r.draftMail(om, sp, c, base, sp.WithPatches)
}

// renderCreditConfirm asks a reporter to confirm the exact credit line
// (Spec.Text, as the advisory writes it). It carries nothing else of the
// case but its id, so it may go signed only to a reporter without a key.
func renderCreditConfirm(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	return r.templateMail(om, sp, map[string]any{"Case": om.Case, "Credit": sp.Text, "Robot": r.Config.Robot.Name})
}
