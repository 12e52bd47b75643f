package store

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/secbot/secbot/mailbot/versions"
	bolt "go.etcd.io/bbolt"
)

// bucketRaw held a schema 1 store's raw messages, one per key: the
// message key and 'r' for the bytes as they came, 'p' for the decrypted
// form. Schema 4 moves them into chunks and drops the bucket.
var bucketRaw = []byte("raw")

// migrateToSchema4 (schema 3 → 4) turns version lists into ranges, fills
// the timer index, and moves what a schema 1 store wrote, and schemas 2
// and 3 still read as it was, into the current layout: raw messages into
// chunks, JSON Message-ID entries into the binary form, outbox bytes out
// of the record. Like migrateReporterKeys it works on the stored JSON,
// not on today's types.
func migrateToSchema4(btx *bolt.Tx) error {
	steps := []struct {
		name string
		fn   func(*bolt.Tx) error
	}{
		{"version lists", migrateVersionLists},
		{"timer index", migrateTimerIndex},
		{"raw messages", migrateRawMessages},
		{"message-id index", migrateThreadRefs},
		{"outbox data", migrateOutboxData},
	}
	for _, s := range steps {
		if err := s.fn(btx); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

// rewrite calls fn for every value of bucket b and writes back the values
// it returns (nil: leave as it is). A bucket must not change under
// ForEach, so the writes wait until the walk is over.
func rewrite(b *bolt.Bucket, fn func(k, v []byte) ([]byte, error)) error {
	type change struct{ key, data []byte }
	var changes []change
	err := b.ForEach(func(k, v []byte) error {
		if v == nil {
			return nil // a nested bucket
		}
		data, err := fn(k, v)
		if err != nil || data == nil {
			return err
		}
		changes = append(changes, change{bytes.Clone(k), data})
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range changes {
		if err := b.Put(c.key, c.data); err != nil {
			return fmt.Errorf("put %q: %w", c.key, err)
		}
	}
	return nil
}

// migrateVersionLists parses each case's affected, not_affected and
// unchecked text, which secbot wrote in the command parser's canonical
// form, into ranges. Text that no longer parses is kept whole as one
// Unparsed item, shown as it was: nothing is lost, nothing is guessed.
func migrateVersionLists(btx *bolt.Tx) error {
	return rewrite(btx.Bucket(bucketCases), func(k, v []byte) ([]byte, error) {
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(v, &rec); err != nil {
			return nil, fmt.Errorf("case %s: %w", k, err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(rec["fields"], &fields); err != nil || fields == nil {
			return nil, nil // no fields: nothing to migrate
		}
		changed := false
		for _, name := range []string{"affected", "not_affected", "unchecked"} {
			var text string
			if old, ok := fields[name]; !ok || json.Unmarshal(old, &text) != nil {
				continue // absent, or already a list
			}
			changed = true
			delete(fields, name)
			if text == "" {
				continue
			}
			list, err := versions.Parse(text)
			if err != nil {
				list = versions.List{{Unparsed: text}}
			}
			data, err := json.Marshal(list)
			if err != nil {
				return nil, err
			}
			fields[name] = data
		}
		if !changed {
			return nil, nil
		}
		data, err := json.Marshal(fields)
		if err != nil {
			return nil, err
		}
		rec["fields"] = data
		return json.Marshal(rec)
	})
}

// migrateTimerIndex indexes every timer by case and kind. SetTimer has
// always kept one timer per case and kind; should a store hold more, the
// latest is kept and the others deleted, as SetTimer would have.
func migrateTimerIndex(btx *bolt.Tx) error {
	timers, idx := btx.Bucket(bucketTimers), btx.Bucket(bucketTimerIdx)
	var stale [][]byte
	err := timers.ForEach(func(k, v []byte) error {
		var t struct{ Case, Kind string }
		if err := json.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("timer %x: %w", k, err)
		}
		ik := timerIndexKey(t.Case, t.Kind)
		if old := idx.Get(ik); old != nil {
			stale = append(stale, bytes.Clone(old))
		}
		return idx.Put(ik, bytes.Clone(k))
	})
	if err != nil {
		return err
	}
	for _, k := range stale {
		if err := timers.Delete(k); err != nil {
			return fmt.Errorf("delete duplicate timer %x: %w", k, err)
		}
	}
	return nil
}

// migrateRawMessages moves the bytes of schema 1 messages from bucket raw
// into chunks, records where they went, and drops the bucket.
func migrateRawMessages(btx *bolt.Tx) error {
	raw := btx.Bucket(bucketRaw)
	if raw == nil {
		return nil
	}
	tx := &Tx{btx: btx}
	err := rewrite(btx.Bucket(bucketMessages), func(k, v []byte) ([]byte, error) {
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(v, &rec); err != nil {
			return nil, fmt.Errorf("message %x: %w", k, err)
		}
		if _, ok := rec["raw_at"]; ok {
			return nil, nil
		}
		for _, part := range []struct {
			suffix byte
			field  string
		}{{'r', "raw_at"}, {'p', "plain_at"}} {
			data := raw.Get(append(bytes.Clone(k), part.suffix))
			if data == nil {
				continue
			}
			ref, err := tx.addBlob(data) // copied into the chunk
			if err != nil {
				return nil, err
			}
			if rec[part.field], err = json.Marshal(ref); err != nil {
				return nil, err
			}
		}
		return json.Marshal(rec)
	})
	if err != nil {
		return err
	}
	if err := tx.flushChunk(); err != nil {
		return err
	}
	return btx.DeleteBucket(bucketRaw)
}

// migrateThreadRefs rewrites the JSON entries of the Message-ID index,
// which a schema 1 store wrote, in the binary form (ThreadRef.encode).
// JSON always begins with '{'; a binary entry never does (its message
// key would need to pass 0x7b << 56).
func migrateThreadRefs(btx *bolt.Tx) error {
	return rewrite(btx.Bucket(bucketMsgID), func(k, v []byte) ([]byte, error) {
		if len(v) == 0 || v[0] != '{' {
			return nil, nil
		}
		var ref ThreadRef
		if err := json.Unmarshal(v, &ref); err != nil {
			return nil, fmt.Errorf("message-id %q: %w", k, err)
		}
		return ref.encode(), nil
	})
}

// migrateOutboxData moves the rendered bytes a schema 1 outbox entry
// carried inline ("data", base64) into bucket outbox-data.
func migrateOutboxData(btx *bolt.Tx) error {
	out := btx.Bucket(bucketOutData)
	return rewrite(btx.Bucket(bucketOutbox), func(k, v []byte) ([]byte, error) {
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(v, &rec); err != nil {
			return nil, fmt.Errorf("outbox %s: %w", k, err)
		}
		inline, ok := rec["data"]
		if !ok {
			return nil, nil
		}
		var data []byte
		if err := json.Unmarshal(inline, &data); err != nil {
			return nil, fmt.Errorf("outbox %s: data: %w", k, err)
		}
		if data != nil && out.Get(k) == nil {
			if err := out.Put(bytes.Clone(k), data); err != nil {
				return nil, fmt.Errorf("outbox %s: %w", k, err)
			}
		}
		delete(rec, "data")
		return json.Marshal(rec)
	})
}
