package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/mailbot/outmail"
)

// cmdKeyRotate makes a new robot key, certified by the old one, and keeps
// the old one for decryption only (keyring.Rotate).
func cmdKeyRotate(ctx context.Context, args []string) error {
	var algo *string
	cfg, _, err := readFlags(args, "key rotate", func(fs *flag.FlagSet) {
		algo = fs.String("algo", "x25519", "key algorithm of the new key: x25519 or rsa4096")
	})
	if err != nil {
		return err
	}
	r, err := keyring.Rotate(cfg, *algo, time.Now())
	if err != nil {
		return err
	}
	printRotation(os.Stdout, r)
	return nil
}

func printRotation(w io.Writer, r keyring.Rotation) {
	fmt.Fprintf(w, "new robot key: %s\nold robot key: %s (certifies the new one)\n", outmail.SpacedFP(r.NewFP), outmail.SpacedFP(r.OldFP))
	fmt.Fprintf(w, "the old private key is kept in %s: it decrypts mail sent to it, and signs nothing\n\n", r.Retired)
	fmt.Fprintln(w, "Now:")
	fmt.Fprintln(w, "  - reload secbot (systemctl reload secbot, or SIGHUP): it signs with the new key, and tells the maintainers both fingerprints")
	fmt.Fprintln(w, "  - publish the new public key: secbot key -c FILE > security.asc")
	fmt.Fprintln(w, "  - run secbot key -c FILE -wkd DIR again: the Web Key Directory still serves the old key")
}
