package mailbot

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/pgpmime"
)

// Keys are the OpenPGP keys secbot works with, loaded once at start.
type Keys struct {
	// Robot is the robot's unlocked private key: it decrypts reports and
	// signs everything secbot sends.
	Robot     *crypto.Key
	RobotRing *crypto.KeyRing
	RobotFP   string
	// Maintainers are in config order. A maintainer whose key is missing
	// or unusable has Err set and receives nothing.
	Maintainers []MaintainerKey
	// Verify holds every usable maintainer key: only a signature by one of
	// them makes a mail a maintainer's.
	Verify *crypto.KeyRing
}

// MaintainerKey is one maintainer and their key.
type MaintainerKey struct {
	Name    string
	Address string
	Key     *crypto.Key
	FP      string
	Err     error
}

// LoadKeys reads the robot key and every maintainer key named in cfg.
// A bad robot key is fatal; a bad maintainer key is logged loudly and
// that maintainer is left out.
func LoadKeys(cfg *config.Config, now time.Time, log *slog.Logger) (*Keys, error) {
	robot, err := pgpmime.LoadKeyFile(cfg.Path(cfg.Robot.KeyFile))
	if err != nil {
		return nil, fmt.Errorf("robot key: %w", err)
	}
	if !robot.IsPrivate() {
		return nil, fmt.Errorf("robot key %s: not a private key", cfg.Robot.KeyFile)
	}
	if err := pgpmime.UsableForSigning(robot, now); err != nil {
		return nil, fmt.Errorf("robot key: %w", err)
	}
	ring, err := crypto.NewKeyRing(robot)
	if err != nil {
		return nil, fmt.Errorf("robot keyring: %w", err)
	}
	k := &Keys{Robot: robot, RobotRing: ring, RobotFP: strings.ToUpper(robot.GetFingerprint())}
	k.Verify, err = crypto.NewKeyRing(nil)
	if err != nil {
		return nil, fmt.Errorf("maintainer keyring: %w", err)
	}
	for _, m := range cfg.Maintainers {
		mk := loadMaintainerKey(cfg, m, now)
		if mk.Err != nil {
			log.Error("MAINTAINER HAS NO USABLE KEY: they will receive no mail and cannot command",
				"maintainer", m.Name, "key_file", m.KeyFile, "err", mk.Err)
		} else if err := k.Verify.AddKey(publicOnly(mk.Key)); err != nil {
			return nil, fmt.Errorf("add key of maintainer %s: %w", m.Name, err)
		}
		k.Maintainers = append(k.Maintainers, mk)
	}
	return k, nil
}

func loadMaintainerKey(cfg *config.Config, m config.Maintainer, now time.Time) MaintainerKey {
	mk := MaintainerKey{Name: m.Name, Address: m.Address}
	if m.KeyFile == "" {
		mk.Err = fmt.Errorf("no key_file configured")
		return mk
	}
	key, err := pgpmime.LoadKeyFile(cfg.Path(m.KeyFile))
	if err != nil {
		mk.Err = err
		return mk
	}
	if err := pgpmime.UsableForEncryption(key, now); err != nil {
		mk.Err = err
		return mk
	}
	mk.Key, mk.FP = key, strings.ToUpper(key.GetFingerprint())
	return mk
}

// publicOnly drops the secret half of a key, if it has one: a maintainer
// key file should hold only the public key, but secbot never keeps more
// than it needs.
func publicOnly(k *crypto.Key) *crypto.Key {
	if !k.IsPrivate() {
		return k
	}
	if pub, err := k.ToPublic(); err == nil {
		return pub
	}
	return k
}

// MaintainerBySigner returns the maintainer whose key has fingerprint fp.
func (k *Keys) MaintainerBySigner(fp string) (MaintainerKey, bool) {
	for _, m := range k.Maintainers {
		if m.Err == nil && strings.EqualFold(m.FP, fp) {
			return m, true
		}
	}
	return MaintainerKey{}, false
}

// CheckKeyFile is a config.KeyChecker over pgpmime.
func CheckKeyFile(path string, wantPrivate, wantEncrypt bool, now time.Time) (string, error) {
	key, err := pgpmime.LoadKeyFile(path)
	if err != nil {
		return "", err
	}
	if wantPrivate && !key.IsPrivate() {
		return "", fmt.Errorf("not a private key")
	}
	if wantPrivate {
		if err := pgpmime.UsableForSigning(key, now); err != nil {
			return "", err
		}
	}
	if wantEncrypt {
		if err := pgpmime.UsableForEncryption(key, now); err != nil {
			return "", err
		}
	}
	return strings.ToUpper(key.GetFingerprint()), nil
}

// PublicKey returns the armored public half of the key in path, and its
// fingerprint, for `secbot key`.
func PublicKey(path string) (armored, fp string, err error) {
	key, err := pgpmime.LoadKeyFile(path)
	if err != nil {
		return "", "", err
	}
	pub, err := key.GetArmoredPublicKey()
	if err != nil {
		return "", "", fmt.Errorf("armor public key: %w", err)
	}
	return pub + "\n", strings.ToUpper(key.GetFingerprint()), nil
}
