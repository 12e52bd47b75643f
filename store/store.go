// Package store keeps secbot's state in one bbolt file: cases, every raw
// message, the Message-ID index used for threading and dedupe, the IMAP
// bookkeeping, the outbox and the replay guard. It is the only package that
// imports bbolt; callers group a case change and the mails it causes in one
// Update so that they commit together.
package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout this code reads and writes. Open refuses a
// file written by a newer secbot rather than guessing at its layout, and
// upgrades an older file it opens for writing, step by step (see
// migrations); a read-only Open of an older file is refused, since only
// the current layout is read.
//
//	1: raw messages one per key in bucket raw
//	2: raw messages packed into chunks (bucket raw-chunks), version 1 keys
//	   read as they were until 4; bucket fanout; rendered outbox mail in
//	   bucket outbox-data (version 1 entries carried it inline)
//	3: a case's reporter keys carry their source ("keys"); the bare keys
//	   of version 2 ("reporter_keys") are migrated on open, see migrate.go
//	4: version lists are ranges, not text; bucket timer-index; the
//	   layouts of version 1 that versions 2 and 3 still read (bucket
//	   raw, JSON Message-ID entries, outbox bytes inline) are migrated,
//	   and readers know one layout only
//	5: a queued mail's spec names its recipient as one typed value ("for":
//	   class, address, id, fp) instead of the flags of version 4
//	   ("encrypt_fp", "recipient", "downstream", "cna", "public"); migrated
//	   on open, see outbox_migrate.go
//	6: a case holds one or more vulnerabilities ("vulns"), each with the
//	   advisory fields that describe one flaw; "fields" keeps what they
//	   share (crd, credits). Migrated on open, see migrate6.go
//	7: bucket case-summary: one compact record per case, what `case list`
//	   shows (see casesummary.go); filled on open from the cases, see
//	   migrate7.go
//	8: buckets site-pending and site-entry: the published cases whose
//	   public pages are owed, and the index entry of those written (see
//	   site.go). Nothing to migrate: a site without its generation stamp
//	   is written whole at the next start (mailbot/site.go)
const SchemaVersion = 8

// ErrNotFound is returned when a case, message or outbox entry does not exist.
var ErrNotFound = errors.New("not found")

// ErrLocked is returned by Open when another process (a running secbot)
// holds the file: bbolt allows one writer process and no readers beside it.
var ErrLocked = errors.New("store is locked by another process")

// ErrNewerSchema is returned by Open for a store written by a newer secbot.
var ErrNewerSchema = errors.New("store schema is newer than this secbot")

// ErrOlderSchema is returned by a read-only Open of a store an older
// secbot wrote: readers know the current layout only, and only a
// writer migrates (secbot run does, when it starts).
var ErrOlderSchema = errors.New("store schema is older than this secbot: start secbot run once to upgrade it")

var (
	bucketMeta     = []byte("meta")
	bucketCases    = []byte("cases")
	bucketMessages = []byte("messages")
	bucketChunks   = []byte("raw-chunks")
	bucketFanout   = []byte("fanout")
	bucketOutData  = []byte("outbox-data")
	bucketMsgID    = []byte("msgid")
	bucketIMAP     = []byte("imap")
	bucketOutbox   = []byte("outbox")
	bucketExecuted = []byte("executed")
	bucketAudit    = []byte("audit")
	bucketDue      = []byte("outbox-due")
	bucketPatches  = []byte("patches")
	bucketPatchDat = []byte("patch-data")
	bucketTimers   = []byte("timers")
	bucketTimerIdx = []byte("timer-index")
	// bucketSummary is declared in casesummary.go.

	allBuckets = [][]byte{bucketMeta, bucketCases, bucketMessages, bucketMsgID, bucketIMAP, bucketOutbox,
		bucketExecuted, bucketAudit, bucketDue, bucketPatches, bucketPatchDat, bucketTimers, bucketTimerIdx,
		bucketChunks, bucketFanout, bucketOutData, bucketSummary, bucketSitePending, bucketSiteEntry}

	keySchema = []byte("schema")
)

// appendFill is the page fill for buckets whose keys only grow.
const appendFill = 0.95

