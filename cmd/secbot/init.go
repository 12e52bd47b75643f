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

	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/templates"
)

func cmdInit(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("init", flag.ContinueOnError)
	dir := fset.String("dir", ".", "directory to write secbot.toml and robot.key.asc into")
	name := fset.String("name", "Example Project security team", "name on the robot key")
	addr := fset.String("address", "security@example.org", "the security@ address")
	algo := fset.String("algo", "x25519", "key algorithm: x25519 or rsa4096")
	if err := parse(fset, args); err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	cfgPath := filepath.Join(*dir, "secbot.toml")
	keyPath := filepath.Join(*dir, "robot.key.asc")
	for _, p := range []string{cfgPath, keyPath} {
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
	fmt.Printf("wrote %s (private key, mode 0600) and %s\nedit the config, then run: secbot check -c %s\n", keyPath, cfgPath, cfgPath)
	return nil
}
