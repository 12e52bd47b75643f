package store

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// schema2Store writes a store as secbot wrote schema 2, holding the case
// records of the frozen fixture testdata/schema2-cases.json.
func schema2Store(t *testing.T) (path, fingerprint string) {
	t.Helper()
	data, err := os.ReadFile("testdata/schema2-cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var fixture struct {
		Fingerprint string            `json:"fingerprint"`
		Cases       []json.RawMessage `json:"cases"`
	}
	if err := json.Unmarshal(data, &fixture); err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "s.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(btx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := btx.CreateBucket(name); err != nil {
				return err
			}
		}
		for _, rec := range fixture.Cases {
			var c struct{ ID string }
			if err := json.Unmarshal(rec, &c); err != nil {
				return err
			}
			if err := btx.Bucket(bucketCases).Put([]byte(c.ID), rec); err != nil {
				return err
			}
		}
		return btx.Bucket(bucketMeta).Put(keySchema, u64(2))
	})
	if err != nil {
		t.Fatal(err)
	}
	return path, strings.ToUpper(fixture.Fingerprint)
}

// TestSchema2ReporterKeysMigrated: a schema 2 reporter key, which may have
// come from a forged mail, is kept with its fingerprint as "migrated" and
// is not used; a case without keys, and a key that does not parse, are
// upgraded too; the old field is gone; a second open changes nothing.
func TestSchema2ReporterKeysMigrated(t *testing.T) {
	path, fp := schema2Store(t)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var first []byte
	s.View(func(tx *Tx) error {
		if v := beU64(tx.btx.Bucket(bucketMeta).Get(keySchema)); v != SchemaVersion {
			t.Errorf("schema after open = %d, want %d", v, SchemaVersion)
		}
		first = bytes.Clone(tx.btx.Bucket(bucketCases).Get([]byte("SEC-2026-0001")))
		check := func(id, addr, wantFP string, wantKey bool) {
			t.Helper()
			c, err := tx.Case(id)
			if err != nil {
				t.Fatal(err)
			}
			if c.UsableKey(addr) != nil {
				t.Errorf("%s: a migrated key is usable", id)
			}
			st := c.Keys[addr]
			if !wantKey {
				if st != nil {
					t.Errorf("%s: keys %+v, want none", id, st)
				}
				return
			}
			if st == nil || st.Current == nil || st.Current.Source != KeySourceMigrated || st.Current.Fingerprint != wantFP ||
				!strings.HasPrefix(st.Current.Armored, "-----BEGIN PGP PUBLIC KEY BLOCK-----") || st.Pending != nil {
				t.Errorf("%s: keys %+v, want a migrated key %s", id, st, wantFP)
			}
		}
		check("SEC-2026-0001", "rita@reporter.example", fp, true)
		check("SEC-2026-0002", "joe@example.org", "", false)
		check("SEC-2026-0003", "eve@example.org", "", true)
		c, _ := tx.Case("SEC-2026-0001")
		if c.Vulns[0].Title != "Heap overflow" || len(c.Messages) != 2 || c.State != StateAccepted {
			t.Errorf("other fields lost: %+v", c)
		}
		for _, id := range []string{"SEC-2026-0001", "SEC-2026-0002", "SEC-2026-0003"} {
			if bytes.Contains(tx.btx.Bucket(bucketCases).Get([]byte(id)), []byte("reporter_keys")) {
				t.Errorf("%s still holds reporter_keys", id)
			}
		}
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

func TestTrustedSources(t *testing.T) {
	for src, want := range map[string]bool{KeySourceReport: true, KeySourceConfirmed: true, KeySourceMaintainer: true,
		KeySourceMigrated: false, "": false, "something-new": false} {
		k := &ReporterKey{Armored: "x", Fingerprint: "AB", Source: src}
		if got := k.Trusted(); got != want {
			t.Errorf("source %q: trusted=%v, want %v", src, got, want)
		}
	}
	if (&ReporterKey{Source: KeySourceReport}).Trusted() {
		t.Errorf("a key without armor or fingerprint is trusted")
	}
	if (*ReporterKey)(nil).Trusted() {
		t.Errorf("nil is trusted")
	}
}
