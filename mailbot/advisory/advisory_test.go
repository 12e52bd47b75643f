package advisory

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/versions"
	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func sampleCase() (*store.Case, []*store.Patch) {
	c := &store.Case{ID: "SEC-2026-0001", State: store.StateAccepted,
		Fields: store.Fields{CRD: time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC),
			Credits: []store.Credit{{Name: "Rita Reporter", Address: "rita@reporter.example", Kind: "finder"},
				{Name: "Bob", Kind: "remediation-developer"}}},
		Vulns: []store.Vuln{{N: 1, Title: "Heap overflow in frob()",
			Affected:    versions.List{{Introduced: "1.0", Fixed: "1.4.3"}, {Exact: "2.0.0"}},
			NotAffected: versions.List{{Fixed: "1.0"}},
			Type:        "heap buffer overflow", CWE: "CWE-122", Impact: "Remote code execution.",
			Severity: "high", CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			Branches: []store.Branch{{Name: "1.4", Fixed: "1.4.3"}, {Name: "2.0", Fixed: "2.0.1"}}}},
		VulnSeq: 1}
	patches := []*store.Patch{
		{Name: "frob-1.4-r1.patch", SHA256: "aaaa", State: store.PatchSuperseded},
		{Name: "frob-1.4-r2.patch", SHA256: "bbbb", State: store.PatchCurrent},
		{Name: "frob-2.0-r1.patch", SHA256: "cccc", State: store.PatchDropped},
	}
	return c, patches
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file:\n%s", name, got)
	}
}

