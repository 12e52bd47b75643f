package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/versions"
)

// TestSchema5Migrated: the schema 5 fixture (testdata/schema5gen), whose
// cases kept every advisory field in "fields", opens with each case's
// fields split between the case (crd, credits) and its vulnerability 1
// (the rest), nothing lost; an empty case gets an empty vulnerability 1;
// a second open changes nothing.
func TestSchema5Migrated(t *testing.T) {
	data, err := os.ReadFile("testdata/schema5.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "s.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrOlderSchema) {
		t.Fatalf("read-only open of schema 5: %v, want ErrOlderSchema", err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	want := map[string]struct {
		fields Fields
		vuln   Vuln
	}{
		"SEC-2026-0001": {
			Fields{CRD: t0.Add(10 * 24 * time.Hour), Credits: []Credit{
				{Name: "Rita Reporter", Address: "rita@reporter.example", Kind: "finder", Status: CreditConfirmed},
				{Name: "Bob", Kind: "remediation-developer"}}},
			Vuln{N: 1, Title: "Heap overflow in the parser",
				Affected:    versions.List{{Introduced: "1.0", Fixed: "1.4.3"}, {Introduced: "2.0.0", LastAffected: "2.0.0"}},
				NotAffected: versions.List{{Fixed: "1.0"}},
				Unchecked:   versions.List{{Introduced: "0.9.1", LastAffected: "0.9.5"}},
				Type:        "buffer overflow", CWE: "CWE-122", Impact: "remote code execution",
				Severity: "high", CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CVE: "CVE-2026-12345",
				Mitigation: "only the XML front end is exposed", Workaround: "disable XML input",
				Branches:     []Branch{{Name: "1.4", Fixed: "1.4.3"}, {Name: "2.0", Fixed: "2.0.1"}},
				CVERequested: t0.Add(2 * time.Hour)}},
		"SEC-2026-0002": {Fields{}, Vuln{N: 1}},
		"SEC-2026-0003": {Fields{CRD: t0.Add(24 * time.Hour), Credits: []Credit{{Name: "Ann", Kind: "finder", Status: CreditDeclined}}}, Vuln{N: 1}},
	}
	var first []byte
	s.View(func(tx *Tx) error {
		for id, w := range want {
			c, err := tx.Case(id)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.Fields, w.fields) {
				t.Errorf("%s: fields %+v, want %+v", id, c.Fields, w.fields)
			}
			if len(c.Vulns) != 1 || !reflect.DeepEqual(c.Vulns[0], w.vuln) || c.VulnSeq != 1 {
				t.Errorf("%s: vulns %+v (seq %d), want [%+v]", id, c.Vulns, c.VulnSeq, w.vuln)
			}
		}
		c, _ := tx.Case("SEC-2026-0001")
		if c.State != StateAccepted || c.Subject != "Heap overflow in parser" || !c.Embargo.Armed || c.Reporters[0] != "rita@reporter.example" {
			t.Errorf("other fields lost: %+v", c)
		}
		first = bytes.Clone(tx.btx.Bucket(bucketCases).Get([]byte("SEC-2026-0001")))
		return nil
	})
	s.Close()
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.View(func(tx *Tx) error {
		if again := tx.btx.Bucket(bucketCases).Get([]byte("SEC-2026-0001")); !bytes.Equal(again, first) {
			t.Errorf("a second open changed the case:\n%s\n%s", first, again)
		}
		return nil
	})
}
