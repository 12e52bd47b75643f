package mailbot_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/store"
)

// TestVulnCommands: the rules of "vuln N", "vuln add" and "vuln drop N",
// one command mail per row on one case, each with what its transcript
// must say and the vulnerabilities the case then holds (by number and
// title).
func TestVulnCommands(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	mails := 1
	for _, tc := range []struct {
		name  string
		body  string
		wants []string
		vulns string // "N:title, ..."
	}{
		{"one vulnerability needs no selection", "title First\n",
			[]string{"ok: title = \"First\""}, "1:First"},
		{"add selects the new one", "vuln add\ntitle Second\ncredit Bob as remediation-developer\n",
			[]string{"ok: vulnerability 2 added", "ok: vulnerability 2: title = \"Second\"", "ok: vulnerability 2: credit Bob as remediation-developer",
				"Vulnerability 2:\nTitle:          Second\n", "Credits:        Bob (remediation developer)"}, "1:First, 2:Second"},
		{"several: a field line needs a selection", "title Which?\ncrd clear\n",
			[]string{"error: the case holds 2 vulnerabilities (1, 2): select the one this line sets with \"vuln N\" above it", "ok: crd cleared"}, "1:First, 2:Second"},
		{"select", "vuln 1\ntitle First, renamed\n",
			[]string{"ok: vulnerability 1 selected (\"First\")", "ok: vulnerability 1: title = \"First, renamed\""}, "1:First, renamed, 2:Second"},
		{"a failed selection stops the field lines after it", "vuln 1\nvuln 7\ntitle Lost\n",
			[]string{"error: no vulnerability 7 (the case holds 1, 2)", "error: not run: the vuln line above failed"}, "1:First, renamed, 2:Second"},
		{"so does one that does not parse", "vuln 2\nvuln seven\ntitle Lost\n",
			[]string{"bad vulnerability number", "error: not run: the vuln line above failed"}, "1:First, renamed, 2:Second"},
		{"drop is all-or-nothing", "vuln drop 2\nfrobnicate\n",
			[]string{"Nothing was run", "dropped vulnerability", "not run (valid): vulnerability 2 dropped"}, "1:First, renamed, 2:Second"},
		{"the severity is checked against the score", "vuln 2\nseverity low CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n",
			[]string{"ok: vulnerability 2: severity = \"low\", CVSS base score 9.8 (warning: the level is low, but the CVSS base score 9.8 is critical)",
				"Severity:       low (base score 9.8, CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H)"}, "1:First, renamed, 2:Second"},
		{"a CVE id is one vulnerability's", "vuln 1\ncve CVE-2026-1111\nvuln 2\ncve CVE-2026-1111\n",
			[]string{"ok: vulnerability 1: cve = \"CVE-2026-1111\"", "error: vulnerability 1 already has CVE-2026-1111"}, "1:First, renamed, 2:Second"},
		{"drop", "vuln drop 1\n",
			[]string{"ok: vulnerability 1 dropped (\"First, renamed\") (warning: its id CVE-2026-1111 is in no advisory now"}, "2:Second"},
		{"one left: no selection needed", "title Second, alone\n",
			[]string{"ok: title = \"Second, alone\""}, "2:Second, alone"},
		{"and it cannot go", "vuln drop 2\n",
			[]string{"error: vulnerability 2 is the case's only one"}, "2:Second, alone"},
		{"numbers are never reused", "vuln add\ntitle Third\n",
			[]string{"ok: vulnerability 3 added"}, "2:Second, alone, 3:Third"},
	} {
		e.command(relayID, tc.body)
		tr := strings.ReplaceAll(e.nextTranscript(&mails), "\r\n", "\n")
		for _, want := range tc.wants {
			if !strings.Contains(tr, want) {
				t.Errorf("%s: transcript lacks %q:\n%s", tc.name, want, tr)
			}
		}
		if got := vulnList(e.caseByID("SEC-2026-0001")); got != tc.vulns {
			t.Errorf("%s: vulnerabilities %q, want %q", tc.name, got, tc.vulns)
		}
	}
	c := e.caseByID("SEC-2026-0001")
	if c.VulnSeq != 3 || len(c.Vulns[0].Credits) != 1 || len(c.Fields.Credits) != 0 {
		t.Errorf("seq %d, credits %+v / %+v", c.VulnSeq, c.Vulns[0].Credits, c.Fields.Credits)
	}
}

