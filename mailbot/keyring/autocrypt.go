package keyring

import (
	"fmt"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/pgpmime"
)

// RobotAutocrypt is the Autocrypt header value for the robot's mail from
// addr (Autocrypt Level 1): its public key minimised, so that a mail
// client that has never seen the robot can encrypt a reply to it. A new
// robot key needs a new value: build it wherever the robot key is loaded.
func RobotAutocrypt(robot *crypto.Key, addr string, now time.Time) (string, error) {
	v, err := pgpmime.AutocryptHeader(robot, addr, now)
	if err != nil {
		return "", fmt.Errorf("robot key: autocrypt header: %w", err)
	}
	return v, nil
}
