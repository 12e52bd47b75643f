package outmail

import (
	"strings"
	"testing"
)

// TestTopic: the subject a mail answers, as secbot's own subject shows it
// after the case tag: without Re:/Fwd: chains, without the case's tag,
// and empty for a placeholder that hides the real subject.
func TestTopic(t *testing.T) {
	check := func(in, want string) {
		t.Helper()
		if got := Topic(in, caseID); got != want {
			t.Errorf("Topic(%q) = %q, want %q", in, got, want)
		}
	}
	check("Heap overflow", "Heap overflow")
	check("Re: [SEC-2026-0001] Heap overflow", "Heap overflow")
	check("RE: Fwd: re:[sec-2026-0001] Re: Heap overflow", "Heap overflow")
	check("Re[2]: AW: WG: Fw: Heap overflow", "Heap overflow")
	check("[SEC-2026-0001] Re: [SEC-2026-0001] Heap overflow", "Heap overflow")
	check("Heap overflow [SEC-2026-0001]", "Heap overflow")
	check("Re: Heap overflow (Re: an older mail)", "Heap overflow (Re: an older mail)")
	check("Re: [SEC-2026-0002] Heap overflow", "[SEC-2026-0002] Heap overflow")
	check("Re:   Heap   overflow  ", "Heap overflow")
	check("Renamed function overflows", "Renamed function overflows")
	check("Processed: Re: [SEC-2026-0001] encrypted message", "Processed: Re: encrypted message")
	for _, placeholder := range []string{"", "Re: [SEC-2026-0001] encrypted message", "...", "Re: …", "Encrypted Message", "[...]", "Re: [SEC-2026-0001]"} {
		check(placeholder, "")
	}
	check(strings.Repeat("Re: ", 100)+"x", "x")
}
