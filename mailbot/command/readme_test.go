package command

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestReadmeExample parses the example mail of the project README, so that
// the reference cannot drift from the parser.
func TestReadmeExample(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := strings.Cut(string(doc), "### Example mail\n\n```\n")
	body, _, ok := strings.Cut(after, "\n```")
	if !ok {
		t.Fatal("no example block in the project README")
	}
	r := Parse(body)
	if len(r.Errors) > 0 || len(r.Commands) != 15 || r.Stop != StopBlank {
		t.Fatalf("got %d commands %q, stop %q, errors %v", len(r.Commands), canon(r.Commands), r.Stop, r.Errors)
	}
	if !strings.HasPrefix(r.Rest, "Hi Jane,\n\n") || !strings.HasSuffix(r.Rest, "Best,\nAlex") {
		t.Errorf("rest: %q", r.Rest)
	}
	all := false
	for _, c := range r.Commands {
		all = all || AllOrNothing(c.Kind)
	}
	if !all {
		t.Errorf("the example should hold an all-or-nothing command")
	}
}

// TestReadmeFieldTable: the README's table of commands that set case
// fields has a row for every advisory field, which names its aliases, and
// says "heredoc" exactly for the fields that take one; every command it
// names exists.
func TestReadmeFieldTable(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := strings.Cut(string(doc), "### Commands that set case fields\n")
	_, table, _ := strings.Cut(after, "\n|---|---|---|\n")
	table, _, _ = strings.Cut(table, "\n\n")
	if table == "" {
		t.Fatal("no field table in the project README")
	}
	rows := map[Kind][]string{} // kind: the keywords of its row, then its argument cell
	for _, l := range strings.Split(table, "\n") {
		cells := strings.Split(l, "|")
		if len(cells) < 4 {
			t.Fatalf("bad row %q", l)
		}
		var names []string
		for i, part := range strings.Split(cells[1], "`") {
			if i%2 == 1 {
				names = append(names, part)
			}
		}
		k, ok := lookup(names[0])
		if !ok || string(k.kind) != names[0] {
			t.Errorf("README row %q: %q is no command", l, names[0])
			continue
		}
		rows[k.kind] = append(names, cells[2])
	}
	for _, f := range Fields {
		row, ok := rows[f.Kind]
		if !ok {
			t.Errorf("the README has no row for field %s", f.Kind)
			continue
		}
		names, arg := row[:len(row)-1], row[len(row)-1]
		if !slices.Equal(names, f.Names()) {
			t.Errorf("README row of %s names %q, want %q", f.Kind, names, f.Names())
		}
		if kw, _ := lookup(string(f.Kind)); kw.heredoc != strings.Contains(arg, "heredoc") {
			t.Errorf("README row of %s: heredoc is %v, the argument says %q", f.Kind, kw.heredoc, arg)
		}
	}
}
