package advisory

import (
	"strings"

	"github.com/secbot/secbot/mailbot/command"
	"github.com/secbot/secbot/mailbot/versions"
	"github.com/secbot/secbot/store"
)

// Field is the store half of one advisory field: what it describes, where
// the case keeps it, and how the case summary and the advisory label it.
// command.Fields holds the parsing half under the same Kind, in the same
// order; TestFieldTablesClosed keeps the two halves matched.
//
// A text field (command.SyntaxLine or SyntaxText) needs nothing but its
// two rows and its store field: the command sets it through Text, Build
// puts it in Advisory.Texts, the summary shows it under Summary, and the
// advisory shows it as a section under Section.
type Field struct {
	Kind  command.Kind
	Scope Scope
	// Summary labels the field in the case summary ("Not checked");
	// lower-cased, it names the field in the transcript ("not checked =").
	Summary string
	// Section, for a text field the advisory shows under a heading of its
	// own, is that heading ("Mitigating factors"). Empty: the template
	// places the field itself (the title in the subject and the header).
	Section string

	// Exactly one of the following is set.

	// Text is the store field of a text field (SyntaxLine, SyntaxText),
	// which only a vulnerability has.
	Text func(*store.Vuln) *string
	// Versions is the store field of a version list (SyntaxVersions);
	// Show gives its summary value.
	Versions func(*store.Vuln) *versions.List
	// Show alone is for a field of its own syntax (SyntaxOwn), which the
	// command applies with code of its own: its summary value. A field of
	// ScopeCase shows with ShowCase instead.
	Show     func(*Vulnerability) string
	ShowCase func(*Advisory) string
}

// Scope says what a field describes. A case holds one or more
// vulnerabilities: each keeps its own fields of ScopeVulnerability (in
// store.Vuln), and the case keeps those of ScopeCase (in store.Fields).
type Scope int

// The scopes.
const (
	// ScopeVulnerability fields describe one flaw: its title, type,
	// impact, severity, versions, branches, CVE id, credits.
	ScopeVulnerability Scope = iota + 1
	// ScopeCase fields hold for the whole case: the coordinated release
	// date, when all of its flaws are published together.
	ScopeCase
)

// Fields are the advisory fields in the order the case summary shows them,
// which is the order of command.Fields.
var Fields = []Field{
	{Kind: command.KindTitle, Scope: ScopeVulnerability, Summary: "Title",
		Text: func(f *store.Vuln) *string { return &f.Title }},
	{Kind: command.KindAffected, Scope: ScopeVulnerability, Summary: "Affected",
		Versions: func(f *store.Vuln) *versions.List { return &f.Affected },
		Show:     func(v *Vulnerability) string { return v.Affected.String() }},
	{Kind: command.KindNotAffected, Scope: ScopeVulnerability, Summary: "Not affected",
		Versions: func(f *store.Vuln) *versions.List { return &f.NotAffected },
		Show:     func(v *Vulnerability) string { return v.NotAffected.String() }},
	{Kind: command.KindUnchecked, Scope: ScopeVulnerability, Summary: "Not checked",
		Versions: func(f *store.Vuln) *versions.List { return &f.Unchecked },
		Show:     func(v *Vulnerability) string { return v.Unchecked.String() }},
	{Kind: command.KindType, Scope: ScopeVulnerability, Summary: "Type",
		Show: func(v *Vulnerability) string { return v.Type.String() }},
	{Kind: command.KindImpact, Scope: ScopeVulnerability, Summary: "Impact", Section: "Impact",
		Text: func(f *store.Vuln) *string { return &f.Impact }},
	{Kind: command.KindSeverity, Scope: ScopeVulnerability, Summary: "Severity",
		Show: func(v *Vulnerability) string { return v.Severity.String() }},
	{Kind: command.KindCVE, Scope: ScopeVulnerability, Summary: "CVE",
		Show: func(v *Vulnerability) string { return v.CVE }},
	{Kind: command.KindCRD, Scope: ScopeCase, Summary: "CRD",
		ShowCase: func(a *Advisory) string { return a.CRD.String() }},
	{Kind: command.KindMitigation, Scope: ScopeVulnerability, Summary: "Mitigation", Section: "Mitigating factors",
		Text: func(f *store.Vuln) *string { return &f.Mitigation }},
	{Kind: command.KindWorkaround, Scope: ScopeVulnerability, Summary: "Workaround", Section: "Workarounds",
		Text: func(f *store.Vuln) *string { return &f.Workaround }},
	{Kind: command.KindCredit, Scope: ScopeVulnerability, Summary: "Credits",
		Show: func(v *Vulnerability) string { return v.Credits.String() }},
	{Kind: command.KindBranch, Scope: ScopeVulnerability, Summary: "Branches",
		Show: func(v *Vulnerability) string { return v.Branches.String() }},
}

// FieldOf returns the field row of kind k, if k sets an advisory field.
func FieldOf(k command.Kind) (Field, bool) {
	for _, f := range Fields {
		if f.Kind == k {
			return f, true
		}
	}
	return Field{}, false
}

// Name names the field in the transcript: "not checked = ...".
func (f Field) Name() string { return strings.ToLower(f.Summary) }

// Value is the field as the case summary shows it, of advisory a for a
// field of ScopeCase, else of its vulnerability v; "" when it is not set.
func (f Field) Value(a *Advisory, v *Vulnerability) string {
	switch {
	case f.ShowCase != nil:
		return f.ShowCase(a)
	case f.Show != nil:
		return f.Show(v)
	}
	return v.Texts[f.Kind]
}

// Section is a text field the advisory shows under a heading of its own.
type Section struct {
	Heading string
	Text    string // "" when not set
}

// buildTexts fills the vulnerability's text fields from its stored
// fields.
func (v *Vulnerability) buildTexts(f *store.Vuln) {
	v.Texts = map[command.Kind]string{}
	for _, fd := range Fields {
		if fd.Text == nil {
			continue
		}
		v.Texts[fd.Kind] = *fd.Text(f)
		if fd.Section != "" {
			v.Sections = append(v.Sections, Section{Heading: fd.Section, Text: *fd.Text(f)})
		}
	}
}
