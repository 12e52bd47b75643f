package command

import (
	"slices"
	"strings"
	"testing"
)

// TestParseTell: tell alone or "tell all" names every pre-notified
// contact (no ids), "tell ID..." those; the canonical form parses back;
// a bad id is refused; tell, like reply, is all-or-nothing.
func TestParseTell(t *testing.T) {
	check := func(in string, ids []string, canon string) {
		t.Helper()
		r := Parse(in + "\n\nthe text\n")
		if len(r.Errors) > 0 || len(r.Commands) != 1 {
			t.Fatalf("%q: %v %v", in, r.Commands, r.Errors)
		}
		c := r.Commands[0]
		if c.Kind != KindTell || !slices.Equal(c.IDs, ids) || c.String() != canon {
			t.Errorf("%q: kind %s ids %q canon %q", in, c.Kind, c.IDs, c.String())
		}
		if r.Rest != "the text" {
			t.Errorf("%q: rest %q", in, r.Rest)
		}
		if again := Parse(c.String()); len(again.Commands) != 1 || !slices.Equal(again.Commands[0].IDs, ids) {
			t.Errorf("%q: canonical form %q does not parse back", in, c.String())
		}
	}
	check("tell", nil, "tell all")
	check("tell all", nil, "tell all")
	check("Tell Debian, acme", []string{"debian", "acme"}, "tell debian acme")
	if r := Parse("tell deb/ian\n"); len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Error(), "bad contact id") {
		t.Errorf("bad id: %v", r.Errors)
	}
	if !AllOrNothing(KindTell) {
		t.Errorf("tell is not all-or-nothing")
	}
}
