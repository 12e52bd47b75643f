package command

import "testing"

// TestParseShareAndCreditOutcome: share's options and the credit outcome
// lines parse, print canonically and parse back the same.
func TestParseShareAndCreditOutcome(t *testing.T) {
	check := func(in, canon string) {
		t.Helper()
		r := Parse(in)
		if len(r.Errors) > 0 || len(r.Commands) != 1 {
			t.Fatalf("%q: %v", in, r.Errors)
		}
		c := r.Commands[0]
		if c.String() != canon {
			t.Errorf("%q: canon %q, want %q", in, c.String(), canon)
		}
		if again := Parse(canon); len(again.Commands) != 1 || again.Commands[0].String() != canon {
			t.Errorf("%q does not parse back", canon)
		}
	}
	check("share", "share")
	check("Share Plain", "share plain")
	check("share with patches", "share with patches")
	check("share plain with  patches", "share plain with patches")
	check("credit confirmed Rita Reporter", "credit confirmed Rita Reporter")
	check("credit Declined  Rita Reporter", "credit declined Rita Reporter")
	check("credit Rita Reporter <rita@reporter.example>", "credit Rita Reporter <rita@reporter.example> as finder")
	for _, bad := range []string{"share everything", "share with", "share plain plain", "credit confirmed <x@y.z>"} {
		if r := Parse(bad); len(r.Errors) != 1 {
			t.Errorf("%q: errors %v, want one", bad, r.Errors)
		}
	}
	if !AllOrNothing(KindShare) {
		t.Errorf("share is not all-or-nothing")
	}
}
