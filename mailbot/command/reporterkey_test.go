package command

import (
	"strings"
	"testing"
)

func TestParseReporterKey(t *testing.T) {
	const fp = "D73A048DE9371F9521B578DB52B66BE43FDB9058"
	check := func(line, want, addr, wantFP string, drop bool) {
		t.Helper()
		r := Parse(line)
		if len(r.Errors) > 0 || len(r.Commands) != 1 {
			t.Errorf("Parse(%q): commands %q, errors %v", line, canon(r.Commands), r.Errors)
			return
		}
		c := r.Commands[0]
		if c.Kind != KindReporterKey || c.String() != want || c.Address != addr || c.Fingerprint != wantFP || c.DropKey != drop {
			t.Errorf("Parse(%q) = %+v (%q), want %q", line, c, c.String(), want)
		}
	}
	check("reporter-key rita@reporter.example", "reporter-key rita@reporter.example", "rita@reporter.example", "", false)
	check("Reporter-Key: <Rita@Reporter.example>", "reporter-key rita@reporter.example", "rita@reporter.example", "", false)
	check("reporter-key rita@reporter.example drop", "reporter-key rita@reporter.example drop", "rita@reporter.example", "", true)
	check("reporter-key rita@reporter.example DROP", "reporter-key rita@reporter.example drop", "rita@reporter.example", "", true)
	check("reporter-key rita@reporter.example "+strings.ToLower(fp), "reporter-key rita@reporter.example "+fp, "rita@reporter.example", fp, false)
	check("reporter-key rita@reporter.example D73A 048D E937 1F95 21B5  78DB 52B6 6BE4 3FDB 9058",
		"reporter-key rita@reporter.example "+fp, "rita@reporter.example", fp, false)

	bad := func(line, want string) {
		t.Helper()
		r := Parse(line)
		if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Error(), want) {
			t.Errorf("Parse(%q): errors %v, want one with %q", line, r.Errors, want)
		}
	}
	bad("reporter-key", "needs an address")
	bad("reporter-key rita", "bad address")
	bad("reporter-key rita@reporter.example forget", "want reporter-key ADDRESS")
	bad("reporter-key rita@reporter.example D73A048D", "40 or 64 hex digits")
	bad("reporter-key rita@reporter.example "+fp+" drop", "40 or 64 hex digits")
	bad("reporter-key rita@reporter.example drop now", "40 or 64 hex digits")
	bad("reporterkey rita@reporter.example", `did you mean "reporter-key"?`)
}

// TestReporterKeyIsNotAllOrNothing: a key line is reversible and reaches
// nobody; an outward command beside it (reply) is all-or-nothing itself,
// so a failing key line stops it anyway.
func TestReporterKeyIsNotAllOrNothing(t *testing.T) {
	if AllOrNothing(KindReporterKey) {
		t.Errorf("AllOrNothing(reporter-key) = true")
	}
}
