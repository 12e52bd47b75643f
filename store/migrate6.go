package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// caseFieldKeys are the keys of a schema 5 case's "fields" that stay with
// the case in schema 6; every other key describes its one vulnerability.
var caseFieldKeys = map[string]bool{"crd": true, "credits": true}

// migrateToVulns (schema 5 → 6) gives each case the one vulnerability it
// held: the fields that describe the flaw (title, versions, type, impact,
// severity, CVSS, CVE id and when it was requested, mitigation,
// workaround, branches) move from "fields" into "vulns" as vulnerability
// 1; the CRD and the credits stay in "fields", shared by the case. A case
// without fields gets an empty vulnerability 1: every case holds one.
//
// It works on the JSON fields, not on Case, so that it keeps reading the
// schema 5 layout whatever Case becomes.
func migrateToVulns(btx *bolt.Tx) error {
	return rewrite(btx.Bucket(bucketCases), func(k, v []byte) ([]byte, error) {
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(v, &rec); err != nil {
			return nil, fmt.Errorf("case %s: %w", k, err)
		}
		if _, done := rec["vulns"]; done {
			return nil, nil
		}
		fields := map[string]json.RawMessage{}
		if raw, ok := rec["fields"]; ok && string(raw) != "null" {
			if err := json.Unmarshal(raw, &fields); err != nil {
				return nil, fmt.Errorf("case %s: fields: %w", k, err)
			}
		}
		vuln := map[string]json.RawMessage{"n": json.RawMessage("1")}
		for key, val := range fields {
			if !caseFieldKeys[key] {
				vuln[key] = val
				delete(fields, key)
			}
		}
		var err error
		put := func(key string, x any) {
			if err == nil {
				rec[key], err = json.Marshal(x)
			}
		}
		put("fields", fields)
		put("vulns", []any{vuln})
		put("vuln_seq", 1)
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", k, err)
		}
		return json.Marshal(rec)
	})
}
