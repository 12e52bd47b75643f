package policy

import (
	"fmt"
	"strings"
	"time"
)

// Fields are the parts of a security advisory, after the seed's list of
// what an advisory should contain at least ("project name and URL,
// versions known to be affected, ..., credits to the original reporter"),
// plus a title. Text fields that are empty or only white space count as
// missing.
type Fields struct {
	ProjectName string
	ProjectURL  string
	Title       string
	Affected    string // versions known to be affected
	NotAffected string // versions known to be not affected, e.g. older than the vulnerable code
	Unchecked   string // versions not checked
	Type        string // type of vulnerability
	Impact      string
	CVE         string
	CRD         time.Time // the planned coordinated release date; zero when unset
	Mitigation  string    // mitigating factors, e.g. only non-default configurations are exposed
	Workaround  string    // configuration changes that reduce exposure
	Credits     []string  // credits to the original reporter and others

	// Vulns, for an advisory of several vulnerabilities, holds one Fields
	// each, numbered by N; Missing then checks the fields that describe a
	// vulnerability in each of them, and the case's (project, crd) here.
	Vulns []Fields
	N     int
}

// caseWide are the fields an advisory of several vulnerabilities states
// once, for all of them.
var caseWide = map[string]bool{FieldProjectName: true, FieldProjectURL: true, FieldCRD: true}

// The user-facing names of the advisory fields, in the seed's order.
const (
	FieldProjectName = "project name"
	FieldProjectURL  = "project URL"
	FieldTitle       = "title"
	FieldAffected    = "versions affected"
	FieldNotAffected = "versions not affected"
	FieldUnchecked   = "versions not checked"
	FieldType        = "type of vulnerability"
	FieldImpact      = "impact"
	FieldCVE         = "CVE identifier"
	FieldCRD         = "coordinated release date (crd)"
	FieldMitigation  = "mitigating factors"
	FieldWorkaround  = "workarounds"
	FieldCredits     = "credits"
)

// Missing returns the names of the required fields that are still empty and,
// separately, of the recommended ones, both in the seed's order.
//
// Required are what downstream cannot act without: project name and URL,
// title, versions affected, type of vulnerability, impact and crd.
// Recommended are the rest of the seed's list: versions not affected and not
// checked, CVE identifier (it may be requested later, on the distros list
// for instance), mitigating factors, workarounds and credits.
//
// With several vulnerabilities (f.Vulns), a field of one of them that is
// missing is named with it: "vulnerability 2: impact".
func Missing(f Fields) (required, recommended []string) {
	if len(f.Vulns) == 0 {
		return missingOne(f)
	}
	keep := func(names []string, wide bool, prefix string) []string {
		var out []string
		for _, n := range names {
			if caseWide[n] == wide {
				out = append(out, prefix+n)
			}
		}
		return out
	}
	req, rec := missingOne(f)
	required, recommended = keep(req, true, ""), keep(rec, true, "")
	for _, v := range f.Vulns {
		req, rec := missingOne(v)
		prefix := fmt.Sprintf("vulnerability %d: ", v.N)
		required = append(required, keep(req, false, prefix)...)
		recommended = append(recommended, keep(rec, false, prefix)...)
	}
	return required, recommended
}

func missingOne(f Fields) (required, recommended []string) {
	for _, x := range []struct {
		name     string
		set      bool
		required bool
	}{
		{FieldProjectName, set(f.ProjectName), true},
		{FieldProjectURL, set(f.ProjectURL), true},
		{FieldTitle, set(f.Title), true},
		{FieldAffected, set(f.Affected), true},
		{FieldNotAffected, set(f.NotAffected), false},
		{FieldUnchecked, set(f.Unchecked), false},
		{FieldType, set(f.Type), true},
		{FieldImpact, set(f.Impact), true},
		{FieldCVE, set(f.CVE), false},
		{FieldCRD, !f.CRD.IsZero(), true},
		{FieldMitigation, set(f.Mitigation), false},
		{FieldWorkaround, set(f.Workaround), false},
		{FieldCredits, anySet(f.Credits), false},
	} {
		switch {
		case x.set:
		case x.required:
			required = append(required, x.name)
		default:
			recommended = append(recommended, x.name)
		}
	}
	return required, recommended
}

func set(s string) bool { return strings.TrimSpace(s) != "" }

func anySet(ss []string) bool {
	for _, s := range ss {
		if set(s) {
			return true
		}
	}
	return false
}
