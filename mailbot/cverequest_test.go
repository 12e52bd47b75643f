package mailbot_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/emersion/go-message"

	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/export/exporttest"
)

// TestCVERequestCarriesContainer: the CVE request, encrypted to the CNA,
// carries the draft CVE JSON 5 container of the vulnerability, valid
// against the CVE schema.
func TestCVERequestCarriesContainer(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	mails := 1
	body, _ := fieldsBody(e, 7)
	e.command(relayID, body+"cve request\n")
	e.nextTranscript(&mails)
	got := e.waitMail(e.CNA.Address, 1)[0]
	op := e.read(e.CNA, got)
	if !op.Encrypted {
		t.Fatal("the CVE request is not encrypted")
	}
	val, err := exporttest.New()
	if err != nil {
		t.Fatal(err)
	}
	ent, err := message.Read(bytes.NewReader(op.Message))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ent.Walk(func(_ []int, part *message.Entity, _ error) error {
		if mt, _, _ := part.Header.ContentType(); mt == "application/json" {
			n++
			b, _ := io.ReadAll(part.Body)
			if err := val.Validate("cve", b); err != nil {
				t.Errorf("container: %v\n%s", err, b)
			}
			if !strings.Contains(string(b), "SECRET-IMPACT") || !strings.Contains(string(b), `"lessThan": "1.4.3"`) {
				t.Errorf("container lacks the impact or the range:\n%s", b)
			}
		}
		return nil
	})
	if n != 1 {
		t.Errorf("%d containers attached, want 1", n)
	}
}
