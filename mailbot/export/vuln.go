package export

import (
	"fmt"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/versions"
)

// Vuln is one vulnerability of a case as the exports and the web page
// see it: the fields of advisory.ScopeVulnerability. The case-wide ones
// (case id, project, CRD, patches) stay on the Advisory.
type Vuln struct {
	// N numbers the vulnerability in its case, from 1: it suffixes ids
	// (x_SEC-2026-0001-1) that must differ per vulnerability.
	N          int
	Title      string
	Impact     string
	Mitigation string
	Workaround string
	Type       advisory.Type
	Severity   advisory.Severity
	CVE        string

	Affected    versions.List
	NotAffected versions.List
	Unchecked   versions.List
	Branches    advisory.Branches
	Credits     advisory.Credits
}

// Vulns maps an advisory onto its vulnerabilities, in their order: every
// export and the web page iterate what it returns. A vulnerability's
// credits are its own, or the case's (advisory.Vulnerability.Credits
// already says which), never a declined one.
func Vulns(a *advisory.Advisory) []Vuln {
	out := make([]Vuln, 0, len(a.Vulns))
	for i := range a.Vulns {
		v := &a.Vulns[i]
		out = append(out, Vuln{
			N: v.N, Title: v.Title(), Impact: v.Impact(), Mitigation: v.Mitigation(), Workaround: v.Workaround(),
			Type: v.Type, Severity: v.Severity, CVE: v.CVE,
			Affected: v.Affected, NotAffected: v.NotAffected, Unchecked: v.Unchecked,
			Branches: v.Branches, Credits: v.Credits,
		})
	}
	return out
}

// Case is what every export reads: the advisory, for the case-wide
// fields, and its vulnerabilities.
type Case struct {
	*advisory.Advisory
	Vulns []Vuln
}

// NewCase is the Case of advisory a.
func NewCase(a *advisory.Advisory) Case { return Case{Advisory: a, Vulns: Vulns(a)} }

// vulnID names vulnerability v of case c where an id must differ per
// vulnerability: "SEC-2026-0001-1".
func vulnID(c Case, v Vuln) string { return fmt.Sprintf("%s-%d", c.Case, v.N) }

// description is the prose of a vulnerability: its title, then its
// impact.
func description(v Vuln) string {
	switch {
	case v.Impact == "":
		return v.Title
	case v.Title == "":
		return v.Impact
	}
	return v.Title + "\n\n" + v.Impact
}
