package store

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ProtonMail/gopenpgp/v2/crypto"
	bolt "go.etcd.io/bbolt"
)

// migrations upgrade a store from the version they are keyed by to the
// next one. A version without an entry changed only what readers of that
// time still read as it was (1 → 2); step 3 → 4 migrated that data too,
// so readers now know one layout. Each step runs in a transaction of its
// own, which also records the version it reached, so that an interrupted
// upgrade resumes where it stopped.
var migrations = map[uint64]func(btx *bolt.Tx) error{
	2: migrateReporterKeys,
	3: migrateToSchema4,
	4: migrateOutboxRecipients,
	5: migrateToVulns,
	6: migrateSummaries,
}

// migrate runs every step from version from up to SchemaVersion.
func (s *Store) migrate(from uint64) error {
	for v := from; v < SchemaVersion; v++ {
		err := s.db.Update(func(btx *bolt.Tx) error {
			if step := migrations[v]; step != nil {
				if err := step(btx); err != nil {
					return err
				}
			}
			return btx.Bucket(bucketMeta).Put(keySchema, u64(v+1))
		})
		if err != nil {
			return fmt.Errorf("upgrade store from schema %d to %d: %w", v, v+1, err)
		}
	}
	return nil
}

// migrateReporterKeys (schema 2 → 3) turns each case's "reporter_keys", a
// bare armored key per address, into "keys" with a source. Schema 2 kept
// the first key that any mail "from" the reporter carried, and nothing
// tells whether it came with the opening report or with a forged later
// mail, so every such key becomes KeySourceMigrated: shown, never used,
// until a maintainer confirms it or the reporter confirms it by mail.
//
// It works on the JSON fields, not on Case, so that it keeps reading the
// schema 2 layout whatever Case becomes.
func migrateReporterKeys(btx *bolt.Tx) error {
	return rewrite(btx.Bucket(bucketCases), func(k, v []byte) ([]byte, error) {
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(v, &rec); err != nil {
			return nil, fmt.Errorf("case %s: %w", k, err)
		}
		old, ok := rec["reporter_keys"]
		if !ok {
			return nil, nil
		}
		var armored map[string]string
		if err := json.Unmarshal(old, &armored); err != nil {
			return nil, fmt.Errorf("case %s: reporter_keys: %w", k, err)
		}
		keys := map[string]*ReporterKeys{}
		for addr, a := range armored {
			if a != "" {
				keys[addr] = &ReporterKeys{Current: &ReporterKey{Armored: a, Fingerprint: armoredFingerprint(a), Source: KeySourceMigrated}}
			}
		}
		delete(rec, "reporter_keys")
		if len(keys) > 0 {
			data, err := json.Marshal(keys)
			if err != nil {
				return nil, err
			}
			rec["keys"] = data
		}
		data, err := json.Marshal(rec)
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", k, err)
		}
		return data, nil
	})
}

// armoredFingerprint is the key's fingerprint, or "" when it does not
// parse (the key is then kept for the record only).
func armoredFingerprint(armored string) string {
	k, err := crypto.NewKeyFromArmored(armored)
	if err != nil {
		return ""
	}
	return strings.ToUpper(k.GetFingerprint())
}
