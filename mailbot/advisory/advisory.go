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
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/command"
	"github.com/secbot/secbot/mailbot/policy"
	"github.com/secbot/secbot/mailbot/versions"
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
type Advisory struct {
	Case       string
	Project    string // the name shown (Project.Name, else its Fallback)
	ProjectURL string
	CVE        string
	CRD        Date

	Affected    versions.List
	NotAffected versions.List
	Unchecked   versions.List
	Branches    Branches

	Type     Type
	Severity Severity
	Credits  Credits
	// Withheld counts the credits declined: their people asked not to be
	// named, so no output of the advisory names them (credits.go).
	Withheld int

	// Texts are the text fields of the field table (title, impact,
	// mitigation, workaround, ...) by kind, "" when not set; Title,
	// Impact, Mitigation and Workaround read them.
	Texts map[command.Kind]string
	// Sections are the text fields shown under headings of their own, in
	// the table's order: the advisory template writes them one by one.
	Sections []Section

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
		CVE: f.CVE, CRD: Date{f.CRD},
		Affected: f.Affected, NotAffected: f.NotAffected, Unchecked: f.Unchecked,
		Type: Type{CWE: f.CWE, Text: f.Type}, Severity: Severity{Level: f.Severity, CVSS: f.CVSS},
	}
	a.buildTexts(&f)
	for _, br := range f.Branches {
		a.Branches = append(a.Branches, Branch{Name: br.Name, Fixed: br.Fixed})
	}
	a.Credits, a.Withheld = buildCredits(f.Credits)
	if a.Project == "" {
		a.Project = p.Fallback
	}
	for _, pt := range store.Current(patches) {
		a.Patches = append(a.Patches, Patch{Name: pt.Name, SHA256: pt.SHA256})
	}
	a.Missing, a.Recommended = policy.Missing(a.Policy())
	return a
}

// Policy maps the advisory onto the fields the policy rules check. The
// type counts as set by its text only: a CWE id alone does not describe
// the flaw to those who must act on it.
func (a *Advisory) Policy() policy.Fields {
	pf := policy.Fields{ProjectName: a.projectName, ProjectURL: a.ProjectURL, Title: a.Title(),
		Affected: a.Affected.String(), NotAffected: a.NotAffected.String(), Unchecked: a.Unchecked.String(),
		Type: a.Type.Text, Impact: a.Impact(), CVE: a.CVE, CRD: a.CRD.Time,
		Mitigation: a.Mitigation(), Workaround: a.Workaround()}
	for _, cr := range a.Credits {
		pf.Credits = append(pf.Credits, cr.Name)
	}
	for range a.Withheld {
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
// optional CVSS vector.
type Severity struct {
	Level string
	CVSS  string
}

// String is "high (CVSS:3.1/...)", or the level alone.
func (s Severity) String() string {
	if s.Level == "" || s.CVSS == "" {
		return s.Level
	}
	return s.Level + " (" + s.CVSS + ")"
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
