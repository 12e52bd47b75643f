package store

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// schema3Outbox is the frozen fixture testdata/schema3-outbox.json: outbox
// records as schema 3 wrote them, each with the recipient it must get.
type schema3Outbox struct {
	Mails []struct {
		Want map[string]string `json:"want"`
		Rec  json.RawMessage   `json:"rec"`
	} `json:"mails"`
}

// schema3OutboxStore writes a schema 3 store holding the fixture's records.
func schema3OutboxStore(t *testing.T) (string, schema3Outbox) {
	t.Helper()
	data, err := os.ReadFile("testdata/schema3-outbox.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx schema3Outbox
	if err := json.Unmarshal(data, &fx); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "s.db")
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
		for _, m := range fx.Mails {
			var rec struct{ ID string }
			if err := json.Unmarshal(m.Rec, &rec); err != nil {
				return err
			}
			if err := btx.Bucket(bucketOutbox).Put([]byte(rec.ID), m.Rec); err != nil {
				return err
			}
		}
		return btx.Bucket(bucketMeta).Put(keySchema, u64(3))
	})
	if err != nil {
		t.Fatal(err)
	}
	return path, fx
}

// TestSchema3OutboxRecipientsMigrated: every schema 3 spec gets the typed
// recipient its flags meant, loses the flags, keeps everything else, and a
// second open changes nothing.
func TestSchema3OutboxRecipientsMigrated(t *testing.T) {
	path, fx := schema3OutboxStore(t)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	first := map[string][]byte{}
	s.View(func(tx *Tx) error {
		if v := beU64(tx.btx.Bucket(bucketMeta).Get(keySchema)); v != SchemaVersion {
			t.Errorf("schema after open = %d, want %d", v, SchemaVersion)
		}
		for _, m := range fx.Mails {
			var old OutMail
			if err := json.Unmarshal(m.Rec, &old); err != nil {
				t.Fatal(err)
			}
			om, err := tx.OutMail(old.ID)
			if err != nil {
				t.Fatal(err)
			}
			first[old.ID] = bytes.Clone(tx.btx.Bucket(bucketOutbox).Get([]byte(old.ID)))
			checkMigratedSpec(t, &old, om, m.Want)
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
		for id, want := range first {
			if got := tx.btx.Bucket(bucketOutbox).Get([]byte(id)); !bytes.Equal(got, want) {
				t.Errorf("%s: a second open changed it:\n%s\n%s", id, want, got)
			}
		}
		return nil
	})
}

func checkMigratedSpec(t *testing.T, old, om *OutMail, want map[string]string) {
	t.Helper()
	var oldSpec, spec map[string]json.RawMessage
	json.Unmarshal(old.Spec, &oldSpec)
	if err := json.Unmarshal(om.Spec, &spec); err != nil {
		t.Fatalf("%s: spec %s: %v", om.ID, om.Spec, err)
	}
	var got map[string]string
	if err := json.Unmarshal(spec["for"], &got); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("%s: for = %s, want %v", om.ID, spec["for"], want)
	}
	for k, v := range oldSpec {
		_, kept := spec[k]
		if slices.Contains(v3Fields, k) {
			if kept {
				t.Errorf("%s: spec still has %q", om.ID, k)
			}
		} else if !bytes.Equal(compact(t, spec[k]), compact(t, v)) {
			t.Errorf("%s: spec %q = %s, want %s", om.ID, k, spec[k], v)
		}
	}
	om.Spec, old.Spec = nil, nil
	if !reflect.DeepEqual(om, old) {
		t.Errorf("%s: the record changed beyond its spec:\n%+v\n%+v", om.ID, om, old)
	}
}

func compact(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatalf("compact %s: %v", b, err)
	}
	return buf.Bytes()
}
