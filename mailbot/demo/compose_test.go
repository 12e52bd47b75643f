package demo

import (
	"bytes"
	"io"
	"strings"
	"testing"

	gomail "github.com/emersion/go-message/mail"
)

// TestComposeKeepsTheWholeBody: a body without a final newline, such as
// a key pasted at the end, arrives whole, with or without attachments.
func TestComposeKeepsTheWholeBody(t *testing.T) {
	body := "My key:\n-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nabc=\n-----END PGP PUBLIC KEY BLOCK-----"
	for _, atts := range [][]Attachment{nil, {{Name: "x.patch", Data: []byte("diff\n")}}} {
		var h gomail.Header
		h.SetSubject("s")
		raw, err := writeBody(h, Mail{Body: body, Attachments: atts})
		if err != nil {
			t.Fatal(err)
		}
		r, err := gomail.CreateReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		p, err := r.NextPart()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(p.Body)
		if strings.TrimRight(strings.ReplaceAll(string(got), "\r\n", "\n"), "\n") != body {
			t.Errorf("with %d attachments: body %q, want %q", len(atts), got, body)
		}
		if atts != nil && !bytes.Contains(raw, []byte("--\r\n")) {
			t.Errorf("no closing boundary:\n%s", raw)
		}
	}
}
