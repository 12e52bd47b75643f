package policy

import (
	"strings"
	"testing"
)

func TestParsePatchName(t *testing.T) {
	check := func(name string, want PatchName, ok bool) {
		t.Helper()
		got, gotOK := ParsePatchName(name)
		if got != want || gotOK != ok {
			t.Errorf("ParsePatchName(%q) = %+v, %v; want %+v, %v", name, got, gotOK, want, ok)
		}
		if ok && got.String() != name {
			t.Errorf("ParsePatchName(%q).String() = %q", name, got.String())
		}
	}
	bad := func(name string) { t.Helper(); check(name, PatchName{}, false) }

	check("foo-1.4-CVE-2026-1234-r2.patch", PatchName{"foo-1.4-CVE-2026-1234", 2, ".patch"}, true)
	check("foo-1.4-CVE-2026-1234.patch", PatchName{"foo-1.4-CVE-2026-1234", 0, ".patch"}, true)
	check("foo-r1.diff", PatchName{"foo", 1, ".diff"}, true)
	check("foo.patch", PatchName{"foo", 0, ".patch"}, true)
	check("foo.diff.patch", PatchName{"foo.diff", 0, ".patch"}, true)
	check("foo_1.4+dfsg-SEC-7-r12.patch", PatchName{"foo_1.4+dfsg-SEC-7", 12, ".patch"}, true)
	check("foo-r999999.patch", PatchName{"foo", 999999, ".patch"}, true)
	check("foo-r5-r2.patch", PatchName{"foo-r5", 2, ".patch"}, true)

	// A malformed revision stays in the base.
	check("foo-r0.patch", PatchName{"foo-r0", 0, ".patch"}, true)
	check("foo-r02.patch", PatchName{"foo-r02", 0, ".patch"}, true)
	check("foo-r1000000.patch", PatchName{"foo-r1000000", 0, ".patch"}, true)
	check("foo-r.patch", PatchName{"foo-r", 0, ".patch"}, true)
	check("foo-r2a.patch", PatchName{"foo-r2a", 0, ".patch"}, true)
	check("foo-R2.patch", PatchName{"foo-R2", 0, ".patch"}, true)
	check("foo-r+2.patch", PatchName{"foo-r+2", 0, ".patch"}, true)
	check("foo-r-2.patch", PatchName{"foo-r-2", 0, ".patch"}, true)

	// Not the convention.
	bad("")
	bad(".patch")
	bad("-r2.patch")
	bad("-foo.patch")
	bad("foo")
	bad("foo.txt")
	bad("foo.PATCH")
	bad("foo.patch.txt")
	bad("foo.patch ")
	bad("foo bar.patch")
	bad("../foo.patch")
	bad("dir/foo.patch")
	bad(`dir\foo.patch`)
	bad("foo..patch")
	bad(".foo.patch")
	bad("foo\x00.patch")
	bad("föo.patch")
	bad("foo;rm.patch")
	bad(strings.Repeat("a", 195) + ".patch")
	check(strings.Repeat("a", 194)+".patch", PatchName{strings.Repeat("a", 194), 0, ".patch"}, true)
}

func TestPatchNameString(t *testing.T) {
	check := func(p PatchName, want string) {
		t.Helper()
		if got := p.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", p, got, want)
		}
	}
	check(PatchName{"foo-1.4-CVE-2026-1234", 2, ".patch"}, "foo-1.4-CVE-2026-1234-r2.patch")
	check(PatchName{"foo", 0, ".diff"}, "foo.diff")
	check(PatchName{"foo", -1, ".diff"}, "foo.diff")
}

func TestSuggestName(t *testing.T) {
	check := func(project, branch, id string, rev int, want string) {
		t.Helper()
		got := SuggestName(project, branch, id, rev)
		if got != want {
			t.Errorf("SuggestName(%q, %q, %q, %d) = %q, want %q", project, branch, id, rev, got, want)
		}
		p, ok := ParsePatchName(got)
		if !ok {
			t.Errorf("SuggestName(%q, %q, %q, %d) = %q does not parse", project, branch, id, rev, got)
		}
		if rev > 0 && p.Rev != min(rev, MaxRev) {
			t.Errorf("SuggestName(...) = %q parses to revision %d, want %d", got, p.Rev, rev)
		}
	}
	check("frob", "1.4", "CVE-2026-1234", 1, "frob-1.4-CVE-2026-1234-r1.patch")
	check("Frob", "1.4", "cve-2026-1234", 3, "frob-1.4-CVE-2026-1234-r3.patch")
	check("frob", "", "CVE-2026-12345", 1, "frob-CVE-2026-12345-r1.patch")
	check("frob", "1.4", "SEC-42", 2, "frob-1.4-SEC-42-r2.patch")
	check("frob", "1.4", "", 1, "frob-1.4-r1.patch")
	check("frob", "1.4", "CVE-2026-1234", 0, "frob-1.4-CVE-2026-1234.patch")
	check("frob", "1.4", "CVE-2026-1234", -4, "frob-1.4-CVE-2026-1234.patch")
	check("frob", "1.4", "CVE-2026-1234", 10_000_000, "frob-1.4-CVE-2026-1234-r999999.patch")
	check("Frob Lib!", "stable/1.4", " CVE-2026-1 ", 1, "frob-lib-stable-1.4-CVE-2026-1-r1.patch")
	check("../../etc/passwd", "..", "a/../b", 1, "etc-passwd-a-.-b-r1.patch")
	check("", "", "", 0, "patch.patch")
	check("über", "1.x", "Fall 7", 1, "ber-1.x-Fall-7-r1.patch")
	check(".hidden-", "-1.4-", "--x--", 1, "hidden-1.4-x-r1.patch")
	check("a..b...c", "1..4", "", 1, "a.b.c-1.4-r1.patch")
	long := strings.Repeat("x", 300)
	got := SuggestName(long, long, long, MaxRev)
	if p, ok := ParsePatchName(got); !ok || p.Rev != MaxRev {
		t.Errorf("SuggestName of long parts = %q (%d bytes) does not parse", got, len(got))
	}
}

