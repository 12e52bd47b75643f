package export

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/export/exporttest"
	"github.com/secbot/secbot/mailbot/versions"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var (
	crd       = time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	published = crd.Add(3 * time.Minute)
)

func list(t *testing.T, s string) versions.List {
	t.Helper()
	if s == "" {
		return nil
	}
	l, err := versions.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func settings(semver bool) Settings {
	cfg := &config.Config{Robot: config.Robot{ProjectName: "Frob", ProjectURL: "https://frob.example/"},
		Export:  config.Export{CVEOrgID: config.PlaceholderOrgID, OSVPrefix: "x_", VersionScheme: "ecosystem", PublisherCategory: "vendor", OSVEcosystem: "Go", OSVPackage: "frob.example/frob"},
		Publish: config.Publish{URL: "https://frob.example/security/"}}
	if semver {
		cfg.Export.VersionScheme = "semver"
	}
	return SettingsOf(cfg)
}

// testCases is the table every export must turn into valid documents.
// The views are built by hand: a case holds one vulnerability in the
// store today, but the exports already iterate several.
func testCases(t *testing.T) map[string]Case {
	adv := func(id string, v ...Vuln) Case {
		a := &advisory.Advisory{Case: id, Project: "Frob", ProjectURL: "https://frob.example/", CRD: advisory.Date{Time: crd},
			Patches: advisory.Patches{{Name: "0001-fix-overflow.patch", SHA256: "ab12"}}}
		return Case{Advisory: a, Vulns: v}
	}
	demo := Vuln{N: 1, Title: "Heap overflow in frobnicate()", Impact: "A remote attacker can run code.",
		Mitigation: "Only builds with names enabled are affected.", Workaround: "Set names=off.",
		Type: advisory.Type{CWE: "CWE-122", Text: "Heap-based buffer overflow"}, Severity: advisory.Severity{Level: "high", CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
		CVE: "CVE-2026-12345", Affected: list(t, ">=1.0 <1.4.2"), NotAffected: list(t, "<1.0"), Branches: advisory.Branches{{Name: "1.4", Fixed: "1.4.2"}},
		Credits: advisory.Credits{{Name: "Rita Reporter", Address: "rita@example.net", Kind: "finder"}}}
	var kinds advisory.Credits
	for _, k := range []string{"finder", "reporter", "analyst", "coordinator", "remediation-developer", "remediation-reviewer", "remediation-verifier", "tool", "sponsor", "other"} {
		kinds = append(kinds, advisory.Credit{Name: "Person " + k, Kind: k})
	}
	second := Vuln{N: 2, Title: "Use after free in unfrob()", Impact: "Crash.", Type: advisory.Type{CWE: "CWE-416", Text: "Use after free"},
		Severity: advisory.Severity{Level: "medium", CVSS: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:H/SC:N/SI:N/SA:N"},
		CVE:      "CVE-2026-12346", Affected: list(t, "2.0.0..2.0.3"), Branches: advisory.Branches{{Name: "2.0", Fixed: "2.0.4"}}}
	return map[string]Case{
		"demo":          adv("SEC-2026-0001", demo),
		"several":       adv("SEC-2026-0002", demo, second),
		"no-cve":        adv("SEC-2026-0003", Vuln{N: 1, Title: "Leak", Type: advisory.Type{Text: "Information exposure"}, Affected: list(t, "1.2.3")}),
		"only-below":    adv("SEC-2026-0004", Vuln{N: 1, Title: "Old bug", CVE: "CVE-2026-0004", Affected: list(t, "<1.4.2")}),
		"disjoint":      adv("SEC-2026-0005", Vuln{N: 1, Title: "Two ranges", Affected: list(t, ">=1.0 <1.4.2, 2.0.0..2.0.3"), Branches: advisory.Branches{{Name: "1.4", Fixed: "1.4.2"}, {Name: "2.0", Fixed: "2.0.4"}}}),
		"unchecked":     adv("SEC-2026-0006", Vuln{N: 1, Title: "Maybe old", Affected: list(t, ">=2.0"), Unchecked: list(t, "<2.0"), NotAffected: list(t, "3.0")}),
		"cvss4":         adv("SEC-2026-0007", second),
		"credit-kinds":  adv("SEC-2026-0008", Vuln{N: 1, Title: "Credits", Affected: list(t, "1.0"), Credits: kinds}),
		"exclusive-low": adv("SEC-2026-0009", Vuln{N: 1, Title: "After", Affected: list(t, ">1.0 <=1.3, 1.5")}),
		"empty":         adv("SEC-2026-0010", Vuln{N: 1}),
	}
}

// TestExportsValidate: every export of every case of the table passes
// its official schema, and equals its golden file.
func TestExportsValidate(t *testing.T) {
	val, err := exporttest.New()
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range testCases(t) {
		for _, semver := range []bool{false, true} {
			files, err := All(c, settings(semver), Options{Modified: published})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(files) != 2*len(c.Vulns)+1 {
				t.Errorf("%s: %d files, want %d", name, len(files), 2*len(c.Vulns)+1)
			}
			for _, f := range files {
				if err := val.Validate(f.Format, f.Data); err != nil {
					t.Errorf("%s (semver %v) %s: %v", name, semver, f.Path, err)
				}
				if !semver {
					golden(t, filepath.Join("testdata", "golden", name, f.Path), f.Data)
				}
			}
		}
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n%s", path, got)
	}
}

// TestValidatorRejects: the validator is not a rubber stamp.
func TestValidatorRejects(t *testing.T) {
	val, err := exporttest.New()
	if err != nil {
		t.Fatal(err)
	}
	for format, doc := range map[string]string{
		"cve":  `{"providerMetadata":{"orgId":"nope"},"descriptions":[],"affected":[],"references":[]}`,
		"osv":  `{"id":"SEC-2026-0001","modified":"2026-12-01T14:00:00Z"}`,
		"csaf": `{"document":{"category":"csaf_security_advisory"}}`,
	} {
		if err := val.Validate(format, []byte(doc)); err == nil {
			t.Errorf("%s: invalid document accepted", format)
		}
	}
}

// TestBadVectorRefused: a vector go-cvss refuses is an error, never a
// severity left out.
func TestBadVectorRefused(t *testing.T) {
	c := testCases(t)["demo"]
	c.Vulns[0].Severity.CVSS = "CVSS:3.1/AV:N"
	for _, f := range Formats {
		if _, err := Files(c, f, settings(false), Options{Modified: published}); err == nil {
			t.Errorf("%s: bad vector exported", f)
		}
	}
}

func TestScoreOf(t *testing.T) {
	check := func(vector string, score float64, sev string) {
		t.Helper()
		s, err := ScoreOf(vector)
		if err != nil || s.Base != score || s.Severity != sev {
			t.Errorf("%s: %v %v %v, want %v %v", vector, s.Base, s.Severity, err, score, sev)
		}
	}
	check("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "CRITICAL")
	check("CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.8, "LOW")
	check("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, "CRITICAL")
}
