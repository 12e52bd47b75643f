package mailbot

import (
	"fmt"
	"slices"
	"time"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// queueKeyConfirm mails addr the token for a pending key, in the thread
// of the mail that carried the key. It goes out signed and never
// encrypted (outmail.KeyConfirm's row), since the key it asks about is not
// trusted yet, and so it carries nothing of the case but its id.
func (b *Bot) queueKeyConfirm(tx *store.Tx, c *store.Case, addr, fp, token string, env *Envelope, msg uint64, expires, now time.Time) (int, error) {
	sp := outmail.Spec{For: outmail.ToReporter(addr, ""), Confirm: &outmail.KeyConfirmSpec{Fingerprint: fp, Token: token, Expires: expires}}
	if env.MessageID != "" {
		sp.InReplyTo, sp.References = env.MessageID, append(slices.Clip(env.References), env.MessageID)
	}
	ok, err := b.enqueue(tx, c.ID, outmail.KeyConfirm, fmt.Sprintf("key-confirm.%d", msg), []string{addr}, sp, false, now)
	return boolInt(ok), err
}
