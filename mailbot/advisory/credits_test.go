package advisory

import (
	"strings"
	"testing"

	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// TestDeclinedCreditIsNeverNamed: a credit whose person declined is not
// named, nor its address shown, in the draft, the final advisory (which
// the announcement is) or the CVE request; the draft says one was
// withheld and shows the others' consent; the final text shows no consent
// marks.
func TestDeclinedCreditIsNeverNamed(t *testing.T) {
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	c, patches := sampleCase()
	c.Fields.Credits = []store.Credit{
		{Name: "Secret Sam", Address: "sam@hidden.example", Kind: "finder", Status: store.CreditDeclined},
		{Name: "Rita Reporter", Address: "rita@reporter.example", Kind: "finder", Status: store.CreditPending},
		{Name: "Bob", Kind: "remediation-developer", Status: store.CreditConfirmed},
	}
	a := Build(c, Project{Name: "Frob", URL: "https://frob.example/"}, patches)
	texts := map[string]string{}
	for _, draft := range []bool{true, false} {
		subj, body, err := a.Render(tmpl, draft)
		if err != nil {
			t.Fatal(err)
		}
		texts[map[bool]string{true: "draft", false: "final"}[draft]] = subj + "\n" + string(body)
	}
	subj, body, err := tmpl.Render(templates.CVERequest, CVERequest{Advisory: a, Robot: "x"})
	if err != nil {
		t.Fatal(err)
	}
	texts["cve request"] = subj + "\n" + string(body)
	for name, text := range texts {
		for _, secret := range []string{"Secret Sam", "Sam", "sam@hidden.example"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s names the declined credit (%q)", name, secret)
			}
		}
		if !strings.Contains(text, "Rita Reporter (finder)") {
			t.Errorf("%s lacks the pending credit", name)
		}
	}
	for _, want := range []string{"Rita Reporter (finder) [pending]", "Bob (remediation developer) [confirmed]", "(1 declined: not named)"} {
		if !strings.Contains(texts["draft"], want) {
			t.Errorf("draft lacks %q:\n%s", want, texts["draft"])
		}
	}
	if strings.Contains(texts["final"], "[pending]") || strings.Contains(texts["final"], "declined") {
		t.Errorf("the final advisory shows consent marks:\n%s", texts["final"])
	}
	if got := a.Credits.Pending(); len(got) != 1 || got[0].Name != "Rita Reporter" {
		t.Errorf("pending %v", got)
	}
}