func TestSafeFileName(t *testing.T) {
	check := func(name string, want bool) {
		t.Helper()
		if got := SafeFileName(name); got != want {
			t.Errorf("SafeFileName(%q) = %v, want %v", name, got, want)
		}
	}
	check("foo-1.4-CVE-2026-1234-r2.patch", true)
	check("report with spaces.txt", true)
	check("résumé.pdf", true)
	check(strings.Repeat("a", 200), true)
	check(strings.Repeat("a", 201), false)
	check("", false)
	check(".", false)
	check("..", false)
	check(".bashrc", false)
	check("a..b", false)
	check("a/b", false)
	check(`a\b`, false)
	check("/etc/passwd", false)
	check("a\x00b", false)
	check("a\nb", false)
	check("a\x7fb", false)
	check("a\u0085b", false)          // C1 next line
	check("evil\u202Etxt.exe", false) // right-to-left override
	check("a\u200Bb", false)          // zero-width space
	check("a\xffb", false)            // invalid UTF-8
}

func TestBranchOf(t *testing.T) {
	branches := []string{"1.4", "1.4.2", "2.0", "stable", "stable-2", "", "r2"}
	check := func(name, want string) {
		t.Helper()
		if got := BranchOf(name, branches); got != want {
			t.Errorf("BranchOf(%q) = %q, want %q", name, got, want)
		}
	}
	check("foo-1.4-CVE-2026-1234-r2.patch", "1.4")
	check("foo-1.4.2-CVE-2026-1234-r2.patch", "1.4.2")
	check("foo-1.4.patch", "1.4")
	check("foo-1.4.diff", "1.4")
	check("1.4-foo.patch", "1.4")
	check("foo-2.0-1.4.patch", "1.4") // a tie: the first listed
	check("foo-stable-2-SEC-1.patch", "stable-2")
	check("foo-stable-SEC-1.patch", "stable")
	check("foo-1.41-CVE-2026-1234.patch", "")
	check("foo-11.4.patch", "")
	check("foo-1.4x.patch", "")
	check("foo.patch", "")
	check("", "")
	check("foo-r2.patch", "r2")
	if got := BranchOf("foo-1.4.patch", nil); got != "" {
		t.Errorf("BranchOf without branches = %q", got)
	}
}

// TestSafeChars: the ends of each safe range are safe, and the bytes
// just outside them are not.
func TestSafeChars(t *testing.T) {
	if !safeChars("azAZ09._+-") {
		t.Errorf("safeChars refuses a safe byte of %q", "azAZ09._+-")
	}
	for _, c := range "`{@[/: \x00\x7f\xff" {
		if s := string([]byte{byte(c)}); safeChars(s) {
			t.Errorf("safeChars(%q) = true", s)
		}
	}
}

// TestSplitRev: a revision comes off only when a name remains before it.
func TestSplitRev(t *testing.T) {
	for _, tc := range []struct {
		in   string
		base string
		rev  int
	}{{"fix-r2", "fix", 2}, {"-r2", "-r2", 0}, {"a-r0", "a-r0", 0}, {"a-r", "a-r", 0}, {"a-r02", "a-r02", 0}} {
		if base, rev := splitRev(tc.in); base != tc.base || rev != tc.rev {
			t.Errorf("splitRev(%q) = %q, %d; want %q, %d", tc.in, base, rev, tc.base, tc.rev)
		}
	}
}

// TestSanitizeLength: a part is cut to n bytes of kept characters; the
// run of unsafe ones it begins with does not take one of them.
func TestSanitizeLength(t *testing.T) {
	want := strings.Repeat("a", 64)
	for _, in := range []string{strings.Repeat("a", 70), "!" + strings.Repeat("a", 70), "--" + strings.Repeat("a", 64)} {
		if got := sanitize(in, 64); got != want {
			t.Errorf("sanitize(%q, 64) = %q (%d bytes), want 64 a's", in, got, len(got))
		}
	}
}