func vulnList(c *store.Case) string {
	var out []string
	for _, v := range c.Vulns {
		out = append(out, fmt.Sprintf("%d:%s", v.N, v.Title))
	}
	return strings.Join(out, ", ")
}

// TestTwoVulnerabilitiesFromReportToPublication: a report that holds two
// flaws goes through to the announcement with two CVE ids. The CNA is
// asked for both in one request that describes each; the downstream
// draft, and the announcement, list both with their own fields.
func TestTwoVulnerabilitiesFromReportToPublication(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	mails := 1
	body, _ := fieldsBody(e, 7)
	body += "vuln add\ntitle Use after free in unfrob()\naffected >=1.3 <1.4.3\ntype CWE-416 use after free\n" +
		"severity CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N\nbranch 1.4 1.4.3\n" +
		"impact <<END\nSECRET-IMPACT-2: a remote attacker can read memory.\nEND\n"
	e.command(relayID, body+"cve request\nnotify distros acme\npatch\nsend\nthanks\n",
		demo.Attachment{Name: "0001-fix-frobnicate.patch", Data: []byte(patchText)})
	tr := e.nextTranscript(&mails)
	for _, want := range []string{"0 error(s)", "2 CVE id(s) requested from " + e.CNA.Address + ", for vulnerability 1, 2",
		"vulnerability 2: severity = \"medium\", CVSS base score 5.9", "pre-notification sent to acme, distros"} {
		if !strings.Contains(tr, want) {
			t.Fatalf("transcript lacks %q:\n%s", want, tr)
		}
	}

	// One request, encrypted, describing each vulnerability.
	cna := e.read(e.CNA, e.waitMail(e.CNA.Address, 1)[0])
	req := allText(t, cna.Message)
	for _, want := range []string{"We request 2 CVE ids", "Vulnerability 1: Heap overflow in frobnicate()", "SECRET-IMPACT:",
		"Vulnerability 2: Use after free in unfrob()", "CWE-416 use after free", "SECRET-IMPACT-2"} {
		if !cna.Encrypted || !strings.Contains(req, want) {
			t.Errorf("CVE request (encrypted=%v) lacks %q:\n%s", cna.Encrypted, want, req)
		}
	}
	// The draft each downstream contact got lists both.
	for id, d := range e.Downstream {
		text := allText(t, e.read(d, e.waitMail(d.Address, 1)[0]).Message)
		for _, want := range []string{"Vulnerability 1: Heap overflow in frobnicate()", "Vulnerability 2: Use after free in unfrob()",
			"Severity:               medium (base score 5.9, CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N)"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: draft lacks %q:\n%s", id, want, text)
			}
		}
	}

	// The CNA answers; the maintainers record an id per vulnerability.
	e.command(relayID, "vuln 1\ncve CVE-2026-1111\nvuln 2\ncve CVE-2026-2222\nthanks\n")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "ok: vulnerability 2: cve = \"CVE-2026-2222\"") || !strings.Contains(tr, "0 error(s)") {
		t.Fatalf("cve ids:\n%s", tr)
	}
	e.command(relayID, "cve request\n")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "every vulnerability of the case has its CVE id") {
		t.Errorf("second request:\n%s", tr)
	}

	e.command(relayID, "publish now\n")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "published now") {
		t.Fatalf("publish:\n%s", tr)
	}
	op := e.read(e.Maintainers[0], e.waitMail(e.Announce, 1)[0])
	text := allText(t, op.Message)
	for _, want := range []string{"security advisory CVE-2026-1111, CVE-2026-2222: Heap overflow in frobnicate(); Use after free in unfrob()",
		"CVE ids:                CVE-2026-1111, CVE-2026-2222",
		"Vulnerability 1: Heap overflow in frobnicate()\nCVE id:                 CVE-2026-1111",
		"Vulnerability 2: Use after free in unfrob()\nCVE id:                 CVE-2026-2222",
		"SECRET-IMPACT:", "SECRET-IMPACT-2", "Versions affected:      >=1.3 <1.4.3", "Rita Reporter (finder)"} {
		if !strings.Contains(strings.ReplaceAll(text, "\r\n", "\n"), want) {
			t.Errorf("announcement lacks %q:\n%s", want, text)
		}
	}
	c := e.caseByID("SEC-2026-0001")
	if c.State != store.StatePublished || len(c.Vulns) != 2 || c.Vulns[0].CVE != "CVE-2026-1111" || c.Vulns[1].CVE != "CVE-2026-2222" {
		t.Errorf("case %s, vulns %+v", c.State, c.Vulns)
	}
}
