package mailbot

import (
	"fmt"
	"slices"
	"strings"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// noteRobotKey tells the maintainers, once, that the robot key changed
// since the last run (`secbot key rotate`, then a start or reload): an
// encrypted KeyNotice with both fingerprints. The first run records the
// key and says nothing.
func (b *Bot) noteRobotKey() error {
	queued := 0
	now := b.now()
	err := b.store.Update(func(tx *store.Tx) error {
		old, cur := tx.RobotFP(), b.keys.RobotFP
		if old == cur {
			return nil
		}
		if err := tx.SetRobotFP(cur); err != nil || old == "" {
			return err
		}
		var err error
		queued, err = b.toMaintainers(tx, "", outmail.KeyNotice, "key-rotated."+cur[len(cur)-16:], outmail.Spec{
			Title: "The robot key was rotated", Text: rotationText(old, cur, slices.Contains(b.keys.Retired, old)),
		}, false, now)
		return err
	})
	if queued > 0 {
		b.kick()
	}
	return err
}

func rotationText(old, cur string, kept bool) string {
	var s strings.Builder
	fmt.Fprintf(&s, "secbot now signs with a new robot key.\n\nNew key: %s\nOld key: %s\n\n", outmail.SpacedFP(cur), outmail.SpacedFP(old))
	if kept {
		s.WriteString("The old private key is kept in robot.retired_keys_dir: mail encrypted to it still decrypts. It signs nothing.\n")
	} else {
		s.WriteString("The old private key is NOT in robot.retired_keys_dir: mail encrypted to it will not decrypt.\n")
	}
	s.WriteString("\nPublish the new public key (`secbot key`), and run `secbot key -wkd DIR` again: the Web Key Directory still serves the old one.")
	return s.String()
}
