package command

import (
	"fmt"
	"strings"
)

// parseReporterKey parses "ADDRESS" (set the key from the one attached to
// the mail), "ADDRESS drop", or "ADDRESS FINGERPRINT" (trust the pending
// or stored key with that fingerprint; gpg's spaced form is accepted).
func parseReporterKey(c *Command, arg string) error {
	w := words(arg)
	if len(w) == 0 {
		return fmt.Errorf("%w: reporter-key needs an address", ErrMissingArgument)
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(w[0], "<"), ">")
	if err := checkAddress(addr); err != nil {
		return err
	}
	c.Address = strings.ToLower(addr)
	rest := w[1:]
	switch {
	case len(rest) == 0:
		return nil
	case len(rest) == 1 && strings.EqualFold(rest[0], "drop"):
		c.DropKey = true
		return nil
	}
	fp := strings.ToUpper(strings.Join(rest, ""))
	if (len(fp) != 40 && len(fp) != 64) || strings.Trim(fp, "0123456789ABCDEF") != "" {
		return fmt.Errorf("reporter-key: want reporter-key ADDRESS, reporter-key ADDRESS drop, or reporter-key ADDRESS FINGERPRINT (40 or 64 hex digits)")
	}
	c.Fingerprint = fp
	return nil
}

func formatReporterKey(c Command) string {
	switch {
	case c.DropKey:
		return joinWords(string(c.Kind), c.Address, "drop")
	case c.Fingerprint != "":
		return joinWords(string(c.Kind), c.Address, c.Fingerprint)
	}
	return joinWords(string(c.Kind), c.Address)
}
