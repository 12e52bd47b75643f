package outmail

import (
	"strings"
	"testing"
)

// TestAttachedMessageTravels8bitOnlyWhenSafe: an attached message goes
// as message/rfc822 in 8bit only when no mail path can break it (RFC
// 2046 section 5.2.1): no NUL, no CR but in a line's CRLF, and no line
// over 998 bytes (counted with its line ending). Anything else is
// base64-encoded as an octet stream.
func TestAttachedMessageTravels8bitOnlyWhenSafe(t *testing.T) {
	line := func(n int) string { return strings.Repeat("x", n-2) + "\r\n" } // n bytes with CRLF
	tests := []struct {
		name string
		data string
		safe bool
	}{
		{"CRLF lines", "Subject: x\r\n\r\nbody\r\n", true},
		{"LF lines", "Subject: x\n\nbody\n", true},
		{"a CRLF line alone", "\r\n", true},
		{"a line of 998 bytes", line(998) + "x\r\n", true},
		{"a line of 999 bytes", line(999) + "x\r\n", false},
		{"a NUL first", "\x00Subject: x\r\n", false},
		{"a NUL inside", "Subject: x\r\n\r\nb\x00dy\r\n", false},
		{"a CR starting a line", "Subject: x\r\n\rbody\r\n", false},
		{"a bare CR inside a line", "Subject: x\r\n\r\nbo\rdy\r\n", false},
		{"a CR before the last byte", "Subject: x\r\n\r\nbody\r", false},
	}
	for _, tc := range tests {
		h := attachmentHeader("m.eml", []byte(tc.data))
		ct, _, err := h.ContentType()
		if err != nil {
			t.Fatal(err)
		}
		cte := h.Get("Content-Transfer-Encoding")
		if got := ct == "message/rfc822" && cte == "8bit"; got != tc.safe {
			t.Errorf("%s: %s, %s; want 8bit message/rfc822 %v", tc.name, ct, cte, tc.safe)
		}
		if !tc.safe && (ct != "application/octet-stream" || cte != "base64") {
			t.Errorf("%s: %s, %s; want a base64 octet stream", tc.name, ct, cte)
		}
	}
}
