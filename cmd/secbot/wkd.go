package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/mailbot/wkd"
)

// writeWKD writes the Web Key Directory of the robot key for the robot
// address into dir (`secbot key -wkd DIR`): the key with that address's
// user id alone, binary, under both methods, and says where to serve it.
func writeWKD(out io.Writer, cfg *config.Config, dir string) error {
	key, err := pgpmime.LoadKeyFile(cfg.Path(cfg.Robot.KeyFile))
	if err != nil {
		return err
	}
	data, err := pgpmime.AddressKey(key, cfg.Robot.Address)
	if err != nil {
		return err
	}
	files, err := wkd.Write(dir, cfg.Robot.Address, data)
	if err != nil {
		return err
	}
	local, domain, _ := strings.Cut(cfg.Robot.Address, "@")
	fmt.Fprintf(out, "# fingerprint %s, WKD hash %s\n", strings.ToUpper(key.GetFingerprint()), wkd.Hash(local))
	for _, f := range files {
		fmt.Fprintln(out, f)
	}
	fmt.Fprintf(out, "# serve %s over https as https://openpgpkey.%s/ (advanced) or https://%s/ (direct)\n", dir, strings.ToLower(domain), strings.ToLower(domain))
	return nil
}
