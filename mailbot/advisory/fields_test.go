package advisory

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/secbot/secbot/mailbot/command"
	"github.com/secbot/secbot/mailbot/versions"
	"github.com/secbot/secbot/store"
)

// checkTables returns what is wrong with a pair of field tables: a kind
// one half has and the other lacks, the halves in different orders, or a
// row whose store accessor does not fit the syntax its command parses.
func checkTables(cmds []command.Field, rows []Field) []string {
	var bad []string
	kinds := func(n int, kind func(int) command.Kind) []command.Kind {
		out := make([]command.Kind, n)
		for i := range out {
			out[i] = kind(i)
		}
		return out
	}
	ck := kinds(len(cmds), func(i int) command.Kind { return cmds[i].Kind })
	rk := kinds(len(rows), func(i int) command.Kind { return rows[i].Kind })
	for _, k := range ck {
		if !slices.Contains(rk, k) {
			bad = append(bad, fmt.Sprintf("%s: a keyword without a field row", k))
		}
	}
	for _, k := range rk {
		if !slices.Contains(ck, k) {
			bad = append(bad, fmt.Sprintf("%s: a field row without a keyword", k))
		}
	}
	if len(bad) == 0 && !slices.Equal(ck, rk) {
		bad = append(bad, fmt.Sprintf("the halves differ in order: %q and %q", ck, rk))
	}
	for _, r := range rows {
		if c, ok := command.FieldOf(r.Kind); ok && slices.Contains(ck, r.Kind) {
			bad = append(bad, checkRow(c, r)...)
		}
	}
	return bad
}

// checkRow checks one row against the syntax of its command half.
func checkRow(c command.Field, r Field) []string {
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, string(r.Kind)+": "+fmt.Sprintf(format, args...)) }
	if r.Scope != ScopeVulnerability && r.Scope != ScopeCase {
		fail("no scope")
	}
	if r.Summary == "" {
		fail("no summary label")
	}
	text, list, show := r.Text != nil, r.Versions != nil, r.Show != nil || r.ShowCase != nil
	if r.Scope == ScopeCase && (text || list || r.Show != nil) {
		fail("a field of the case shows with ShowCase: the accessors are a vulnerability's")
	}
	if r.Scope == ScopeVulnerability && r.ShowCase != nil {
		fail("a field of a vulnerability shows with Show, not ShowCase")
	}
	switch c.Syntax {
	case command.SyntaxLine, command.SyntaxText:
		if !text || list || show {
			fail("a text field needs Text, and only Text")
		}
	case command.SyntaxVersions:
		if !list || !show || text {
			fail("a version list needs Versions and Show, and only those")
		}
	case command.SyntaxOwn:
		if !show || text || list {
			fail("a field of its own syntax needs Show, and only Show")
		}
	default:
		fail("no syntax")
	}
	if r.Section != "" && !text {
		fail("only a text field has a section")
	}
	return bad
}

// TestFieldTablesClosed: every advisory field has both halves, the
// command's and the store's, in the same order, and each store half fits
// its syntax. A keyword without a field row, or a row without a keyword,
// fails; so do the other faults checkTables knows, shown here.
func TestFieldTablesClosed(t *testing.T) {
	if bad := checkTables(command.Fields, Fields); len(bad) > 0 {
		t.Errorf("the field tables:\n%s", strings.Join(bad, "\n"))
	}
	text := func(f *store.Vuln) *string { return &f.Impact }
	fake := command.Field{Kind: "x-solution", Syntax: command.SyntaxText}
	for _, tc := range []struct {
		name string
		cmds []command.Field
		rows []Field
		want string
	}{
		{"keyword only", append(slices.Clone(command.Fields), fake), Fields, "x-solution: a keyword without a field row"},
		{"row only", command.Fields, append(slices.Clone(Fields), Field{Kind: "x-solution", Scope: ScopeCase, Summary: "S", Text: text}),
			"x-solution: a field row without a keyword"},
		{"order", slices.Concat(command.Fields[1:], command.Fields[:1]), Fields, "the halves differ in order"},
		{"no scope", command.Fields, replaceRow(command.KindImpact, func(r *Field) { r.Scope = 0 }), "impact: no scope"},
		{"text as list", command.Fields, replaceRow(command.KindImpact, func(r *Field) {
			r.Text, r.Versions = nil, func(f *store.Vuln) *versions.List { return &f.Affected }
		}), "impact: a text field needs Text"},
		{"list without show", command.Fields, replaceRow(command.KindAffected, func(r *Field) { r.Show = nil }),
			"affected: a version list needs Versions and Show"},
		{"own with text", command.Fields, replaceRow(command.KindCVE, func(r *Field) { r.Text = text }),
			"cve: a field of its own syntax needs Show"},
		{"case field with text", command.Fields, replaceRow(command.KindCRD, func(r *Field) { r.ShowCase, r.Text = nil, text }),
			"crd: a field of the case shows with ShowCase"},
		{"vulnerability field with ShowCase", command.Fields, replaceRow(command.KindCVE, func(r *Field) { r.Show, r.ShowCase = nil, func(*Advisory) string { return "" } }),
			"cve: a field of a vulnerability shows with Show"},
		{"section of a list", command.Fields, replaceRow(command.KindAffected, func(r *Field) { r.Section = "Versions" }),
			"affected: only a text field has a section"},
	} {
		bad := strings.Join(checkTables(tc.cmds, tc.rows), "\n")
		if !strings.Contains(bad, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, bad, tc.want)
		}
	}
}

// replaceRow returns a copy of Fields with the row of kind k changed.
func replaceRow(k command.Kind, change func(*Field)) []Field {
	rows := slices.Clone(Fields)
	for i := range rows {
		if rows[i].Kind == k {
			change(&rows[i])
		}
	}
	return rows
}

// TestTextFieldsFromTheTable: Build reads every text field through its
// row, and Sections keep the table's order; each accessor points at a
// store field of its own.
func TestTextFieldsFromTheTable(t *testing.T) {
	c, _ := sampleCase()
	c.Vulns[0].Mitigation, c.Vulns[0].Workaround = "Only with frob=on.", "Set frob=off."
	a := &Build(c, Project{}, nil).Vulns[0]
	if a.Title() != c.Vulns[0].Title || a.Impact() != c.Vulns[0].Impact || a.Mitigation() != c.Vulns[0].Mitigation || a.Workaround() != c.Vulns[0].Workaround {
		t.Errorf("texts %q", a.Texts)
	}
	// The sections known today, in order; a field added later may add one.
	want := []Section{{"Impact", "Remote code execution."}, {"Mitigating factors", "Only with frob=on."}, {"Workarounds", "Set frob=off."}}
	known := slices.DeleteFunc(slices.Clone(a.Sections), func(s Section) bool {
		return !slices.ContainsFunc(want, func(w Section) bool { return w.Heading == s.Heading })
	})
	if !slices.Equal(known, want) {
		t.Errorf("sections %q, want %q", a.Sections, want)
	}
	n := 0
	for _, r := range Fields {
		if r.Section != "" {
			n++
		}
	}
	if len(a.Sections) != n {
		t.Errorf("%d sections for %d rows with a section", len(a.Sections), n)
	}
	var f store.Vuln
	seen := map[any]command.Kind{}
	for _, r := range Fields {
		var p any
		switch {
		case r.Text != nil:
			p = r.Text(&f)
		case r.Versions != nil:
			p = r.Versions(&f)
		default:
			continue
		}
		if k, dup := seen[p]; dup {
			t.Errorf("%s and %s share a store field", k, r.Kind)
		}
		seen[p] = r.Kind
	}
}
