package outmail

import (
	"fmt"

	"github.com/secbot/secbot/store"
)

// The renderings of mail to reporters that is not about the disclosure:
// the acknowledgement, replies and key confirmations.

func renderAck(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	c, err := r.Tx.Case(om.Case)
	if err != nil {
		return nil, PermanentError{err}
	}
	pub, err := r.Keys.Robot.GetArmoredPublicKey()
	if err != nil {
		return nil, fmt.Errorf("robot public key: %w", err)
	}
	const keyFile = "security-key.asc"
	subj, body, err := r.Templates.Render(r.row.Template, map[string]any{
		"Case": c.ID, "Subject": c.Subject, "Project": r.projectName(), "Robot": r.Config.Robot.Name,
		"Fingerprint": SpacedFP(r.Keys.RobotFP), "KeyURL": r.Config.Robot.KeyURL, "KeyFile": keyFile,
	})
	if err != nil {
		return nil, PermanentError{err}
	}
	// The robot's public key travels as application/pgp-keys, which mail
	// clients offer to import (RFC 3156 section 7).
	return multipartMail(r.header(om, subj, sp), body, []attachment{{Name: keyFile, ContentType: "application/pgp-keys", Data: []byte(pub)}})
}

func renderReply(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	c, err := r.Tx.Case(om.Case)
	if err != nil {
		return nil, PermanentError{err}
	}
	return r.templateMail(om, sp, map[string]any{
		"Case": c.ID, "Project": r.projectName(), "Text": sp.Text, "Robot": r.Config.Robot.Name,
	})
}

// renderKeyConfirm writes a reporter's key confirmation. Its row says it
// is never encrypted, since the key it asks about is not trusted yet, and
// so it carries nothing of the case but its id: not the report's
// subject, not a word of any mail.
func renderKeyConfirm(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	if sp.Confirm == nil {
		return nil, PermanentError{fmt.Errorf("key confirmation without its token")}
	}
	return r.templateMail(om, sp, map[string]any{
		"Case": om.Case, "Project": r.projectName(), "Robot": r.Config.Robot.Name,
		"Fingerprint": SpacedFP(sp.Confirm.Fingerprint), "Token": sp.Confirm.Token, "Expires": FmtTime(sp.Confirm.Expires),
	})
}