// Store is an open secbot database.
type Store struct {
	db *bolt.DB
	// onSite wakes the site writer after a commit that marked pages for
	// writing (see site.go); set by OnSite.
	onSite atomic.Pointer[func()]
}

// Options tune Open.
type Options struct {
	// ReadOnly opens the file shared, for the CLI's read commands while the
	// daemon may hold it (bbolt then waits for the lock up to Timeout).
	ReadOnly bool
	Timeout  time.Duration
}

// lockTimeout is how long Open waits for another process's lock: bbolt
// would wait forever on a zero Timeout.
func (o Options) lockTimeout() time.Duration {
	if o.Timeout == 0 {
		return 5 * time.Second
	}
	return o.Timeout
}

// Open opens or creates the store at path and checks its schema version.
func Open(path string, opts Options) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.lockTimeout(), ReadOnly: opts.ReadOnly})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("open store %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db}
	if opts.ReadOnly {
		err = s.checkSchema()
	} else {
		err = s.init()
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init() error {
	version := uint64(SchemaVersion)
	err := s.db.Update(func(btx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := btx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("create bucket %s: %w", b, err)
			}
		}
		meta := btx.Bucket(bucketMeta)
		v := meta.Get(keySchema)
		if v == nil { // a new store
			return meta.Put(keySchema, u64(SchemaVersion))
		}
		if err := checkVersion(v); err != nil {
			return err
		}
		version = beU64(v)
		return nil
	})
	if err != nil {
		return err
	}
	return s.migrate(version)
}

func (s *Store) checkSchema() error {
	return s.db.View(func(btx *bolt.Tx) error {
		meta := btx.Bucket(bucketMeta)
		if meta == nil {
			return fmt.Errorf("store has no meta bucket: not initialised")
		}
		v := meta.Get(keySchema)
		if err := checkVersion(v); err != nil {
			return err
		}
		if got := beU64(v); got < SchemaVersion {
			return fmt.Errorf("%w (file has %d, this secbot knows %d)", ErrOlderSchema, got, SchemaVersion)
		}
		return nil
	})
}

func checkVersion(v []byte) error {
	if len(v) != 8 {
		return fmt.Errorf("store schema version unreadable")
	}
	if got := binary.BigEndian.Uint64(v); got > SchemaVersion {
		return fmt.Errorf("%w: file has %d, this secbot knows %d", ErrNewerSchema, got, SchemaVersion)
	}
	return nil
}

// Close closes the database file.
func (s *Store) Close() error { return s.db.Close() }

// Path returns the file name of the database.
func (s *Store) Path() string { return s.db.Path() }

// Tx is one read or read-write transaction. Its methods are only valid
// inside the function passed to Update or View.
type Tx struct {
	btx   *bolt.Tx
	store *Store // nil in migrations and checks
	// chunk collects the raw messages added in this transaction; it is
	// written when fn returns, or sooner when it grows past chunkMax.
	chunk   *chunk
	rawHint int
}

// Update runs fn in one read-write transaction; everything fn wrote commits
// together (with one fsync) or not at all.
func (s *Store) Update(fn func(tx *Tx) error) error {
	return s.db.Update(func(btx *bolt.Tx) error {
		tx := &Tx{btx: btx, store: s}
		if err := fn(tx); err != nil {
			return err
		}
		return tx.flushChunk()
	})
}

// OnCommit runs fn once the transaction committed, never when it rolled
// back. A log line that says what the transaction did belongs there: a
// failed commit (a full disk) must leave no line claiming undone work.
func (tx *Tx) OnCommit(fn func()) { tx.btx.OnCommit(fn) }

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.db.View(func(btx *bolt.Tx) error { return fn(&Tx{btx: btx}) })
}

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func (tx *Tx) getJSON(bucket, key []byte, v any) error {
	data := tx.btx.Bucket(bucket).Get(key)
	if data == nil {
		return ErrNotFound
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s/%s: %w", bucket, key, err)
	}
	return nil
}

func (tx *Tx) putJSON(bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s/%s: %w", bucket, key, err)
	}
	return tx.btx.Bucket(bucket).Put(key, data)
}

func beU64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
