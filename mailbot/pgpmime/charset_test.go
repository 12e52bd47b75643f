package pgpmime

import (
	"strings"
	"testing"
)

func TestInlineTextKeepsOnlyASCIISupersetCharsets(t *testing.T) {
	for charset, want := range map[string]bool{
		"utf-8": true, "US-ASCII": true, "iso-8859-15": true, "windows-1252": true,
		"utf-16": false, "ibm037": false, "": false, "x-unknown": false,
	} {
		if got := asciiSuperset(charset); got != want {
			t.Errorf("asciiSuperset(%q) = %v, want %v", charset, got, want)
		}
	}
	if got := string(textEntity([]byte("title x"), "utf-16")); !strings.Contains(got, "charset=utf-8") {
		t.Errorf("an unsigned UTF-16 label was kept: %q", got)
	}
}
