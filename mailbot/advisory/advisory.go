// Package advisory builds the typed security advisory of a case, once,
// from the stored case, the project's name and URL, and the case's current
// patches. Everything that shows an advisory field (the case summary in
// transcripts and status, the draft and final advisory, the announcement,
// the CVE request, and the exports to come) reads it from here, so that a
// field is written the same way everywhere: each field type has one
// String form. It is pure: it reads what it is given and writes nothing.
// Its field table (Fields) is the store half of each advisory field: the
// command that sets a field finds there the store field it writes.
package advisory

import (
	"fmt"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/cvss"
	"github.com/secbot/secbot/mailbot/policy"
	"github.com/secbot/secbot/store"
)

// Project is what the config says of the project.
type Project struct {
	Name     string // project_name; "" when not configured
	URL      string
	Fallback string // shown when Name is empty: the robot's name
}

// Advisory is one case's advisory. Text fields are as maintainers set
// them; an empty value is a field not set yet.
//
// A case holds one or more vulnerabilities (Vulns); the advisory keeps
// here what they share: the project, the CRD, the case's credits and the
// patches.
type Advisory struct {
	Case       string
	Project    string // the name shown (Project.Name, else its Fallback)
	ProjectURL string
	CRD        Date

	// Vulns are the case's vulnerabilities, at least one, in the order
	// they were added; each numbered as "vuln N" names it.
	Vulns []Vulnerability

	// Credits are the case's credits: those of every vulnerability
	// without credits of its own. Withheld counts the credits declined:
	// their people asked not to be named, so no output of the advisory
	// names them (credits.go).
	Credits  Credits
	Withheld int

	// Patches are the case's current patches, in the order they were added.
	Patches Patches

	// Missing are the required fields still empty, Recommended the
	// recommended ones (policy.Missing), by their user-facing names.
	Missing     Names
	Recommended Names

	// projectName is the configured name, for the policy check.
	projectName string
}

// Build makes the advisory of case c. patches are the case's patches
// (tx.Patches), in the order they were added; only the current ones (not
// superseded, not dropped) are kept.
func Build(c *store.Case, p Project, patches []*store.Patch) *Advisory {
	f := c.Fields
	a := &Advisory{
		Case: c.ID, Project: p.Name, ProjectURL: p.URL, projectName: p.Name,
		CRD: Date{f.CRD},
	}
	a.Credits, a.Withheld = buildCredits(f.Credits)
	for i := range c.Vulns {
		a.Vulns = append(a.Vulns, a.buildVuln(&c.Vulns[i]))
	}
	if len(a.Vulns) == 0 {
		// A stored case always holds one; a damaged record may not, and
		// every reader may count on one being there.
		a.Vulns = append(a.Vulns, a.buildVuln(&store.Vuln{N: 1}))
	}
	if a.Project == "" {
		a.Project = p.Fallback
	}
	for _, pt := range store.Current(patches) {
		a.Patches = append(a.Patches, Patch{Name: pt.Name, SHA256: pt.SHA256})
	}
	a.Missing, a.Recommended = policy.Missing(a.Policy())
	return a
}

// buildVuln makes the vulnerability of stored fields f; one without
// credits of its own takes the case's (built first).
func (a *Advisory) buildVuln(f *store.Vuln) Vulnerability {
	v := Vulnerability{N: f.N, ID: vulnID(a.Case, f.N), CVE: f.CVE, CVERequested: Date{f.CVERequested},
		Affected: f.Affected, NotAffected: f.NotAffected, Unchecked: f.Unchecked,
		Type: Type{CWE: f.CWE, Text: f.Type}, Severity: NewSeverity(f.Severity, f.CVSS),
		Credits: a.Credits, Withheld: a.Withheld}
	if f.Credits != nil {
		v.Credits, v.Withheld = buildCredits(f.Credits)
		v.OwnCredits = true
	}
	v.buildTexts(f)
	for _, br := range f.Branches {
		v.Branches = append(v.Branches, Branch{Name: br.Name, Fixed: br.Fixed})
	}
	return v
}

// Policy maps the advisory onto the fields the policy rules check: one
// vulnerability's fields with the case's, or, with several, the case's
// and one set per vulnerability. The type counts as set by its text only:
// a CWE id alone does not describe the flaw to those who must act on it.
func (a *Advisory) Policy() policy.Fields {
	pf := a.policyOf(&a.Vulns[0])
	if a.Several() {
		for i := range a.Vulns {
			pf.Vulns = append(pf.Vulns, a.policyOf(&a.Vulns[i]))
		}
	}
	return pf
}

