package mailbot

import (
	"strings"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
)

// render turns a queued mail into the bytes to send. outmail decides how
// (its table of kinds), and refuses what may not leave; the Bot only
// lends it the transaction, its config, keys, templates and clock.
func (b *Bot) render(tx *store.Tx, om *store.OutMail) ([]byte, error) {
	return outmail.Render(b.env(tx), om)
}

func (b *Bot) env(tx *store.Tx) outmail.Env {
	return outmail.Env{Tx: tx, Config: b.cfg, Keys: b.keys, Templates: b.tmpl, Now: b.now()}
}

// keyFingerprint returns the fingerprint of an armored key, or "".
func keyFingerprint(armored string) string {
	key, err := pgpmime.ReadKey([]byte(armored))
	if err != nil {
		return ""
	}
	return strings.ToUpper(key.GetFingerprint())
}

func (b *Bot) projectName() string {
	if b.cfg.Robot.ProjectName != "" {
		return b.cfg.Robot.ProjectName
	}
	return b.cfg.Robot.Name
}
