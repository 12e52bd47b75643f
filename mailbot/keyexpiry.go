package mailbot

import (
	"fmt"
	"strings"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
)

// Key expiry warnings: the maintainers are warned, encrypted, 30 days and
// again 7 days before a configured key expires (robot, project,
// maintainer, downstream contact, CNA, escalation), once each: the
// warnings given are in the store. The scheduler checks on every look. A
// key first seen inside the 7-day window gets the 7-day warning only.

// keyWarnDays are the warnings, the nearest last.
var keyWarnDays = []int{30, 7}

// expiring is a configured key with an expiry.
type expiring struct {
	who, fp string
	expires time.Time
}

// id names the key and its expiry in the store: a key whose expiry is
// moved is warned again.
func (k expiring) id() string { return fmt.Sprintf("%s.%d", k.fp, k.expires.Unix()) }

// expiringKeys lists the configured keys that expire.
func (b *Bot) expiringKeys() []expiring {
	var out []expiring
	add := func(who string, k *crypto.Key) {
		if k == nil {
			return
		}
		if info := pgpmime.Inspect(k, b.now()); !info.Expires.IsZero() {
			out = append(out, expiring{who, info.Fingerprint, info.Expires})
		}
	}
	add("the robot key", b.keys.Robot)
	if b.keys.Project != b.keys.Robot {
		add("the project key", b.keys.Project)
	}
	for _, m := range b.keys.Maintainers {
		add("maintainer "+m.Name, m.Key)
	}
	for _, d := range b.keys.Downstream {
		add("downstream contact "+d.ID, d.Key)
	}
	if c := b.keys.CNA; c != nil {
		add("the CNA", c.Key)
	}
	if c := b.keys.Escalate; c != nil {
		add("the escalation address", c.Key)
	}
	return out
}

// keyWarning is the warning due for k at now (0: none): the nearest
// window now is in, if not given yet.
func keyWarning(tx *store.Tx, k expiring, now time.Time) int {
	due := 0
	for _, d := range keyWarnDays {
		if !now.Before(k.expires.AddDate(0, 0, -d)) {
			due = d
		}
	}
	if due == 0 || tx.KeyWarned(k.id(), due) {
		return 0
	}
	return due
}

// checkKeyExpiry queues the warnings due, and records them with every
// farther one, in one transaction. It writes only when one is due.
func (b *Bot) checkKeyExpiry(now time.Time) error {
	keys := b.expiringKeys()
	if len(keys) == 0 {
		return nil
	}
	some := false
	if err := b.store.View(func(tx *store.Tx) error {
		for _, k := range keys {
			some = some || keyWarning(tx, k, now) > 0
		}
		return nil
	}); err != nil || !some {
		return err
	}
	queued := 0
	err := b.store.Update(func(tx *store.Tx) error {
		queued = 0
		for _, k := range keys {
			due := keyWarning(tx, k, now)
			if due == 0 {
				continue
			}
			for _, d := range keyWarnDays {
				if d >= due {
					if err := tx.SetKeyWarned(k.id(), d); err != nil {
						return err
					}
				}
			}
			n, err := b.toMaintainers(tx, "", outmail.KeyNotice, fmt.Sprintf("key-expiry.%s.%d.%d", k.fp[len(k.fp)-16:], k.expires.Unix(), due),
				outmail.Spec{Title: fmt.Sprintf("Key expires within %d days: %s", due, k.who), Text: expiryText(k, now)}, false, now)
			if err != nil {
				return err
			}
			queued += n
		}
		return nil
	})
	if queued > 0 {
		b.kick()
	}
	return err
}

func expiryText(k expiring, now time.Time) string {
	var s strings.Builder
	fmt.Fprintf(&s, "The key of %s expires on %s, in %d days.\n\nKey: %s\n\n", k.who, k.expires.UTC().Format("2006-01-02 15:04 UTC"),
		int(k.expires.Sub(now).Hours()/24), outmail.SpacedFP(k.fp))
	if k.who == "the robot key" {
		s.WriteString("Extend its expiry, or make a new one with `secbot key rotate`, and reload secbot.")
	} else {
		s.WriteString("Ask its owner for the key with a later expiry, put it in the configured key file, and reload secbot. After it expires, secbot sends nothing encrypted to it.")
	}
	return s.String()
}