// policyOf is the policy's view of vulnerability v, with the case's fields.
func (a *Advisory) policyOf(v *Vulnerability) policy.Fields {
	pf := policy.Fields{ProjectName: a.projectName, ProjectURL: a.ProjectURL, Title: v.Title(),
		Affected: v.Affected.String(), NotAffected: v.NotAffected.String(), Unchecked: v.Unchecked.String(),
		Type: v.Type.Text, Impact: v.Impact(), CVE: v.CVE, CRD: a.CRD.Time,
		Mitigation: v.Mitigation(), Workaround: v.Workaround(), N: v.N}
	for _, cr := range v.Credits {
		pf.Credits = append(pf.Credits, cr.Name)
	}
	for range v.Withheld {
		pf.Credits = append(pf.Credits, "(not named)")
	}
	return pf
}

// Date is a point in time shown in UTC, as "Mon 2006-01-02 15:04 UTC";
// the zero Date shows as "".
type Date struct{ time.Time }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.UTC().Format("Mon 2006-01-02 15:04 MST")
}

// Type is the kind of flaw: a CWE id, free text, or both.
type Type struct {
	CWE  string // "CWE-79", or ""
	Text string
}

// String is "CWE-79 Cross-site scripting", the text alone when it names
// the CWE id already, or whichever of the two is set.
func (t Type) String() string {
	if t.CWE == "" || strings.Contains(t.Text, t.CWE) {
		return t.Text
	}
	return strings.TrimSpace(t.CWE + " " + t.Text)
}

// Severity is a level (none, low, medium, high, critical) and an
// optional CVSS vector, with the base score computed from it.
type Severity struct {
	Level string
	CVSS  string // the vector in canonical form, "" when none was given
	// Version is the vector's CVSS version, "3.0", "3.1" or "4.0"; Score
	// its base score and Band the level the score falls in (cvss.Band).
	// All three are empty without a vector.
	Version string
	Score   float64
	Band    string
}

// NewSeverity is the severity of a stated level and vector, scored. A
// stored vector was checked when it was set; one that no longer parses
// keeps no score rather than a wrong one.
func NewSeverity(level, vector string) Severity {
	s := Severity{Level: level, CVSS: vector}
	if v, err := cvss.Parse(vector); vector != "" && err == nil {
		s.CVSS, s.Version, s.Score, s.Band = v.String, v.Version, v.Score, v.Band()
	}
	return s
}

// String is "high (base score 9.8, CVSS:3.1/...)", or the level alone.
func (s Severity) String() string {
	switch {
	case s.Level == "" || s.CVSS == "":
		return s.Level
	case s.Band == "":
		return s.Level + " (" + s.CVSS + ")"
	}
	return fmt.Sprintf("%s (base score %.1f, %s)", s.Level, s.Score, s.CVSS)
}

// Disagrees says, when the stated level is not the band the vector's
// base score falls in, what the score says; "" when they agree, or when
// there is no vector to check against.
func (s Severity) Disagrees() string {
	if s.Band == "" || s.Level == "" || s.Level == s.Band {
		return ""
	}
	return fmt.Sprintf("the level is %s, but the CVSS base score %.1f is %s", s.Level, s.Score, s.Band)
}

// Credit thanks one person or tool; Kind is one of command.CreditKinds.
// The address is for exports that carry contacts; no text shows it.
type Credit struct {
	Name    string
	Address string
	Kind    string
	// Status is store.CreditPending or store.CreditConfirmed, or "" for
	// a credit nobody was asked about (a declined one is never here).
	Status string
}

// String is "Jane Doe (remediation developer)".
func (c Credit) String() string {
	return c.Name + " (" + strings.ReplaceAll(c.Kind, "-", " ") + ")"
}

// Credits are shown separated by ", ".
type Credits []Credit

func (cs Credits) String() string { return join(cs) }

// Branch is a release branch and the first version on it with the fix.
type Branch struct {
	Name  string
	Fixed string
}

// String is "1.4 fixed in 1.4.3".
func (b Branch) String() string { return b.Name + " fixed in " + b.Fixed }

// Branches are shown separated by ", ".
type Branches []Branch

func (bs Branches) String() string { return join(bs) }

// Patch is one current patch of the case.
type Patch struct {
	Name   string
	SHA256 string // hex
}

// String is the line of sha256sum: the hash, two spaces, the name.
func (p Patch) String() string { return p.SHA256 + "  " + p.Name }

// Patches are in the order they were added.
type Patches []Patch

// Names are field names, shown separated by ", ".
type Names []string

func (n Names) String() string { return strings.Join(n, ", ") }

func join[T interface{ String() string }](items []T) string {
	parts := make([]string, len(items))
	for i, x := range items {
		parts[i] = x.String()
	}
	return strings.Join(parts, ", ")
}
