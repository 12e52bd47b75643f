// Command schema3gen wrote store/testdata/schema3.db: a store as secbot
// wrote it at schema 3 (commit 4121630), with the schema 1 leftovers a
// store upgraded from schema 1 still held then (raw bytes in bucket raw,
// JSON Message-ID entries, outbox mail with its bytes inline).
//
// It compiles only against the store of that commit (it lives under
// testdata, which go build ./... skips); it is kept to show how the
// fixture was made:
//
//	git checkout 4121630 -- store && go run ./store/testdata/schema3gen store/testdata/schema3.db
package main

import (
	"encoding/binary"
	"encoding/json"
	"log"
	"os"
	"time"

	"github.com/secbot/secbot/store"
	bolt "go.etcd.io/bbolt"
)

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func main() {
	path := os.Args[1]
	os.Remove(path)
	st, err := store.Open(path, store.Options{})
	if err != nil {
		log.Fatal(err)
	}
	if err := st.Update(write); err != nil {
		log.Fatal(err)
	}
	st.Close()
	if err := schema1Leftovers(path); err != nil {
		log.Fatal(err)
	}
}

func write(tx *store.Tx) error {
	c1 := &store.Case{ID: "SEC-2026-0001", State: store.StateAccepted, Subject: "Heap overflow in parser",
		Opened: t0, Updated: t0.Add(time.Hour), Reporters: []string{"rita@reporter.example"},
		Fields: store.Fields{Title: "Heap overflow in the parser", Affected: ">=1.0 <1.4.3, 2.0.0",
			NotAffected: "<1.0", Unchecked: "0.9.1..0.9.5", Type: "buffer overflow", CWE: "CWE-122",
			Impact: "remote code execution", Severity: "high", CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			CVE: "CVE-2026-12345", CRD: t0.Add(10 * 24 * time.Hour),
			Credits:  []store.Credit{{Name: "Rita Reporter", Address: "rita@reporter.example", Kind: "finder"}, {Name: "Bob", Kind: "remediation-developer"}},
			Branches: []store.Branch{{Name: "1.4", Fixed: "1.4.3"}}},
		Embargo: store.Embargo{Notify: []string{"distros"}, Armed: true}}
	c2 := &store.Case{ID: "SEC-2026-0002", State: store.StateNew, Subject: "no fields", Opened: t0, Updated: t0,
		Reporters: []string{"joe@example.org"}}
	c3 := &store.Case{ID: "SEC-2026-0003", State: store.StateAccepted, Subject: "odd versions", Opened: t0, Updated: t0,
		Fields: store.Fields{Affected: "not a version list"}}
	for _, c := range []*store.Case{c1, c2, c3} {
		for i := 0; i < 2; i++ {
			raw := []byte("Message-ID: <" + c.ID + "." + string(rune('a'+i)) + "@reporter.example>\r\nSubject: " + c.Subject + "\r\n\r\nbody\r\n")
			var plain []byte
			if i == 1 {
				plain = []byte("decrypted " + c.ID)
			}
			m := &store.Message{Case: c.ID, MessageID: c.ID + "." + string(rune('a'+i)) + "@reporter.example",
				Received: t0, Date: t0.Add(-time.Minute), From: "rita@reporter.example", Subject: c.Subject, Status: store.MsgIngested, Size: int64(len(raw))}
			key, err := tx.AddMessage(m, raw, plain)
			if err != nil {
				return err
			}
			c.Messages = append(c.Messages, key)
			if err := tx.IndexMessageID(m.MessageID, store.ThreadRef{Case: c.ID, Msg: key, Digest: []byte{1, 2, 3, byte(key)}}); err != nil {
				return err
			}
		}
		if err := tx.PutCase(c); err != nil {
			return err
		}
		if err := tx.IndexMessageID("ack."+c.ID+"@security.example", store.ThreadRef{Case: c.ID}); err != nil {
			return err
		}
	}
	for _, tm := range []store.Timer{{At: t0.Add(8 * 24 * time.Hour), Case: c1.ID, Kind: store.TimerRemind},
		{At: t0.Add(10 * 24 * time.Hour), Case: c1.ID, Kind: store.TimerPublish},
		{At: t0.Add(3 * 24 * time.Hour), Case: c3.ID, Kind: store.TimerRemind}} {
		if err := tx.SetTimer(tm); err != nil {
			return err
		}
	}
	if _, err := tx.Enqueue(&store.OutMail{ID: "ack.SEC-2026-0001@security.example", Case: c1.ID, Kind: "ack",
		From: "security@example.org", To: []string{"rita@reporter.example"}, Queued: t0}); err != nil {
		return err
	}
	if _, err := tx.Enqueue(&store.OutMail{ID: "relay.1.0@security.example", Case: c1.ID, Kind: "relay",
		Spec: json.RawMessage(`{"msg":1,"maintainer":0,"encrypt_fp":"AAAA"}`), From: "security@example.org", To: []string{"alice@example.org"}, Queued: t0}); err != nil {
		return err
	}
	sent, err := tx.OutMail("ack.SEC-2026-0001@security.example")
	if err != nil {
		return err
	}
	sent.Data, sent.State, sent.Attempts, sent.Done, sent.LastReply = []byte("rendered ack"), store.OutSent, 1, t0.Add(time.Minute), "250 ok"
	if err := tx.UpdateOutMail(sent); err != nil {
		return err
	}
	if err := tx.AddPatch(&store.Patch{Case: c1.ID, Name: "proj-1.4-CVE-2026-12345-r1.patch", Base: "proj-1.4-CVE-2026-12345", Rev: 1,
		Branch: "1.4", SHA256: "0123abcd", Size: 5, Added: t0, By: "AAAA", Msg: 2, State: store.PatchCurrent}, []byte("patch")); err != nil {
		return err
	}
	if err := tx.Audit(store.AuditEntry{Time: t0, Case: c1.ID, Actor: "AAAA", Action: "accept"}); err != nil {
		return err
	}
	if err := tx.AddFanout(&store.Fanout{Case: c1.ID, Msg: 1, New: true, AckTo: []string{"rita@reporter.example"}, Queued: t0}); err != nil {
		return err
	}
	if err := tx.SetIMAPState("INBOX", store.IMAPState{UIDValidity: 7, LastUID: 42}); err != nil {
		return err
	}
	_, err = tx.MarkExecuted([]string{"cmd.1@example.org"}, t0)
	return err
}

