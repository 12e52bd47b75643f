package policy

import (
	"unicode"
	"unicode/utf8"
)

// printable reports whether s is valid UTF-8 without control characters
// (C0, DEL, C1) or format characters (Unicode category Cf: bidirectional
// overrides, zero-width characters), which make a file name display as
// something it is not.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}
