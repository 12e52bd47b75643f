package command

import (
	"fmt"

	"github.com/secbot/secbot/mailbot/versions"
)

// VersionRange is one item of a version list; the type, its parser and
// its canonical text live in package versions, which the store shares.
type VersionRange = versions.Range

// ParseRanges parses a comma-separated version list (see versions.Parse).
func ParseRanges(s string) (versions.List, error) { return versions.Parse(s) }

// FormatRanges returns the canonical text of a version list.
func FormatRanges(rs versions.List) string { return rs.String() }

func parseRangeField(c *Command, arg string) error {
	if isClear(arg) {
		c.Clear = true
		return nil
	}
	if arg == "" {
		return fmt.Errorf("%w: %s needs versions, or clear", ErrMissingArgument, c.Kind)
	}
	rs, err := versions.Parse(arg)
	if err != nil {
		return err
	}
	c.Ranges = rs
	return nil
}

func checkVersion(v string) error { return versions.Check(v) }