// schema1Leftovers adds what a schema 1 store wrote and schema 3 still
// read as it was: message 100 with its bytes in bucket raw, a JSON
// Message-ID entry, an outbox entry with its bytes inline.
func schema1Leftovers(path string) error {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(btx *bolt.Tx) error {
		key := make([]byte, 8)
		binary.BigEndian.PutUint64(key, 100)
		rec, _ := json.Marshal(store.Message{Key: 100, Case: "SEC-2026-0002", MessageID: "old@reporter.example", Received: t0,
			From: "joe@example.org", Subject: "no fields", Status: store.MsgIngested, Size: 7})
		if err := btx.Bucket([]byte("messages")).Put(key, rec); err != nil {
			return err
		}
		raw := btx.Bucket([]byte("raw"))
		if err := raw.Put(append(key, 'r'), []byte("old raw")); err != nil {
			return err
		}
		if err := raw.Put(append(key, 'p'), []byte("old plain")); err != nil {
			return err
		}
		if err := btx.Bucket([]byte("msgid")).Put([]byte("old@reporter.example"), []byte(`{"case":"SEC-2026-0002","msg":100}`)); err != nil {
			return err
		}
		c, _ := json.Marshal(store.Case{ID: "SEC-2026-0002", State: store.StateNew, Subject: "no fields", Opened: t0, Updated: t0,
			Reporters: []string{"joe@example.org"}, Messages: []uint64{3, 4, 100}})
		if err := btx.Bucket([]byte("cases")).Put([]byte("SEC-2026-0002"), c); err != nil {
			return err
		}
		old, _ := json.Marshal(store.OutMail{ID: "old.ack@security.example", Case: "SEC-2026-0002", Kind: "ack",
			From: "security@example.org", To: []string{"joe@example.org"}, Data: []byte("inline bytes"),
			Queued: t0, State: store.OutFailed, Done: t0, LastReply: "550 no"})
		return btx.Bucket([]byte("outbox")).Put([]byte("old.ack@security.example"), old)
	})
}
