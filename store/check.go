package store

import (
	"bytes"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Check runs bbolt's consistency check of the file's pages, reads the
// schema version, and cross-checks the indexes: every Message-ID entry
// and every message names a case and a message that exist, every outbox
// entry a case, every due entry a pending mail, every timer a case
// (a publication timer an armed one) and its index entry, and every mark
// and entry of the public pages a published case. It returns
// every problem found, nil when there is none.
//
// bbolt's page check reads the free list that writers change, so on a
// store open for writing it runs in a write transaction that it rolls
// back: writers wait for it. A read-only store has no writer beside it.
func (s *Store) Check() []string {
	var problems []string
	run := func(tx *Tx) error { problems = tx.Check(); return errRollback }
	var err error
	if s.db.IsReadOnly() {
		err = s.View(run)
	} else {
		err = s.db.Update(func(btx *bolt.Tx) error { return run(&Tx{btx: btx}) })
	}
	if err != nil && !errors.Is(err, errRollback) {
		problems = append(problems, fmt.Sprintf("read: %v", err))
	}
	return problems
}

// errRollback ends a write transaction that must change nothing.
var errRollback = errors.New("rollback")

// Check is Store.Check inside a transaction the caller holds: a write
// transaction, or a read transaction with no writer beside it.
func (tx *Tx) Check() []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for err := range tx.btx.Check() {
		add("bbolt: %v", err)
	}
	for _, b := range allBuckets {
		if tx.btx.Bucket(b) == nil {
			add("bucket %s missing", b)
		}
	}
	if len(problems) > 0 {
		return problems // the cross-checks would read a broken file
	}
	tx.checkSchema(add)
	tx.checkMessages(add)
	tx.checkMessageIDs(add)
	tx.checkOutbox(add)
	tx.checkTimers(add)
	tx.checkSummaries(add)
	tx.checkSite(add)
	return problems
}

type addFunc func(format string, args ...any)

func (tx *Tx) checkSchema(add addFunc) {
	v := tx.btx.Bucket(bucketMeta).Get(keySchema)
	if len(v) != 8 {
		add("schema version unreadable")
	} else if got := beU64(v); got != SchemaVersion {
		add("schema %d, this secbot writes %d", got, SchemaVersion)
	}
}

func (tx *Tx) checkMessages(add addFunc) {
	c := tx.btx.Bucket(bucketMessages).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var m Message
		if err := jsonUnmarshal(v, &m); err != nil {
			add("message %d: %v", beU64(k), err)
			continue
		}
		if m.Case != "" && !tx.CaseExists(m.Case) {
			add("message %d: case %s does not exist", m.Key, m.Case)
		}
	}
}

func (tx *Tx) checkMessageIDs(add addFunc) {
	msgs := tx.btx.Bucket(bucketMessages)
	c := tx.btx.Bucket(bucketMsgID).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		ref, err := decodeThreadRef(v)
		switch {
		case err != nil:
			add("message-id entry %d bytes long: %v", len(k), err)
		case ref.Case != "" && !tx.CaseExists(ref.Case):
			add("message-id entry of message %d: case %s does not exist", ref.Msg, ref.Case)
		case ref.Msg != 0 && msgs.Get(u64(ref.Msg)) == nil:
			add("message-id entry of case %s: message %d does not exist", ref.Case, ref.Msg)
		}
	}
}

func (tx *Tx) checkOutbox(add addFunc) {
	out := tx.btx.Bucket(bucketOutbox)
	c := out.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var m OutMail
		if err := jsonUnmarshal(v, &m); err != nil {
			add("outbox entry: %v", err)
			continue
		}
		if m.Case != "" && !tx.CaseExists(m.Case) {
			add("outbox entry (%s): case %s does not exist", m.Kind, m.Case)
		}
	}
	due := tx.btx.Bucket(bucketDue).Cursor()
	for k, _ := due.First(); k != nil; k, _ = due.Next() {
		var m OutMail
		if len(k) < 8 || tx.getJSON(bucketOutbox, k[8:], &m) != nil {
			add("due index: an entry names no outbox mail")
		} else if m.State != OutPending || !bytes.Equal(k, dueKey(m.NextAttempt, m.ID)) {
			add("due index: a %s mail (%s) is indexed as due at another time or state", m.State, m.Kind)
		}
	}
}

func (tx *Tx) checkTimers(add addFunc) {
	idx := tx.btx.Bucket(bucketTimerIdx)
	c := tx.btx.Bucket(bucketTimers).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var t Timer
		if err := jsonUnmarshal(v, &t); err != nil {
			add("timer: %v", err)
			continue
		}
		if !bytes.Equal(idx.Get(timerIndexKey(t.Case, t.Kind)), k) {
			add("timer %s/%s: its index entry is missing or points elsewhere", t.Case, t.Kind)
		}
		if t.Case == "" {
			continue // the digest, retention and failures: timers of no case
		}
		cs, err := tx.Case(t.Case)
		switch {
		case err != nil:
			add("timer %s/%s: case does not exist", t.Case, t.Kind)
		case t.Kind == TimerPublish && !cs.Embargo.Armed:
			add("timer %s/%s: case is not armed", t.Case, t.Kind)
		}
	}
	n := idx.Stats().KeyN
	if m := tx.btx.Bucket(bucketTimers).Stats().KeyN; n != m {
		add("timer index holds %d entries for %d timers", n, m)
	}
}

// checkSummaries: every case has the summary record PutCase writes for it,
// byte for byte, and every summary names a case.
func (tx *Tx) checkSummaries(add addFunc) {
	sums := tx.btx.Bucket(bucketSummary)
	c := tx.btx.Bucket(bucketCases).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var cs Case
		if err := jsonUnmarshal(v, &cs); err != nil {
			add("case %s: %v", k, err)
			continue
		}
		if got := sums.Get(k); got == nil {
			add("case %s: summary missing", k)
		} else if !bytes.Equal(got, encodeSummary(summaryOf(&cs))) {
			add("case %s: summary differs from the case", k)
		}
	}
	s := sums.Cursor()
	for k, _ := s.First(); k != nil; k, _ = s.Next() {
		if !tx.CaseExists(string(k)) {
			add("summary of case %s: case does not exist", k)
		}
	}
}

// checkSite: the public pages are owed (site-pending) or written
// (site-entry) only for published cases. A mark may outlive nothing
// else: the site writer drops the mark of a case that is not published.
func (tx *Tx) checkSite(add addFunc) {
	for _, b := range []struct {
		bucket []byte
		what   string
	}{{bucketSitePending, "page mark"}, {bucketSiteEntry, "site entry"}} {
		c := tx.btx.Bucket(b.bucket).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			s, err := decodeSummary(k, tx.btx.Bucket(bucketSummary).Get(k))
			switch {
			case !tx.CaseExists(string(k)):
				add("%s of case %s: case does not exist", b.what, k)
			case err == nil && s.State != StatePublished:
				add("%s of case %s: case is %s, not published", b.what, k, s.State)
			}
		}
	}
}
