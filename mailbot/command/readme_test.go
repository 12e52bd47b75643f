package command

import (
	"os"
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
