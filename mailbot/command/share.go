package command

import (
	"fmt"
	"strings"
)

// parseShare parses "share [plain] [with patches]".
func parseShare(c *Command, arg string) error {
	w := words(strings.ToLower(arg))
	if len(w) > 0 && w[0] == "plain" {
		c.Plain, w = true, w[1:]
	}
	switch {
	case len(w) == 2 && w[0] == "with" && w[1] == "patches":
		c.WithPatches = true
	case len(w) != 0:
		return fmt.Errorf("share: want share, share plain, share with patches or share plain with patches")
	}
	return nil
}
