// Command schema6gen wrote store/testdata/schema6.db: a store as secbot
// wrote it at schema 6 (commit f7b7aca), before the case summary index:
// `case list` then decoded every case record.
//
// It compiles only against the store of that commit (it lives under
// testdata, which go build ./... skips); it is kept to show how the
// fixture was made:
//
//	git checkout f7b7aca -- store && go run ./store/testdata/schema6gen store/testdata/schema6.db
package main

import (
	"log"
	"os"
	"time"

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

// write stores three cases: one with two messages, one without any, and
// one whose subject is empty; the summaries of all three must appear.
func write(tx *store.Tx) error {
	busy := &store.Case{ID: "SEC-2026-0001", State: store.StateAccepted, Subject: "Heap overflow in parser",
		Opened: t0, Updated: t0.Add(time.Hour), Reporters: []string{"rita@reporter.example"}}
	for i, id := range []string{"a@reporter.example", "b@reporter.example"} {
		key, err := tx.AddMessage(&store.Message{Case: busy.ID, MessageID: id, Received: t0.Add(time.Duration(i) * time.Minute),
			From: "rita@reporter.example", Subject: busy.Subject, Status: "ok"}, []byte("raw"), nil)
		if err != nil {
			return err
		}
		busy.Messages = append(busy.Messages, key)
	}
	quiet := &store.Case{ID: "SEC-2026-0002", State: store.StateNew, Subject: "no mail yet", Opened: t0.Add(24 * time.Hour),
		Updated: t0.Add(24 * time.Hour)}
	bare := &store.Case{ID: "SEC-2027-0001", State: store.StatePublished, Opened: time.Date(2027, 1, 2, 3, 4, 5, 6, time.UTC)}
	for _, c := range []*store.Case{busy, quiet, bare} {
		if err := tx.PutCase(c); err != nil {
			return err
		}
	}
	return nil
}
