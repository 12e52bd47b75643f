package policy

import (
	"slices"
	"testing"
)

// complete returns an advisory with every field set, the crd 2 days ahead.
func complete() Fields {
	return Fields{
		ProjectName: "frob", ProjectURL: "https://frob.example/", Title: "Heap overflow in the frobnicator",
		Affected: ">=1.0 <1.4.2", NotAffected: "<1.0", Unchecked: "0.x", Type: "heap buffer overflow",
		Impact: "remote code execution", CVE: "CVE-2026-1234", CRD: at(2, 0),
		Mitigation: "only with frobbing enabled", Workaround: "set frob=off", Credits: []string{"A. Reporter"},
	}
}

func TestMissing(t *testing.T) {
	check := func(name string, f Fields, required, recommended []string) {
		t.Helper()
		req, rec := Missing(f)
		if !slices.Equal(req, required) || !slices.Equal(rec, recommended) {
			t.Errorf("%s: Missing() = %q, %q; want %q, %q", name, req, rec, required, recommended)
		}
	}
	check("complete", complete(), nil, nil)
	check("empty", Fields{},
		[]string{"project name", "project URL", "title", "versions affected", "type of vulnerability", "impact", "coordinated release date (crd)"},
		[]string{"versions not affected", "versions not checked", "CVE identifier", "mitigating factors", "workarounds", "credits"})

	blank := complete()
	blank.ProjectURL, blank.Impact, blank.CVE = " \t", "\n", " "
	check("white space is empty", blank, []string{"project URL", "impact"}, []string{"CVE identifier"})

	credits := complete()
	credits.Credits = []string{"", "  "}
	check("blank credits", credits, nil, []string{"credits"})
	credits.Credits = []string{"", "B. Finder"}
	check("one credit suffices", credits, nil, nil)

	noCRD := complete()
	noCRD.CRD = noCRD.CRD.AddDate(-100, 0, 0)
	check("any set crd counts, past or not", noCRD, nil, nil)
	noCRD.CRD = Fields{}.CRD
	check("zero crd", noCRD, []string{"coordinated release date (crd)"}, nil)
}

// TestMissingSeveral: with several vulnerabilities, the case's fields
// are named once and each vulnerability's with its number; a complete
// first vulnerability does not hide an incomplete second one.
func TestMissingSeveral(t *testing.T) {
	one, two := complete(), complete()
	one.N, two.N = 1, 2
	two.Impact, two.CVE = "", ""
	f := complete()
	f.CRD = Fields{}.CRD
	f.Vulns = []Fields{one, two}
	req, rec := Missing(f)
	if want := []string{"coordinated release date (crd)", "vulnerability 2: impact"}; !slices.Equal(req, want) {
		t.Errorf("required %q, want %q", req, want)
	}
	if want := []string{"vulnerability 2: CVE identifier"}; !slices.Equal(rec, want) {
		t.Errorf("recommended %q, want %q", rec, want)
	}
}
