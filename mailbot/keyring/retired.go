package keyring

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/pgpmime"
)

// Retired robot keys: `secbot key rotate` moves the old robot key into
// robot.retired_keys_dir, one FINGERPRINT.asc each. They decrypt (mail a
// reporter encrypted to a key we published before) and never sign: they
// are in RobotRing, not Robot.

// RetiredKeyPath is where a retired key with fingerprint fp is kept.
func RetiredKeyPath(dir, fp string) string { return filepath.Join(dir, strings.ToUpper(fp)+".asc") }

// loadRetired adds every retired key in dir to ring and returns their
// fingerprints, sorted. A missing dir holds none; an unreadable or public
// key in it is an error, so that no key meant to decrypt is lost unseen.
func loadRetired(dir string, ring *crypto.KeyRing) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.asc"))
	if err != nil {
		return nil, fmt.Errorf("retired keys: %w", err)
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	var fps []string
	for _, f := range files {
		key, err := pgpmime.LoadKeyFile(f)
		if err != nil {
			return nil, fmt.Errorf("retired key: %w", err)
		}
		if !key.IsPrivate() {
			return nil, fmt.Errorf("retired key %s: not a private key", f)
		}
		if err := ring.AddKey(key); err != nil {
			return nil, fmt.Errorf("retired key %s: %w", f, err)
		}
		fps = append(fps, strings.ToUpper(key.GetFingerprint()))
	}
	sort.Strings(fps)
	return fps, nil
}
