package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/templates"
)

func cmdInit(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("init", flag.ContinueOnError)
	dir := fset.String("dir", ".", "directory to write secbot.toml and robot.key.asc into")
	name := fset.String("name", "Example Project security team", "name on the robot key")
	addr := fset.String("address", "security@example.org", "the security@ address")
	algo := fset.String("algo", "x25519", "key algorithm: x25519 or rsa4096")
	user := fset.String("user", "secbot", "the system user the systemd unit runs secbot as")
	bin := fset.String("bin", "", "the secbot binary the systemd unit runs (default: this one)")
	if err := parse(fset, args); err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	cfgPath := filepath.Join(abs, "secbot.toml")
	keyPath := filepath.Join(abs, "robot.key.asc")
	unitPath := filepath.Join(abs, "secbot.service")
	for _, p := range []string{cfgPath, keyPath, unitPath} {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("%s exists: refusing to overwrite it", p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	armored, err := pgpmime.GenerateKey(*name, *addr, *algo)
	if err != nil {
		return err
	}
	if err := os.WriteFile(keyPath, []byte(armored), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(cfgPath, bytes.ReplaceAll(templates.SampleConfig(), []byte("security@example.org"), []byte(*addr)), 0o600); err != nil {
		return err
	}
	if err := writeUnit(unitPath, cfgPath, *bin, *user); err != nil {
		return err
	}
	fmt.Printf("wrote %s (private key, mode 0600), %s and %s\nedit the config, then run: secbot check -c %s\n", keyPath, cfgPath, unitPath, cfgPath)
	return nil
}

// writeUnit writes the systemd unit that runs bin on the config at
// cfgPath as user, with write access to the store's directory alone.
func writeUnit(unitPath, cfgPath, bin, user string) error {
	if bin == "" {
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("find the secbot binary (use -bin): %w", err)
		}
		bin = self
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	unit, err := templates.Unit(templates.UnitFields{Binary: bin, Config: cfgPath,
		StoreDir: filepath.Dir(cfg.Path(cfg.Robot.Store)), User: user})
	if err != nil {
		return err
	}
	return os.WriteFile(unitPath, unit, 0o644)
}
