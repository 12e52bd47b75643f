package pgpmime

import "testing"

func TestInlineTextKeepsOnlyASCIISupersetCharsets(t *testing.T) {
	for charset, want := range map[string]bool{
		"utf-8": true, "US-ASCII": true, "iso-8859-15": true, "windows-1252": true,
		"utf-16": false, "ibm037": false, "": false, "x-unknown": false,
	} {
		if got := asciiSuperset(charset); got != want {
			t.Errorf("asciiSuperset(%q) = %v, want %v", charset, got, want)
		}
	}
	for charset, want := range map[string]string{
		"utf-16":      "text/plain; charset=utf-8", // an unsigned UTF-16 label is not kept
		"":            "text/plain; charset=utf-8",
		"iso-8859-15": "text/plain; charset=iso-8859-15",
		"US-ASCII":    "text/plain; charset=US-ASCII",
	} {
		e, err := parseEntity(textEntity([]byte("title x"), charset))
		if err != nil {
			t.Fatal(err)
		}
		if got := e.header.Get("Content-Type"); got != want {
			t.Errorf("charset %q: Content-Type %q, want %q", charset, got, want)
		}
	}
}

// TestLineStartIndex: inline PGP starts only at the start of a line; a
// quoted armor line in a reply is not ours to open.
func TestLineStartIndex(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int
	}{
		{beginMessage + "\r\n", 0},
		{"\n" + beginMessage, 1},
		{"hi\r\n" + beginMessage, 4},
		{"> " + beginMessage + "\r\n", -1},
		{"> " + beginMessage + "\r\nok\n" + beginMessage, 2 + len(beginMessage) + 5},
		{"-----BEGIN PGP MESSAGE----", -1},
		{"", -1},
	} {
		if got := lineStartIndex([]byte(tc.text), beginMessage); got != tc.want {
			t.Errorf("lineStartIndex(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
}
