// Package keyring loads the OpenPGP keys secbot works with: the robot's
// own (private), the maintainers', the downstream contacts' and the CNA's
// (public), each checked for use now. The read-only CLI never needs it:
// nothing it prints is signed or encrypted.
package keyring

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
	// signs everything secbot sends. RobotRing decrypts: the robot key
	// and the retired ones (retired.go), whose fingerprints are Retired.
	Robot     *crypto.Key
	RobotRing *crypto.KeyRing
	RobotFP   string
	Retired   []string
	// Autocrypt is the Autocrypt header every mail from the robot carries:
	// the robot's minimal public key for its address (autocrypt.go).
	Autocrypt string
	// Maintainers are in config order. A maintainer whose key is missing
	// or unusable has Err set and receives nothing.
	Maintainers []MaintainerKey
	// Verify holds every usable maintainer key: only a signature by one of
	// them makes a mail a maintainer's.
	Verify *crypto.KeyRing
	// Project signs public announcements (the robot key unless a project
	// key is configured).
	Project *crypto.Key
	// Downstream are the configured downstream contacts, in config order.
	Downstream []ContactKey
	// CNA is the CVE Numbering Authority, when configured.
	CNA *ContactKey
	// Escalate is response.escalate, when configured.
	Escalate *ContactKey
}

// ContactKey is a downstream contact or the CNA, and its key. Err says
// why the key cannot be used; such a contact receives nothing.
type ContactKey struct {
	ID, Name, Address, Kind string
	Key                     *crypto.Key
	FP                      string
	Err                     error
}

// DownstreamByID returns the contact with id.
func (k *Keys) DownstreamByID(id string) (ContactKey, bool) {
	for _, d := range k.Downstream {
		if d.ID == id {
			return d, true
		}
	}
	return ContactKey{}, false
}

func loadContact(cfg *config.Config, c ContactKey, file string, now time.Time) ContactKey {
	key, err := pgpmime.LoadKeyFile(cfg.Path(file))
	if err == nil {
		err = pgpmime.UsableForEncryption(key, now)
	}
	if err != nil {
		c.Err = err
		return c
	}
	c.Key, c.FP = publicOnly(key), strings.ToUpper(key.GetFingerprint())
	return c
}

func (k *Keys) loadDisclosureKeys(cfg *config.Config, now time.Time, log *slog.Logger) error {
	k.Project = k.Robot
	if f := cfg.Robot.ProjectKeyFile; f != "" {
		key, err := pgpmime.LoadKeyFile(cfg.Path(f))
		if err != nil {
			return fmt.Errorf("project key: %w", err)
		}
		if err := pgpmime.UsableForSigning(key, now); err != nil {
			return fmt.Errorf("project key: %w", err)
		}
		k.Project = key
	}
	for _, d := range cfg.Downstream {
		c := loadContact(cfg, ContactKey{ID: d.ID, Name: d.Name, Address: d.Address, Kind: d.Kind}, d.KeyFile, now)
		if c.Err != nil {
			log.Error("DOWNSTREAM CONTACT HAS NO USABLE KEY: it will receive nothing", "downstream", d.ID, "err", c.Err)
		}
		k.Downstream = append(k.Downstream, c)
	}
	if cfg.CVE.CNAAddress != "" {
		c := loadContact(cfg, ContactKey{ID: "cna", Name: "CVE Numbering Authority", Address: cfg.CVE.CNAAddress}, cfg.CVE.CNAKeyFile, now)
		if c.Err != nil {
			log.Error("CNA HAS NO USABLE KEY: CVE requests will be refused", "err", c.Err)
		}
		k.CNA = &c
	}
	if r := cfg.Response; r.Escalate != "" {
		c := loadContact(cfg, ContactKey{ID: "escalate", Name: "escalation", Address: r.Escalate}, r.EscalateKeyFile, now)
		if c.Err != nil {
			log.Error("ESCALATION ADDRESS HAS NO USABLE KEY: escalations will be refused", "err", c.Err)
		}
		k.Escalate = &c
	}
	return nil
}

// MaintainerKey is one maintainer and their key.
type MaintainerKey struct {
	Name    string
	Address string
	Key     *crypto.Key
	FP      string
	Err     error
}

// Load reads the robot key and every maintainer key named in cfg.
// A bad robot key is fatal; a bad maintainer key is logged loudly and
// that maintainer is left out.
func Load(cfg *config.Config, now time.Time, log *slog.Logger) (*Keys, error) {
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
	if k.Retired, err = loadRetired(cfg.Path(cfg.Robot.RetiredKeysDir), ring); err != nil {
		return nil, err
	}
	if k.Autocrypt, err = RobotAutocrypt(robot, cfg.Robot.Address, now); err != nil {
		return nil, err
	}
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
	if err := k.loadDisclosureKeys(cfg, now, log); err != nil {
		return nil, err
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

// MaintainerBySigner returns the maintainer whose key made a signature
// with fingerprint fp.
func (k *Keys) MaintainerBySigner(fp string) (MaintainerKey, bool) { return k.MaintainerByFP(fp) }

// MaintainerByFP returns the configured maintainer with a usable key of
// fingerprint fp. Queued mail names its maintainer this way, so that it
// survives maintainers being added or reordered in the config.
func (k *Keys) MaintainerByFP(fp string) (MaintainerKey, bool) {
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
	pub, err := key.GetArmoredPublicKeyWithCustomHeaders("", "")
	if err != nil {
		return "", "", fmt.Errorf("armor public key: %w", err)
	}
	return pub + "\n", strings.ToUpper(key.GetFingerprint()), nil
}
