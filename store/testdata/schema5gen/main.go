// Command schema5gen wrote store/testdata/schema5.db: a store as secbot
// wrote it at schema 5 (commit 9ab3abc), when a case held exactly one
// vulnerability and kept all of its advisory fields in Case.Fields.
//
// It compiles only against the store of that commit (it lives under
// testdata, which go build ./... skips); it is kept to show how the
// fixture was made:
//
//	git checkout 9ab3abc -- store mailbot/versions && go run ./store/testdata/schema5gen store/testdata/schema5.db
package main

import (
	"log"
	"os"
	"time"

	"github.com/secbot/secbot/mailbot/versions"
	"github.com/secbot/secbot/store"
)

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func main() {
	path := os.Args[1]
	os.Remove(path)
	st, err := store.Open(path, store.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	if err := st.Update(write); err != nil {
		log.Fatal(err)
	}
}

func write(tx *store.Tx) error {
	full := &store.Case{ID: "SEC-2026-0001", State: store.StateAccepted, Subject: "Heap overflow in parser",
		Opened: t0, Updated: t0.Add(time.Hour), Reporters: []string{"rita@reporter.example"},
		Fields: store.Fields{Title: "Heap overflow in the parser",
			Affected:    versions.List{{Introduced: "1.0", Fixed: "1.4.3"}, {Introduced: "2.0.0", LastAffected: "2.0.0"}},
			NotAffected: versions.List{{Fixed: "1.0"}},
			Unchecked:   versions.List{{Introduced: "0.9.1", LastAffected: "0.9.5"}},
			Type:        "buffer overflow", CWE: "CWE-122", Impact: "remote code execution",
			Severity: "high", CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			CVE: "CVE-2026-12345", CRD: t0.Add(10 * 24 * time.Hour),
			Mitigation: "only the XML front end is exposed", Workaround: "disable XML input",
			Credits: []store.Credit{{Name: "Rita Reporter", Address: "rita@reporter.example", Kind: "finder", Status: store.CreditConfirmed},
				{Name: "Bob", Kind: "remediation-developer"}},
			Branches:     []store.Branch{{Name: "1.4", Fixed: "1.4.3"}, {Name: "2.0", Fixed: "2.0.1"}},
			CVERequested: t0.Add(2 * time.Hour)},
		Embargo: store.Embargo{Notify: []string{"distros"}, Armed: true}}
	empty := &store.Case{ID: "SEC-2026-0002", State: store.StateNew, Subject: "no fields", Opened: t0, Updated: t0,
		Reporters: []string{"joe@example.org"}}
	crdOnly := &store.Case{ID: "SEC-2026-0003", State: store.StatePublished, Subject: "crd and credit only", Opened: t0, Updated: t0,
		Fields:  store.Fields{CRD: t0.Add(24 * time.Hour), Credits: []store.Credit{{Name: "Ann", Kind: "finder", Status: store.CreditDeclined}}},
		Embargo: store.Embargo{Published: t0.Add(24 * time.Hour)}}
	for _, c := range []*store.Case{full, empty, crdOnly} {
		if err := tx.PutCase(c); err != nil {
			return err
		}
	}
	return nil
}
