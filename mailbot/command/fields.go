package command

import "slices"

// Field is the parsing half of one advisory field: the keyword that sets
// it, its aliases, and the syntax of its value. advisory.Fields holds the
// other half (where the case stores the field, how the summary and the
// advisory label it), under the same Kind; a test keeps the two closed.
//
// A field of a standard syntax (SyntaxLine, SyntaxText, SyntaxVersions)
// needs no code here: the row alone parses it and writes it back. Fields
// with a syntax of their own carry their parser and canonical form.
type Field struct {
	Kind    Kind     // the main keyword, as the field's value of Command.Kind
	Aliases []string // other keywords, lower-case
	Syntax  Syntax
	own     *ownSyntax // SyntaxOwn only
}

// Syntax is how a field's argument parses, and which Command fields the
// value lands in.
type Syntax int

// The syntaxes of advisory fields.
const (
	// SyntaxLine is one line of text, in Command.Text. "clear" is text
	// too: a line field cannot be emptied (title).
	SyntaxLine Syntax = iota + 1
	// SyntaxText is text or a heredoc, in Command.Text, or "clear"
	// (impact, mitigation, workaround).
	SyntaxText
	// SyntaxVersions is a version list, in Command.Ranges, or "clear".
	SyntaxVersions
	// SyntaxOwn is a syntax of the field's own (type, severity, cve, crd,
	// credit, branch).
	SyntaxOwn
)

// ownSyntax parses and writes back a field of SyntaxOwn.
type ownSyntax struct {
	parse  func(c *Command, arg string) error
	format func(c Command) string // the canonical form, c.Clear aside
}

// Fields are the advisory fields, in the order the case summary shows
// them. A field of a standard syntax takes a row here, a row in
// advisory.Fields, its store.Fields field and its row in the README's
// table, and nothing else: TestFieldRecipe (package mailbot) proves it.
var Fields = []Field{
	{Kind: KindTitle, Syntax: SyntaxLine},
	{Kind: KindAffected, Syntax: SyntaxVersions},
	{Kind: KindNotAffected, Aliases: []string{"notaffected", "unaffected"}, Syntax: SyntaxVersions},
	{Kind: KindUnchecked, Aliases: []string{"not-checked", "notchecked"}, Syntax: SyntaxVersions},
	{Kind: KindType, Syntax: SyntaxOwn, own: &ownSyntax{parseType, formatType}},
	{Kind: KindImpact, Syntax: SyntaxText},
	{Kind: KindSeverity, Syntax: SyntaxOwn, own: &ownSyntax{parseSeverity, formatSeverity}},
	{Kind: KindCVE, Syntax: SyntaxOwn, own: &ownSyntax{parseCVE, formatCVE}},
	{Kind: KindCRD, Syntax: SyntaxOwn, own: &ownSyntax{parseCRD, formatCRDCommand}},
	{Kind: KindMitigation, Syntax: SyntaxText},
	{Kind: KindWorkaround, Syntax: SyntaxText},
	{Kind: KindCredit, Syntax: SyntaxOwn, own: &ownSyntax{parseCredit, formatCredit}},
	{Kind: KindBranch, Syntax: SyntaxOwn, own: &ownSyntax{parseBranch, formatBranch}},
}

// FieldOf returns the field row of kind k, if k sets an advisory field.
func FieldOf(k Kind) (Field, bool) {
	for _, f := range Fields {
		if f.Kind == k {
			return f, true
		}
	}
	return Field{}, false
}

// Names returns the field's keywords: its main one, then its aliases.
func (f Field) Names() []string { return append([]string{string(f.Kind)}, f.Aliases...) }

// keyword is how the field's keywords parse.
func (f Field) keyword() keyword {
	switch f.Syntax {
	case SyntaxLine:
		return keyword{f.Kind, parseLine, false}
	case SyntaxText:
		return keyword{f.Kind, parseClearableText, true}
	case SyntaxVersions:
		return keyword{f.Kind, parseRangeField, false}
	case SyntaxOwn:
		if f.own != nil {
			return keyword{f.Kind, f.own.parse, false}
		}
	}
	// A row without a syntax parses nothing; the table test refuses it.
	return keyword{f.Kind, func(c *Command, _ string) error { return ErrUnknownCommand }, false}
}

// format is the canonical form of a command that sets the field, c.Clear
// aside.
func (f Field) format(c Command) string {
	kw := string(c.Kind)
	switch f.Syntax {
	case SyntaxLine:
		return kw + " " + c.Text
	case SyntaxText:
		return textForm(kw, c.Text)
	case SyntaxVersions:
		return kw + " " + FormatRanges(c.Ranges)
	case SyntaxOwn:
		if f.own != nil {
			return f.own.format(c)
		}
	}
	return kw
}

// lookup returns how keyword kw (lower-case) parses: an advisory field's
// keyword, or an action's. It reads Fields on every call, so that the
// table is the only place a field's keywords are written.
func lookup(kw string) (keyword, bool) {
	for _, f := range Fields {
		if string(f.Kind) == kw || slices.Contains(f.Aliases, kw) {
			return f.keyword(), true
		}
	}
	k, ok := actions[kw]
	return k, ok
}

func formatType(c Command) string { return joinWords(string(c.Kind), c.CWE, c.Text) }

func formatSeverity(c Command) string { return joinWords(string(c.Kind), c.Severity, c.CVSS) }

func formatCVE(c Command) string { return string(c.Kind) + " " + c.CVE }

func formatCRDCommand(c Command) string {
	s := string(c.Kind) + " " + formatCRD(c.CRD)
	if c.Force {
		s += " force"
	}
	return s
}

func formatCredit(c Command) string {
	if c.Credit == nil {
		return string(c.Kind)
	}
	if c.Credit.Outcome != "" {
		return joinWords(string(c.Kind), c.Credit.Outcome, c.Credit.Name)
	}
	return joinWords(string(c.Kind), c.Credit.Name, angle(c.Credit.Address), "as", c.Credit.Kind)
}

func formatBranch(c Command) string { return joinWords(string(c.Kind), c.Branch, c.FixedVersion) }
