package mailbot

import (
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/versions"
	"github.com/secbot/secbot/store"
)

// TestSummaryUsesAdvisoryForms: the case summary of transcripts and the
// status command shows each advisory field in the form the advisory and
// the CVE request show it (advisory package), not a form of its own.
func TestSummaryUsesAdvisoryForms(t *testing.T) {
	c := &store.Case{ID: "SEC-2026-0001", State: store.StateAccepted, Reporters: []string{"rita@reporter.example"},
		Fields: store.Fields{CRD: time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC),
			Credits: []store.Credit{{Name: "Bob", Kind: "remediation-developer"}}},
		Vulns: []store.Vuln{{N: 1, Affected: versions.List{{Introduced: "1.0", Fixed: "1.4.3"}}, Type: "heap buffer overflow", CWE: "CWE-122",
			Severity: "high", CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			Branches: []store.Branch{{Name: "1.4", Fixed: "1.4.3"}}}}}
	s := caseSummary(c, advisory.Build(c, advisory.Project{}, nil))
	for _, want := range []string{
		"Affected:       >=1.0 <1.4.3\n",
		"Type:           CWE-122 heap buffer overflow\n",
		"Severity:       high (base score 9.8, CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H)\n",
		"CRD:            Tue 2026-12-01 14:00 UTC\n",
		"Credits:        Bob (remediation developer)\n",
		"Branches:       1.4 fixed in 1.4.3\n",
		"Not checked:    (missing)\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}
