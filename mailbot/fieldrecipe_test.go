package mailbot_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/command"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// TestFieldRecipe proves the recipe for a text field (see command.Fields):
// two table rows and a store field are all the code it takes.
// The test adds a field "x-solution", alias "x-fix" (names no real field
// will take), through the two tables only, and drives it through Parse, apply, the transcript's summary and
// the advisory. It stores the text in the Workaround slot, in place of the
// workaround rows it takes out, since a test cannot add a store field;
// the old keyword must then be unknown, so that nothing but the rows
// decides what a keyword sets.
func TestFieldRecipe(t *testing.T) {
	withoutWorkaround := func(k command.Kind) bool { return k == command.KindWorkaround }
	oldCmd, oldAdv := command.Fields, advisory.Fields
	t.Cleanup(func() { command.Fields, advisory.Fields = oldCmd, oldAdv }) // after the env's own cleanup
	command.Fields = append(slices.DeleteFunc(slices.Clone(oldCmd), func(f command.Field) bool { return withoutWorkaround(f.Kind) }),
		command.Field{Kind: "x-solution", Aliases: []string{"x-fix"}, Syntax: command.SyntaxText})
	advisory.Fields = append(slices.DeleteFunc(slices.Clone(oldAdv), func(f advisory.Field) bool { return withoutWorkaround(f.Kind) }),
		advisory.Field{Kind: "x-solution", Scope: advisory.ScopeVulnerability, Summary: "Solution", Section: "Proposed solution",
			Text: func(f *store.Vuln) *string { return &f.Workaround }})

	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	body := "# SEC-2026-0001\nx-fix <<END\nUpgrade to 1.4.3.\nOr set frob=off.\nEND\nworkaround Set frob=off.\nthanks\n"
	e.send(e.Maintainers[0], demo.Mail{Subject: "Re: [SEC-2026-0001] Heap overflow", Body: body, InReplyTo: relayID, Sign: true})

	tr := strings.ReplaceAll(e.transcript(3), "\r\n", "\n") // the relays of the report and of the command mail, then the transcript
	for _, want := range []string{
		"ok: solution = \"Upgrade to 1.4.3.\"…",
		"unknown command \"workaround\"",
		// Both heredoc lines, the second under the label (which the
		// tests' text reader joins, as it joins wrapped lines).
		"Solution:       Upgrade to 1.4.3. Or set frob=off.\n",
	} {
		if !strings.Contains(tr, want) {
			t.Errorf("transcript lacks %q:\n%s", want, tr)
		}
	}
	if strings.Contains(tr, "Workaround:") {
		t.Errorf("transcript shows the field taken out:\n%s", tr)
	}
	c := e.caseByID("SEC-2026-0001")
	if c.Vulns[0].Workaround != "Upgrade to 1.4.3.\nOr set frob=off." {
		t.Errorf("stored %q", c.Vulns[0].Workaround)
	}
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	_, adv, err := advisory.Build(c, advisory.Project{}, nil).Render(tmpl, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := "\n\nProposed solution:\n  Upgrade to 1.4.3.\n  Or set frob=off.\n\nCredits:"; !strings.Contains(string(adv), want) {
		t.Errorf("advisory lacks %q:\n%s", want, adv)
	}
	if got := command.Parse("x-fix <<END\n a\nEND").Commands[0].String(); got != "x-solution <<END\n a\nEND" {
		t.Errorf("canonical form %q", got)
	}
}
