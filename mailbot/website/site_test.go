package website

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/command"
	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/export"
	"github.com/secbot/secbot/mailbot/export/exporttest"
	"github.com/secbot/secbot/mailbot/versions"
)

var now = time.Date(2026, 12, 1, 14, 3, 0, 0, time.UTC)

func testSite(t *testing.T) Site {
	cfg := &config.Config{Robot: config.Robot{ProjectName: "Frob", ProjectURL: "https://frob.example/"},
		Export:  config.Export{CVEOrgID: config.PlaceholderOrgID, OSVPrefix: "x_", VersionScheme: "ecosystem", PublisherCategory: "vendor"},
		Publish: config.Publish{URL: "https://frob.example/security/"}}
	return Site{Dir: t.TempDir(), Settings: export.SettingsOf(cfg), Title: "Frob",
		Contact: "security@frob.example", KeyURL: "https://frob.example/security.asc",
		Policy: "https://frob.example/security/policy", Languages: "en", Expires: 180 * 24 * time.Hour}
}

func testPage(t *testing.T, id, title string, published time.Time) Page {
	aff, err := versions.Parse(">=1.0 <1.4.2, 2.0.0..2.0.3")
	if err != nil {
		t.Fatal(err)
	}
	v := advisory.Vulnerability{N: 1, ID: id + "-1", CVE: "CVE-2026-12345",
		Affected: aff, Branches: advisory.Branches{{Name: "1.4", Fixed: "1.4.2"}},
		Type:     advisory.Type{CWE: "CWE-122", Text: "Heap-based buffer overflow"},
		Severity: advisory.Severity{Level: "high", CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
		Credits:  advisory.Credits{{Name: "Rita Reporter", Kind: "finder"}},
		Texts:    map[command.Kind]string{command.KindTitle: title, command.KindImpact: "A remote attacker can run code <script>."}}
	a := &advisory.Advisory{Case: id, Project: "Frob", CRD: advisory.Date{Time: published}, Credits: v.Credits,
		Vulns: []advisory.Vulnerability{v}, Patches: advisory.Patches{{Name: "0001-fix.patch", SHA256: "ab"}}}
	c := export.NewCase(a)
	return Page{Case: c, Subject: "[" + id + "] " + title, Text: []byte("advisory text\n"), Published: published,
		Patches: []Patch{{Name: "0001-fix.patch", Data: []byte("--- a\n+++ b\n")}}}
}

func TestWriteSite(t *testing.T) {
	s := testSite(t)
	pages := []Page{testPage(t, "SEC-2026-0001", "Heap overflow in frobnicate()", now), testPage(t, "SEC-2026-0002", "Newer flaw", now.Add(time.Hour))}
	written, err := s.Write(pages, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SEC-2026-0001/advisory.txt", "SEC-2026-0001/index.html", "SEC-2026-0001/cve/CVE-2026-12345.json",
		"SEC-2026-0001/osv/x_SEC-2026-0001-1.json", "SEC-2026-0001/csaf/sec-2026-0001.json", "SEC-2026-0001/patches/0001-fix.patch",
		"index.html", "feed.atom", "style.css", ".well-known/security.txt"} {
		if !slices.Contains(written, want) {
			t.Errorf("%s not written (wrote %v)", want, written)
		}
	}
	val, err := exporttest.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range written {
		for _, f := range export.Formats {
			if strings.Contains(rel, "/"+f+"/") {
				if err := val.Validate(f, read(t, s, rel)); err != nil {
					t.Errorf("%s: %v", rel, err)
				}
			}
		}
	}
	index := string(read(t, s, "index.html"))
	if i, j := strings.Index(index, "SEC-2026-0002"), strings.Index(index, "SEC-2026-0001"); i < 0 || j < 0 || i > j {
		t.Errorf("index not newest first:\n%s", index)
	}
	if strings.Contains(index, "<script") || strings.Contains(string(read(t, s, "SEC-2026-0001/index.html")), "<script>") {
		t.Error("HTML carries a script element (or unescaped text)")
	}
	sec := string(read(t, s, ".well-known/security.txt"))
	for _, want := range []string{"Contact: mailto:security@frob.example\n", "Expires: 2027-05-30T14:03:00Z\n",
		"Encryption: https://frob.example/security.asc\n", "Policy: https://frob.example/security/policy\n",
		"Canonical: https://frob.example/security/.well-known/security.txt\n"} {
		if !strings.Contains(sec, want) {
			t.Errorf("security.txt lacks %q:\n%s", want, sec)
		}
	}
	// Idempotent: writing again changes nothing, and no temp file stays.
	again, err := s.Write(pages, now)
	if err != nil || len(again) != 0 {
		t.Errorf("second write changed %v (%v)", again, err)
	}
	filepath.WalkDir(s.Dir, func(p string, d os.DirEntry, err error) error {
		if strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("temp file left: %s", p)
		}
		return nil
	})
}

func TestRefusesEscapingPatchName(t *testing.T) {
	s := testSite(t)
	p := testPage(t, "SEC-2026-0001", "x", now)
	p.Patches[0].Name = "../../evil"
	if _, err := s.Write([]Page{p}, now); err == nil {
		t.Fatal("a patch name with .. was written")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(s.Dir), "evil")); err == nil {
		t.Fatal("file written outside the dir")
	}
}

func read(t *testing.T, s Site, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.Dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
