package templates

import (
	"strings"
	"testing"
)

func TestWrap(t *testing.T) {
	check := func(in, want string) {
		t.Helper()
		if got := Wrap(in, 30); got != want {
			t.Errorf("Wrap(%q)\n got %q\nwant %q", in, got, want)
		}
	}
	check("short line", "short line")
	check("a line of thirty-five characters..", "a line of thirty-five characters..")
	check("Severity:      high (CVSS:3.1/AV:N/AC:L)", "Severity:      high\n               (CVSS:3.1/AV:N/AC:L)")
	check("one two three four five six seven eight", "one two three four five six\nseven eight")
	check("  indented words that run on past the width", "  indented words that run on\n  past the width")
	check("Reason: the key changed and the mail is refused", "Reason: the key changed and\n        the mail is refused")
	check("- a bullet that runs on past the width", "- a bullet that runs on past\n  the width")
	check("see https://example.org/a/very/long/path/to/an/advisory now",
		"see\nhttps://example.org/a/very/long/path/to/an/advisory\nnow")
	check("> 550 5.1.1 <rita@example.org>: Recipient address rejected", "> 550 5.1.1 <rita@example.org>: Recipient address rejected")
	check("a\n\nb", "a\n\nb")
	check("  Download: https://example.org/a/long/path/key.asc", "  Download:\n            https://example.org/a/long/path/key.asc")
	check("\tcurl -X POST https://example.org/ -d 'payload that is long'", "\tcurl -X POST https://example.org/ -d 'payload that is long'")
	long := strings.Repeat("word ", 40)
	for _, l := range strings.Split(Wrap(long, 72), "\n") {
		if len(l) > 72 {
			t.Errorf("line of %d: %q", len(l), l)
		}
	}
}
