package policy

import (
	"regexp"
	"strconv"
	"strings"
)

// Patch file names follow the seed's advice to send patches as attachments
// "with file names that indicate the base name, a patch summary, and a
// revision": BASE[-rN].EXT, for example "foo-1.4-CVE-2026-1234-r2.patch",
// where BASE holds the project, the branch and the CVE or case id.

// MaxRev is the largest revision a name carries: "-r" with more digits, or
// with a leading zero, is part of the base, not a revision.
const MaxRev = 999999

// maxNameLen is the longest file name accepted, in bytes: well under the
// 255 of common file systems, leaving room for a directory or a suffix.
const maxNameLen = 200

// PatchName is a patch file name split after the convention.
type PatchName struct {
	Base string // "foo-1.4-CVE-2026-1234": project, branch and CVE or case id
	Rev  int    // 2 for "-r2"; 0 when the name carries none
	Ext  string // ".patch" or ".diff"
}

// patchExts are the extensions the convention knows, in lower case only, so
// that a name has exactly one spelling.
var patchExts = []string{".patch", ".diff"}

// ParsePatchName splits a file name after the convention. ok is false when
// the name is not a safe plain file name (SafeFileName), uses characters
// other than ASCII letters, digits and "._+-", starts with "-", has an empty
// base, or does not end in ".patch" or ".diff". A trailing "-rN" with N from
// 1 to MaxRev, without a leading zero, is the revision; anything else stays
// in the base. String gives back exactly the name parsed.
func ParsePatchName(name string) (PatchName, bool) {
	if !SafeFileName(name) || !safeChars(name) || strings.HasPrefix(name, "-") {
		return PatchName{}, false
	}
	var p PatchName
	for _, ext := range patchExts {
		if strings.HasSuffix(name, ext) {
			p.Ext = ext
			break
		}
	}
	if p.Ext == "" {
		return PatchName{}, false
	}
	p.Base, p.Rev = splitRev(strings.TrimSuffix(name, p.Ext))
	if p.Base == "" {
		return PatchName{}, false
	}
	return p, true
}

// splitRev splits a trailing "-rN" off s. It leaves s whole when the
// revision is malformed or when nothing would remain before it.
func splitRev(s string) (string, int) {
	i := strings.LastIndex(s, "-r")
	if i <= 0 {
		return s, 0
	}
	digits := s[i+2:]
	if digits == "" || digits[0] == '0' || len(digits) > len(strconv.Itoa(MaxRev)) {
		return s, 0
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 || n > MaxRev || strconv.Itoa(n) != digits {
		return s, 0
	}
	return s[:i], n
}

// String writes the name back: Base, then "-rN" when Rev is positive, then
// Ext.
func (p PatchName) String() string {
	if p.Rev > 0 {
		return p.Base + "-r" + strconv.Itoa(p.Rev) + p.Ext
	}
	return p.Base + p.Ext
}

// safeChars reports whether s holds only ASCII letters, digits and "._+-":
// characters that need no quoting in a shell, a URL or a MIME parameter.
func safeChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if !safeByte(s[i]) {
			return false
		}
	}
	return true
}

func safeByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '_' || c == '+' || c == '-'
}

// cveRE matches a CVE id in any case, so that SuggestName writes it in the
// canonical upper case.
var cveRE = regexp.MustCompile(`(?i)^cve-[0-9]{4}-[0-9]{4,}$`)

// SuggestName proposes the conventional file name for a patch:
// project (lower case), branch (may be empty), the CVE id or else the case
// id, and the revision, e.g. "frob-1.4-CVE-2026-1234-r1.patch". Each part is
// reduced to safe characters, runs of other characters becoming one "-";
// an empty project becomes "patch". A rev of 0 or less is left out and one
// over MaxRev is clamped. The result always satisfies ParsePatchName.
func SuggestName(project, branch, cveOrCase string, rev int) string {
	parts := []string{sanitize(strings.ToLower(project), 64)}
	if parts[0] == "" {
		parts[0] = "patch"
	}
	if b := sanitize(branch, 32); b != "" {
		parts = append(parts, b)
	}
	id := strings.TrimSpace(cveOrCase)
	if cveRE.MatchString(id) {
		id = strings.ToUpper(id)
	}
	if id = sanitize(id, 64); id != "" {
		parts = append(parts, id)
	}
	p := PatchName{Base: strings.Join(parts, "-"), Rev: min(max(rev, 0), MaxRev), Ext: ".patch"}
	return p.String()
}

// sanitize keeps the safe characters of s, turns each run of others into
// one "-", drops dots that would form "..", trims "-" and "." from both
// ends, and cuts the result to at most n bytes.
func sanitize(s string, n int) string {
	var b strings.Builder
	dash := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || !safeByte(c):
			dash = true
			continue
		case c == '.' && strings.HasSuffix(b.String(), "."):
			continue
		}
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = false
		b.WriteByte(c)
	}
	out := b.String()
	if len(out) > n {
		out = out[:n]
	}
	return strings.Trim(out, "-.")
}

// SafeFileName reports whether name is a plain file name that can be stored
// or offered for download as it is: not empty, at most 200 bytes, valid
// UTF-8, without "/", "\", "..", a leading ".", control characters or
// invisible format characters (such as the right-to-left override, which
// can disguise an extension).
func SafeFileName(name string) bool {
	if name == "" || len(name) > maxNameLen || name[0] == '.' ||
		strings.ContainsAny(name, `/\`) || strings.Contains(name, "..") {
		return false
	}
	return printable(name)
}

// BranchOf guesses which of branches a patch file name is for: a branch
// that appears in the name (without its extension) as a whole run of
// dash-separated components. The longest match wins, the first listed on a
// tie; "" when none matches.
func BranchOf(name string, branches []string) string {
	for _, ext := range patchExts {
		name = strings.TrimSuffix(name, ext)
	}
	padded := "-" + name + "-"
	best := ""
	for _, b := range branches {
		if b != "" && len(b) > len(best) && strings.Contains(padded, "-"+b+"-") {
			best = b
		}
	}
	return best
}
