package command

import "strings"

// parseTell parses "tell", "tell all" (every contact pre-notified on the
// case) or "tell ID..." (those contacts). The text to send is the mail's
// text after the command block, as for reply.
func parseTell(c *Command, arg string) error {
	if arg == "" || strings.EqualFold(strings.TrimSpace(arg), "all") {
		return nil
	}
	if err := parseNotify(c, arg); err != nil {
		return err
	}
	c.Kind = KindTell
	return nil
}
