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
