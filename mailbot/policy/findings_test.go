package policy

import (
	"slices"
	"testing"
)

func TestFindings(t *testing.T) {
	check := func(f Findings, errs, warns []string, refused bool) {
		t.Helper()
		if got := f.Errors(); !slices.Equal(got, errs) {
			t.Errorf("Errors() = %q, want %q", got, errs)
		}
		if got := f.Warnings(); !slices.Equal(got, warns) {
			t.Errorf("Warnings() = %q, want %q", got, warns)
		}
		if f.Refused() != refused {
			t.Errorf("Refused() = %v, want %v", f.Refused(), refused)
		}
	}
	check(nil, nil, nil, false)
	check(Findings{{Warning: true, Text: "w1"}}, nil, []string{"w1"}, false)
	check(Findings{{Text: "e1"}, {Warning: true, Text: "w1"}, {Text: "e2"}}, []string{"e1", "e2"}, []string{"w1"}, true)
}
