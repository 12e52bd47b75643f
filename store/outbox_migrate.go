package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// migrateOutboxRecipients (schema 4 → 5) gives every outbox entry's spec
// its recipient as one typed value, "for" (mailbot/outmail.Recipient),
// in place of the flags schema 3 spread over the spec: "encrypt_fp" (the
// pinned key), "recipient" (a reporter), "downstream" (a contact id),
// "cna", "public", and the "maintainer" index of older entries. Sent and
// failed entries are migrated too, so that readers know one layout.
//
// It works on the JSON fields, not on a Go type, so that it keeps reading
// the schema 3 layout whatever the spec becomes.
func migrateOutboxRecipients(btx *bolt.Tx) error {
	return rewrite(btx.Bucket(bucketOutbox), func(k, v []byte) ([]byte, error) {
		data, changed, err := migrateOutMailRecord(v)
		if err != nil {
			return nil, fmt.Errorf("outbox %s: %w", k, err)
		}
		if !changed {
			return nil, nil
		}
		return data, nil
	})
}

// v3Spec are the schema 3 spec fields that said whom a mail was for.
type v3Spec struct {
	EncryptFP  string `json:"encrypt_fp"`
	Recipient  string `json:"recipient"`
	Downstream string `json:"downstream"`
	CNA        bool   `json:"cna"`
	Public     bool   `json:"public"`
}

// v3Fields are the spec keys schema 4 no longer has.
var v3Fields = []string{"encrypt_fp", "recipient", "downstream", "cna", "public", "maintainer"}

// v3ReporterKinds are the schema 3 kinds that went to reporters; any
// other kind without a flag went to a maintainer.
var v3ReporterKinds = map[string]bool{"ack": true, "reply": true, "key-confirm": true, "crd-notice": true, "embargo-over": true}

// migrateOutMailRecord rewrites one outbox record's spec, and says
// whether anything changed (a record that has "for" already has not).
func migrateOutMailRecord(v []byte) ([]byte, bool, error) {
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, false, err
	}
	var kind string
	var to []string
	if err := json.Unmarshal(rec["kind"], &kind); err != nil {
		return nil, false, fmt.Errorf("kind: %w", err)
	}
	if raw, ok := rec["to"]; ok {
		if err := json.Unmarshal(raw, &to); err != nil {
			return nil, false, fmt.Errorf("to: %w", err)
		}
	}
	var spec map[string]json.RawMessage
	if raw, ok := rec["spec"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &spec); err != nil {
			return nil, false, fmt.Errorf("spec: %w", err)
		}
	}
	if spec == nil {
		spec = map[string]json.RawMessage{}
	}
	if _, ok := spec["for"]; ok {
		return nil, false, nil
	}
	var old v3Spec
	raw, _ := json.Marshal(spec)
	if err := json.Unmarshal(raw, &old); err != nil {
		return nil, false, fmt.Errorf("spec: %w", err)
	}
	forRaw, err := json.Marshal(v3Recipient(kind, to, old))
	if err != nil {
		return nil, false, err
	}
	for _, f := range v3Fields {
		delete(spec, f)
	}
	spec["for"] = forRaw
	if rec["spec"], err = json.Marshal(spec); err != nil {
		return nil, false, err
	}
	data, err := json.Marshal(rec)
	return data, err == nil, err
}

// v3Recipient is the typed recipient a schema 3 spec meant, by the rules
// schema 3's renderer applied: the flags first, then a pinned key alone
// meant a maintainer, and no key a reporter (for the reporter kinds) or a
// maintainer without a key (refused when sent, as it was before).
func v3Recipient(kind string, to []string, s v3Spec) map[string]string {
	r := map[string]string{}
	set := func(class, addr, id, fp string) map[string]string {
		for k, v := range map[string]string{"class": class, "address": addr, "id": id, "fp": fp} {
			if v != "" {
				r[k] = v
			}
		}
		return r
	}
	switch {
	case s.Public:
		return set("public", "", "", "")
	case s.CNA:
		return set("cna", "", "", s.EncryptFP)
	case s.Downstream != "":
		return set("downstream", "", s.Downstream, s.EncryptFP)
	case s.Recipient != "":
		return set("reporter", s.Recipient, "", s.EncryptFP)
	case s.EncryptFP != "":
		return set("maintainer", "", "", s.EncryptFP)
	case v3ReporterKinds[kind] && len(to) == 1:
		return set("reporter", to[0], "", "")
	case v3ReporterKinds[kind]:
		return set("reporter", "", "", "")
	}
	return set("maintainer", "", "", "")
}
