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
