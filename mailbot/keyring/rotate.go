package keyring

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/pgpmime"
)

// Rotation is what Rotate did.
type Rotation struct {
	OldFP, NewFP string
	// Retired is the file that now keeps the old private key.
	Retired string
}

// Rotate makes a new robot key (algo as `secbot init -algo`), certifies
// it with the old one, moves the old one into robot.retired_keys_dir
// (decryption only) and writes the new one to robot.key_file. The old key
// is written first and the new one renamed into place last, so that a
// crash at any point loses no private key.
func Rotate(cfg *config.Config, algo string, now time.Time) (Rotation, error) {
	path := cfg.Path(cfg.Robot.KeyFile)
	old, err := pgpmime.LoadKeyFile(path)
	if err != nil {
		return Rotation{}, fmt.Errorf("robot key: %w", err)
	}
	if !old.IsPrivate() {
		return Rotation{}, fmt.Errorf("robot key %s: not a private key", path)
	}
	oldArmored, err := os.ReadFile(path)
	if err != nil {
		return Rotation{}, err
	}
	name := cfg.Robot.Name
	if name == "" {
		name = cfg.Robot.Address
	}
	armored, err := pgpmime.GenerateKey(name, cfg.Robot.Address, algo)
	if err != nil {
		return Rotation{}, err
	}
	fresh, err := pgpmime.ReadKey([]byte(armored))
	if err != nil {
		return Rotation{}, err
	}
	certified, err := pgpmime.Certify(fresh, old, now)
	if err != nil {
		return Rotation{}, err
	}
	if armored, err = certified.ArmorWithCustomHeaders("", ""); err != nil {
		return Rotation{}, fmt.Errorf("armor the new key: %w", err)
	}
	r := Rotation{OldFP: strings.ToUpper(old.GetFingerprint()), NewFP: strings.ToUpper(certified.GetFingerprint())}
	dir := cfg.Path(cfg.Robot.RetiredKeysDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Rotation{}, fmt.Errorf("retired keys: %w", err)
	}
	r.Retired = RetiredKeyPath(dir, r.OldFP)
	if err := writeNew(r.Retired, oldArmored); err != nil {
		return Rotation{}, err
	}
	tmp := path + ".new"
	if err := writeNew(tmp, []byte(armored)); err != nil {
		return Rotation{}, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return Rotation{}, fmt.Errorf("put the new key in place: %w", err)
	}
	return r, syncDir(filepath.Dir(path))
}

// writeNew writes a private key to a file that must not exist yet, mode
// 0600, and syncs it.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write key: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write key %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync key %s: %w", path, err)
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
