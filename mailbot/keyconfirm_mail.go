package mailbot

import (
	"fmt"
	"slices"
	"time"

	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// KindKeyConfirm asks a reporter to confirm a key sent after the case
// opened (see keyconfirm.go). It is deliberately not embargoed: it goes
// out signed and not encrypted, since the key it asks about is not
// trusted yet, and so it carries nothing of the case but its id: not the
// report's subject, not a word of any mail.
const KindKeyConfirm = "key-confirm"

// keyConfirmSpec is what a confirmation mail says. The token is kept here
// until the mail is rendered: the case keeps only its hash.
type keyConfirmSpec struct {
	Fingerprint string    `json:"fingerprint"`
	Token       string    `json:"token"`
	Expires     time.Time `json:"expires"`
}

// queueKeyConfirm mails addr the token for a pending key, in the thread
// of the mail that carried the key.
func (b *Bot) queueKeyConfirm(tx *store.Tx, c *store.Case, addr, fp, token string, env *Envelope, msg uint64, expires, now time.Time) (int, error) {
	sp := spec{Confirm: &keyConfirmSpec{Fingerprint: fp, Token: token, Expires: expires}}
	if env.MessageID != "" {
		sp.InReplyTo, sp.References = env.MessageID, append(slices.Clip(env.References), env.MessageID)
	}
	ok, err := b.enqueue(tx, c.ID, KindKeyConfirm, fmt.Sprintf("key-confirm.%d", msg), []string{addr}, sp, false, now)
	return boolInt(ok), err
}

func (b *Bot) renderKeyConfirm(om *store.OutMail, sp spec) ([]byte, error) {
	if sp.Confirm == nil || sp.EncryptFP != "" {
		return nil, errPermanent{fmt.Errorf("key confirmation without its token, or with a key to encrypt to")}
	}
	subj, body, err := b.tmpl.Render(templates.KeyConfirm, map[string]any{
		"Case": om.Case, "Project": b.projectName(), "Robot": b.cfg.Robot.Name,
		"Fingerprint": spacedFP(sp.Confirm.Fingerprint), "Token": sp.Confirm.Token, "Expires": fmtTime(sp.Confirm.Expires),
	})
	if err != nil {
		return nil, errPermanent{err}
	}
	return textMail(b.header(om, subj, sp), body)
}
