package command

import (
	"slices"
	"strings"
	"testing"
)

// TestFieldTable: every row has a syntax, a parser and a canonical form
// of its own exactly when its syntax is SyntaxOwn, and no keyword or alias
// is taken twice, by two fields or by a field and an action.
func TestFieldTable(t *testing.T) {
	seen := map[string]Kind{}
	for kw, a := range actions {
		seen[kw] = a.kind
	}
	for _, f := range Fields {
		if f.Syntax < SyntaxLine || f.Syntax > SyntaxOwn {
			t.Errorf("%s: no syntax", f.Kind)
		}
		if (f.Syntax == SyntaxOwn) != (f.own != nil) {
			t.Errorf("%s: own parser set %v for syntax %d", f.Kind, f.own != nil, f.Syntax)
		}
		for _, kw := range f.Names() {
			if kw != strings.ToLower(kw) || strings.ContainsAny(kw, " \t:") {
				t.Errorf("%s: keyword %q is not one lower-case word", f.Kind, kw)
			}
			if k, dup := seen[kw]; dup {
				t.Errorf("keyword %q is taken by %s and %s", kw, k, f.Kind)
			}
			seen[kw] = f.Kind
		}
	}
}

// TestStandardSyntaxesNeedOnlyARow adds a field of each standard syntax to
// the table, and nothing else: each parses under its name and alias, is
// suggested for a typo, and is written back in a form that parses the
// same.
func TestStandardSyntaxesNeedOnlyARow(t *testing.T) {
	old := Fields
	t.Cleanup(func() { Fields = old })
	Fields = append(slices.Clone(old),
		Field{Kind: "x-headline", Aliases: []string{"x-summary"}, Syntax: SyntaxLine},
		Field{Kind: "x-solution", Aliases: []string{"x-fix"}, Syntax: SyntaxText},
		Field{Kind: "x-fixed", Aliases: []string{"x-fixed-in"}, Syntax: SyntaxVersions})
	for _, tc := range []struct{ in, want string }{
		{"x-summary clear", "x-headline clear"}, // a line field takes clear as text
		{"x-fix <<END\nUpgrade.\n\nOr not.\nEND", "x-solution <<END\nUpgrade.\n\nOr not.\nEND"},
		{"X-Fix: clear", "x-solution clear"},
		{"x-fixed-in 1.0-1.4.1", "x-fixed >=1.0 <=1.4.1"},
	} {
		r := Parse(tc.in)
		if len(r.Commands) != 1 || len(r.Errors) > 0 {
			t.Errorf("%q: %d commands, errors %v", tc.in, len(r.Commands), r.Errors)
			continue
		}
		got := r.Commands[0].String()
		if got != tc.want {
			t.Errorf("%q: canonical %q, want %q", tc.in, got, tc.want)
		}
		again := Parse(got)
		if len(again.Commands) != 1 || again.Commands[0].String() != got {
			t.Errorf("%q does not parse back the same: %v", got, again)
		}
	}
	if r := Parse("x-soltion"); len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Error(), `did you mean "x-solution"`) {
		t.Errorf("typo: %v", r.Errors)
	}
	if r := Parse("x-headline <<END\nx\nEND"); len(r.Errors) != 1 {
		t.Errorf("a line field took a heredoc: %+v", r)
	}
}

// keywordNames are every keyword and alias, sorted.
func keywordNames() []string {
	var names []string
	for _, f := range Fields {
		names = append(names, f.Names()...)
	}
	for k := range actions {
		names = append(names, k)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// TestARowWithoutSyntaxParsesNothing: the zero Syntax is none of the
// syntaxes, so a row that forgets its syntax is closed: its keyword
// parses nothing, and it writes back as the bare keyword.
func TestARowWithoutSyntaxParsesNothing(t *testing.T) {
	old := Fields
	t.Cleanup(func() { Fields = old })
	Fields = append(slices.Clone(old), Field{Kind: "x-forgotten"})
	for _, line := range []string{"x-forgotten", "x-forgotten text", "x-forgotten clear", "x-forgotten 1.0"} {
		if r := Parse(line); len(r.Commands) != 0 || len(r.Errors) != 1 {
			t.Errorf("Parse(%q): commands %q, errors %v; want it refused", line, canon(r.Commands), r.Errors)
		}
	}
	if got := (Command{Kind: "x-forgotten", Text: "text"}).String(); got != "x-forgotten" {
		t.Errorf("String of a row without syntax: %q", got)
	}
}
