package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/versions"
	bolt "go.etcd.io/bbolt"
)

// schema3Store copies testdata/schema3.db, a store the schema 3 code
// wrote (see testdata/schema3gen), to a temporary file.
func schema3Store(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("testdata/schema3.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "s.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSchema3Migrated: a schema 3 store is refused read-only, migrated
// on its first open for writing, reads back whole, and a second open
// changes nothing.
func TestSchema3Migrated(t *testing.T) {
	path := schema3Store(t)
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrOlderSchema) {
		t.Fatalf("read-only open of schema 3: %v, want ErrOlderSchema", err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var first map[string]string
	s.View(func(tx *Tx) error {
		if v := beU64(tx.btx.Bucket(bucketMeta).Get(keySchema)); v != SchemaVersion {
			t.Errorf("schema after open = %d, want %d", v, SchemaVersion)
		}
		checkMigratedCases(t, tx)
		checkMigratedMessages(t, tx)
		checkMigratedOutbox(t, tx)
		checkMigratedRest(t, tx)
		first = dump(tx.btx)
		return nil
	})
	s.Close()
	s, err = Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open after the upgrade: %v", err)
	}
	s.Close()
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.View(func(tx *Tx) error {
		if again := dump(tx.btx); !reflect.DeepEqual(again, first) {
			t.Errorf("a second open changed the store")
		}
		return nil
	})
	checkMigratedTimers(t, s)
}

func checkMigratedCases(t *testing.T, tx *Tx) {
	t.Helper()
	c, err := tx.Case("SEC-2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	f := c.Vulns[0] // since schema 6, the case's one vulnerability
	for _, x := range []struct {
		got, want versions.List
	}{
		{f.Affected, versions.List{{Introduced: "1.0", Fixed: "1.4.3"}, {Exact: "2.0.0"}}},
		{f.NotAffected, versions.List{{Fixed: "1.0"}}},
		{f.Unchecked, versions.List{{Introduced: "0.9.1", LastAffected: "0.9.5"}}},
	} {
		if !reflect.DeepEqual(x.got, x.want) {
			t.Errorf("version list %+v, want %+v", x.got, x.want)
		}
	}
	if f.Affected.String() != ">=1.0 <1.4.3, 2.0.0" || f.Unchecked.String() != ">=0.9.1 <=0.9.5" {
		t.Errorf("canonical text %q, %q", f.Affected, f.Unchecked)
	}
	if f.Title != "Heap overflow in the parser" || f.CWE != "CWE-122" || f.CVE != "CVE-2026-12345" || len(c.Fields.Credits) != 2 ||
		c.Fields.Credits[1].Kind != "remediation-developer" || len(f.Branches) != 1 || c.Fields.CRD.IsZero() || !c.Embargo.Armed ||
		!reflect.DeepEqual(c.Messages, []uint64{1, 2}) {
		t.Errorf("other fields lost: %+v", c)
	}
	odd, err := tx.Case("SEC-2026-0003")
	if err != nil || !reflect.DeepEqual(odd.Vulns[0].Affected, versions.List{{Unparsed: "not a version list"}}) {
		t.Errorf("text that does not parse: %+v, %v", odd, err)
	}
	empty, err := tx.Case("SEC-2026-0002")
	if err != nil || empty.Vulns[0].Affected != nil || !reflect.DeepEqual(empty.Messages, []uint64{3, 4, 100}) {
		t.Errorf("case without fields: %+v, %v", empty, err)
	}
}

func checkMigratedMessages(t *testing.T, tx *Tx) {
	t.Helper()
	if tx.btx.Bucket(bucketRaw) != nil {
		t.Errorf("bucket raw is still there")
	}
	for key := uint64(1); key <= 6; key++ {
		if raw := tx.Raw(key); !bytes.HasPrefix(raw, []byte("Message-ID: <SEC-2026-")) {
			t.Errorf("raw of %d = %q", key, raw)
		}
	}
	if got := string(tx.Plain(2)); got != "decrypted SEC-2026-0001" {
		t.Errorf("plain of 2 = %q", got)
	}
	if raw, plain := string(tx.Raw(100)), string(tx.Plain(100)); raw != "old raw" || plain != "old plain" {
		t.Errorf("schema 1 message: raw %q, plain %q", raw, plain)
	}
	if m, err := tx.Message(100); err != nil || m.From != "joe@example.org" || m.RawAt == nil {
		t.Errorf("schema 1 message record: %+v, %v", m, err)
	}
	for id, want := range map[string]ThreadRef{
		"old@reporter.example":               {Case: "SEC-2026-0002", Msg: 100},
		"SEC-2026-0001.b@reporter.example":   {Case: "SEC-2026-0001", Msg: 2, Digest: []byte{1, 2, 3, 2}},
		"ack.SEC-2026-0003@security.example": {Case: "SEC-2026-0003"},
	} {
		if got, ok := tx.LookupMessageID(id); !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("message-id %s = %+v %v, want %+v", id, got, ok, want)
		}
	}
	if v := tx.btx.Bucket(bucketMsgID).Get([]byte("old@reporter.example")); v[0] == '{' {
		t.Errorf("the JSON entry was not rewritten: %s", v)
	}
}

func checkMigratedOutbox(t *testing.T, tx *Tx) {
	t.Helper()
	for id, want := range map[string]struct{ state, data string }{
		"old.ack@security.example":           {OutFailed, "inline bytes"},
		"ack.SEC-2026-0001@security.example": {OutSent, "rendered ack"},
		"relay.1.0@security.example":         {OutPending, ""},
	} {
		m, err := tx.OutMail(id)
		if err != nil || m.State != want.state || string(m.Data) != want.data {
			t.Errorf("outbox %s: %+v, %v; want %s %q", id, m, err, want.state, want.data)
		}
		if rec := tx.btx.Bucket(bucketOutbox).Get([]byte(id)); bytes.Contains(rec, []byte(`"data"`)) {
			t.Errorf("outbox %s still carries its bytes: %s", id, rec)
		}
	}
	due, _, err := tx.Due(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 10)
	if err != nil || len(due) != 1 || due[0].ID != "relay.1.0@security.example" || string(due[0].Spec) == "" {
		t.Errorf("due = %+v, %v", due, err)
	}
}

func checkMigratedRest(t *testing.T, tx *Tx) {
	t.Helper()
	ps, err := tx.Patches("SEC-2026-0001")
	if err != nil || len(ps) != 1 || string(tx.PatchData(ps[0].SHA256)) != "patch" {
		t.Errorf("patches %+v, %v", ps, err)
	}
	if log, err := tx.AuditLog("SEC-2026-0001"); err != nil || len(log) != 1 || log[0].Action != "accept" {
		t.Errorf("audit %+v, %v", log, err)
	}
	if fs, err := tx.Fanouts(10); err != nil || len(fs) != 1 || fs[0].AckTo[0] != "rita@reporter.example" {
		t.Errorf("fanouts %+v, %v", fs, err)
	}
	if st := tx.IMAPState("INBOX"); st != (IMAPState{UIDValidity: 7, LastUID: 42}) {
		t.Errorf("imap state %+v", st)
	}
	if timers, err := tx.AllTimers(); err != nil || len(timers) != 3 {
		t.Errorf("timers %+v, %v", timers, err)
	}
}

// checkMigratedTimers: the index the migration built finds each timer,
// so that replacing and deleting work without a scan.
func checkMigratedTimers(t *testing.T, s *Store) {
	t.Helper()
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	err := s.Update(func(tx *Tx) error {
		if err := tx.DeleteTimer("SEC-2026-0001", TimerRemind); err != nil {
			return err
		}
		return tx.SetTimer(Timer{At: t0.Add(20 * 24 * time.Hour), Case: "SEC-2026-0001", Kind: TimerPublish})
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(func(tx *Tx) error {
		timers, _ := tx.AllTimers()
		want := []Timer{{At: t0.Add(3 * 24 * time.Hour), Case: "SEC-2026-0003", Kind: TimerRemind},
			{At: t0.Add(20 * 24 * time.Hour), Case: "SEC-2026-0001", Kind: TimerPublish}}
		if !reflect.DeepEqual(timers, want) {
			t.Errorf("timers after delete and replace: %+v", timers)
		}
		return nil
	})
}

// dump is every key and value of the file, by bucket path.
func dump(btx *bolt.Tx) map[string]string {
	out := map[string]string{}
	var walk func(prefix string, b *bolt.Bucket)
	walk = func(prefix string, b *bolt.Bucket) {
		b.ForEach(func(k, v []byte) error {
			if v == nil {
				walk(prefix+string(k)+"/", b.Bucket(k))
				return nil
			}
			out[prefix+string(k)] = string(v)
			return nil
		})
	}
	btx.ForEach(func(name []byte, b *bolt.Bucket) error {
		walk(string(name)+"/", b)
		return nil
	})
	return out
}

// TestMigrateTimerIndexKeepsTheLatest: of two timers of one case and
// kind (SetTimer never wrote them, but a store could hold them), the
// index keeps the later key and the other is deleted.
func TestMigrateTimerIndexKeepsTheLatest(t *testing.T) {
	s := openTemp(t)
	err := s.db.Update(func(btx *bolt.Tx) error {
		timers := btx.Bucket(bucketTimers)
		for _, kv := range [][2]string{
			{"k1", `{"case":"SEC-2026-0001","kind":"remind"}`},
			{"k2", `{"case":"SEC-2026-0001","kind":"remind"}`},
			{"k3", `{"case":"SEC-2026-0002","kind":"remind"}`},
		} {
			if err := timers.Put([]byte(kv[0]), []byte(kv[1])); err != nil {
				return err
			}
		}
		return migrateTimerIndex(btx)
	})
	if err != nil {
		t.Fatal(err)
	}
	s.db.View(func(btx *bolt.Tx) error {
		var keys []string
		btx.Bucket(bucketTimers).ForEach(func(k, _ []byte) error { keys = append(keys, string(k)); return nil })
		if fmt.Sprint(keys) != "[k2 k3]" {
			t.Errorf("timers %v, want [k2 k3]", keys)
		}
		if got := btx.Bucket(bucketTimerIdx).Get(timerIndexKey("SEC-2026-0001", "remind")); string(got) != "k2" {
			t.Errorf("index of SEC-2026-0001/remind: %q, want k2", got)
		}
		return nil
	})
}

// TestFailedMigrationStopsTheUpgrade: a step that fails (here a timer
// record that is no JSON) fails Open, and the store stays at the schema
// it had: nothing skips a step.
func TestFailedMigrationStopsTheUpgrade(t *testing.T) {
	path := schema3Store(t)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(btx *bolt.Tx) error { return btx.Bucket(bucketTimers).Put([]byte("k"), []byte("{")) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "upgrade store from schema 3 to 4") {
		if s != nil {
			s.Close()
		}
		t.Fatalf("open: %v, want the failed upgrade from schema 3", err)
	}
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrOlderSchema) {
		t.Errorf("after the failed upgrade: %v, want the store still at an older schema", err)
	}
}
