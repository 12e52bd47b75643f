package pgpmime

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

// GenerateKey makes a new key pair for name <email> and returns the armored
// private key, without passphrase. algo is "x25519" (the default when empty:
// an EdDSA primary key with a Curve25519 encryption subkey, readable by
// GnuPG 2.2) or "rsa4096".
func GenerateKey(name, email string, algo string) (armoredPrivate string, err error) {
	keyType, bits := "x25519", 0
	switch algo {
	case "", "x25519":
	case "rsa4096":
		keyType, bits = "rsa", 4096
	default:
		return "", fmt.Errorf("generate key: unknown algorithm %q", algo)
	}
	k, err := crypto.GenerateKey(name, email, keyType, bits)
	if err != nil {
		return "", fmt.Errorf("generate key: %w", err)
	}
	// No Version or Comment armor headers: they only leak the library.
	armored, err := k.ArmorWithCustomHeaders("", "")
	if err != nil {
		return "", fmt.Errorf("generate key: armor: %w", err)
	}
	return armored, nil
}

// ReadKey reads one public or private key, armored or binary.
func ReadKey(armored []byte) (*crypto.Key, error) {
	var k *crypto.Key
	var err error
	if bytes.HasPrefix(bytes.TrimSpace(armored), []byte("-----BEGIN PGP")) {
		k, err = crypto.NewKeyFromArmoredReader(bytes.NewReader(armored))
	} else {
		k, err = crypto.NewKey(armored) // binary after all
	}
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	return k, nil
}

// LoadKeyFile reads one key from a file (see ReadKey).
func LoadKeyFile(path string) (*crypto.Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load key file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("load key file %s: %w", path, err)
	}
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("load key file %s: larger than %d bytes", path, maxKeyFileSize)
	}
	k, err := ReadKey(data)
	if err != nil {
		return nil, fmt.Errorf("load key file %s: %w", path, err)
	}
	return k, nil
}
