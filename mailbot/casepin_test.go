package mailbot

import (
	"regexp"
	"strings"
	"testing"

	"github.com/secbot/secbot/mailbot/command"
	"github.com/secbot/secbot/store"
)

// TestCasePinDecides: an explicit pin line ("# SEC-…" at the start of a
// comment line of the command block) decides which case a signed mail is
// for; ids elsewhere (on the pin line after the pin, in quotes, in prose)
// are only mentions, and count only when no line pins a case.
func TestCasePinDecides(t *testing.T) {
	b, _ := fuzzBot(t)
	b.cfg.Commands.RequireCaseID = true
	b.caseIDRE = regexp.MustCompile(`(?i)\bSEC-\d{4}-\d{4,6}\b`)
	c := &store.Case{ID: "SEC-2026-0001"}
	check := func(name, text string, isNew bool, want string) {
		t.Helper()
		res := command.Parse(text)
		p := &prepared{cmds: &res, cmdText: text}
		got := b.wrongCase(c, p, isNew)
		switch {
		case want == "" && got != "":
			t.Errorf("%s: refused: %s", name, got)
		case want != "" && !strings.Contains(got, want):
			t.Errorf("%s: refusal %q, want one containing %q", name, got, want)
		}
	}
	check("pin names this case", "# SEC-2026-0001\nclose\n", false, "")
	check("pin without a space", "#sec-2026-0001\nclose\n", false, "")
	check("pin names this case, mentions another", "# SEC-2026-0001 (like SEC-2026-0002)\nclose\n", false, "")
	check("pin names another case, mentions this one", "# SEC-2026-0002 (same root cause as SEC-2026-0001)\nclose\n", false, "pins case SEC-2026-0002")
	check("pin names another case, quote names this one", "# SEC-2026-0002\nclose\n\n> [SEC-2026-0001] New report\n", false, "pins case SEC-2026-0002")
	check("pin on a new case", "# SEC-2026-0002\nclose\n", true, "pins case SEC-2026-0002")
	check("two pins, one this case", "# SEC-2026-0001\n# SEC-2026-0002\nclose\n", false, "pins case SEC-2026-0002")
	check("a comment that mentions, no pin", "# see SEC-2026-0001\nclose\n", false, "")
	check("a comment that mentions another, no pin", "# see SEC-2026-0002\nclose\n", false, "names SEC-2026-0002")
	check("quote only", "close\n\n> [SEC-2026-0001] New report\n", false, "")
	check("nothing named", "close\n", false, "does not name case SEC-2026-0001")
	check("pin-like line inside a heredoc is content", "# SEC-2026-0001\nimpact <<END\n# SEC-2026-0002\nEND\n", false, "")
}
