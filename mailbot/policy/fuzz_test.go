package policy

import (
	"strings"
	"testing"
)

// FuzzParsePatchName checks that ParsePatchName never panics, that what it
// accepts is a safe file name, and that an accepted name round-trips: String
// gives back the name, which parses to the same PatchName. The seeds are in
// testdata/fuzz/FuzzParsePatchName.
func FuzzParsePatchName(f *testing.F) {
	f.Add("foo-1.4-CVE-2026-1234-r2.patch")
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := ParsePatchName(s)
		if !ok {
			if p != (PatchName{}) {
				t.Fatalf("ParsePatchName(%q) = %+v with ok false", s, p)
			}
			return
		}
		if !SafeFileName(s) || p.Base == "" || strings.HasPrefix(s, "-") {
			t.Fatalf("ParsePatchName(%q) accepted an unsafe name: %+v", s, p)
		}
		if p.Ext != ".patch" && p.Ext != ".diff" || p.Rev < 0 || p.Rev > MaxRev {
			t.Fatalf("ParsePatchName(%q) = %+v", s, p)
		}
		out := p.String()
		if out != s {
			t.Fatalf("ParsePatchName(%q).String() = %q", s, out)
		}
		q, ok := ParsePatchName(out)
		if !ok || q != p {
			t.Fatalf("ParsePatchName(%q) = %+v, %v; want %+v", out, q, ok, p)
		}
		_ = BranchOf(s, []string{p.Base, "1.4", ""})
	})
}

// FuzzSuggestName checks that every suggested name follows the convention
// and carries the revision asked for.
func FuzzSuggestName(f *testing.F) {
	f.Add("frob", "1.4", "CVE-2026-1234", 1)
	f.Add("../x", "a/../b", "\u202e", 0)
	f.Fuzz(func(t *testing.T, project, branch, id string, rev int) {
		s := SuggestName(project, branch, id, rev)
		p, ok := ParsePatchName(s)
		if !ok {
			t.Fatalf("SuggestName(%q, %q, %q, %d) = %q does not parse", project, branch, id, rev, s)
		}
		if rev > 0 && p.Rev != min(rev, MaxRev) {
			t.Fatalf("SuggestName(%q, %q, %q, %d) = %q has revision %d", project, branch, id, rev, s, p.Rev)
		}
	})
}