// TestRenderings: the draft, the final advisory and the CVE request, from
// one Advisory, against golden files.
func TestRenderings(t *testing.T) {
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	c, patches := sampleCase()
	a := Build(c, Project{Name: "Frob", URL: "https://frob.example/", Fallback: "Frob security team"}, patches)
	for _, draft := range []bool{true, false} {
		subj, body, err := a.Render(tmpl, draft)
		if err != nil {
			t.Fatal(err)
		}
		name := "advisory-final.txt"
		if draft {
			name = "advisory-draft.txt"
		}
		golden(t, name, []byte("Subject: "+subj+"\n\n"+string(body)))
	}
	subj, body, err := tmpl.Render(templates.CVERequest, CVERequest{Advisory: a, Robot: "Frob security team"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "cve-request.txt", []byte("Subject: "+subj+"\n\n"+string(body)))
}

// TestOneFormPerField: every field the advisory and the CVE request both
// show reads the same in both.
func TestOneFormPerField(t *testing.T) {
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	c, patches := sampleCase()
	a := Build(c, Project{Name: "Frob", URL: "https://frob.example/"}, patches)
	_, adv, err := a.Render(tmpl, false)
	if err != nil {
		t.Fatal(err)
	}
	_, req, err := tmpl.Render(templates.CVERequest, CVERequest{Advisory: a, Robot: "x"})
	if err != nil {
		t.Fatal(err)
	}
	v := &a.Vulns[0]
	for _, form := range []string{v.Affected.String(), v.NotAffected.String(), v.Type.String(), a.CRD.String(),
		a.Credits[0].String(), a.Credits[1].String()} {
		if !strings.Contains(string(adv), form) || !strings.Contains(string(req), form) {
			t.Errorf("%q is not in both the advisory and the CVE request", form)
		}
	}
	for _, x := range []struct{ got, want string }{
		{v.Affected.String(), ">=1.0 <1.4.3, 2.0.0"},
		{v.Type.String(), "CWE-122 heap buffer overflow"},
		{v.Severity.String(), "high (base score 9.8, CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H)"},
		{a.Credits.String(), "Rita Reporter (finder), Bob (remediation developer)"},
		{v.Branches.String(), "1.4 fixed in 1.4.3, 2.0 fixed in 2.0.1"},
		{a.CRD.String(), "Tue 2026-12-01 14:00 UTC"},
		{(Severity{Level: "low"}).String(), "low"},
		{(Type{CWE: "CWE-79"}).String(), "CWE-79"},
		{(Type{CWE: "CWE-79", Text: "CWE-79: XSS"}).String(), "CWE-79: XSS"},
		{(Date{}).String(), ""},
	} {
		if x.got != x.want {
			t.Errorf("got %q, want %q", x.got, x.want)
		}
	}
}

// TestBuild: only current patches are kept; the project name shown falls
// back to the robot's, while the policy still counts it as missing; a CWE
// id alone leaves the type missing, as before.
func TestBuild(t *testing.T) {
	c, patches := sampleCase()
	c.Vulns[0].Type = ""
	a := Build(c, Project{URL: "https://frob.example/", Fallback: "Frob security team"}, patches)
	if len(a.Patches) != 1 || a.Patches[0].String() != "bbbb  frob-1.4-r2.patch" {
		t.Errorf("patches %+v", a.Patches)
	}
	if a.Project != "Frob security team" {
		t.Errorf("project %q", a.Project)
	}
	if got := a.Missing.String(); got != "project name, type of vulnerability" {
		t.Errorf("missing %q", got)
	}
}

// TestRenderingsSeveral: an advisory of two vulnerabilities, one with
// credits of its own, and the CVE request for the second only, against
// golden files.
func TestRenderingsSeveral(t *testing.T) {
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	c, patches := sampleCase()
	c.Vulns[0].CVE = "CVE-2026-1111"
	c.AddVuln()
	c.Vulns[1] = store.Vuln{N: 2, Title: "Use after free in unfrob()", Affected: versions.List{{Introduced: "1.3", Fixed: "1.4.3"}},
		Type: "use after free", CWE: "CWE-416", Impact: "Memory disclosure.", Severity: "high",
		CVSS:    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
		Credits: []store.Credit{{Name: "Carol", Kind: "finder", Status: store.CreditPending}}}
	a := Build(c, Project{Name: "Frob", URL: "https://frob.example/"}, patches)
	if len(a.Vulns) != 2 || a.Vulns[1].ID != "SEC-2026-0001-2" || !a.Vulns[1].OwnCredits || a.Vulns[0].OwnCredits ||
		a.Vulns[1].Severity.Version != "4.0" || a.Vulns[1].Severity.Band != "high" {
		t.Fatalf("vulns %+v", a.Vulns)
	}
	if got := a.Missing.String(); got != "" {
		t.Errorf("missing %q", got)
	}
	subj, body, err := a.Render(tmpl, true)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "advisory-two-draft.txt", []byte("Subject: "+subj+"\n\n"+string(body)))
	subj, body, err = tmpl.Render(templates.CVERequest, CVERequest{Advisory: a, Numbers: []int{2}, Robot: "Frob security team"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "cve-request-one-of-two.txt", []byte("Subject: "+subj+"\n\n"+string(body)))
	subj, body, err = tmpl.Render(templates.CVERequest, CVERequest{Advisory: a, Robot: "Frob security team"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "cve-request-two.txt", []byte("Subject: "+subj+"\n\n"+string(body)))
}

// TestCaseWithoutVulnerabilities: a stored case always holds one
// vulnerability, but a damaged record may hold none; its advisory still
// shows one, empty, so that every reader (the policy, the exports, the
// summary) has one to read instead of panicking.
func TestCaseWithoutVulnerabilities(t *testing.T) {
	a := Build(&store.Case{ID: "SEC-2026-0009"}, Project{Name: "Frob"}, nil)
	if len(a.Vulns) != 1 || a.Vulns[0].N != 1 || a.Vulns[0].ID != "SEC-2026-0009-1" {
		t.Fatalf("vulnerabilities %+v, want one empty, numbered 1", a.Vulns)
	}
	if pf := a.Policy(); pf.Title != "" {
		t.Errorf("policy of an empty vulnerability has title %q", pf.Title)
	}
}
