package store

import (
	"errors"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

// compactTxSize bounds each transaction of a compaction, so that the
// copy of a large store does not hold it all in memory at once.
const compactTxSize = 64 << 20

// Compact rewrites the store file at path without its free pages: into
// path.compact, which it then renames over path (atomic on one file
// system), so that a crash leaves the old file or the new one whole. The
// store must not be open: a running secbot holds it, and Compact then
// fails with ErrLocked. It returns the sizes before and after.
func Compact(path string) (before, after int64, err error) {
	src, err := Open(path, Options{ReadOnly: true, Timeout: timeoutCLI})
	if err != nil {
		return 0, 0, err
	}
	defer src.Close()
	tmp := path + ".compact"
	os.Remove(tmp) // a leftover of a compaction that crashed: never the store
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: timeoutCLI})
	if err != nil {
		return 0, 0, fmt.Errorf("compact: %w", err)
	}
	// Each step runs whatever the one before did (syncing a failed copy
	// costs nothing), and any failure fails the compaction.
	err = errors.Join(bolt.Compact(dst, src.db, compactTxSize), dst.Close(), syncFile(tmp))
	if err != nil {
		os.Remove(tmp)
		return 0, 0, fmt.Errorf("compact: %w", err)
	}
	if before, err = fileSize(path); err == nil {
		after, err = fileSize(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return 0, 0, fmt.Errorf("compact: %w", err)
	}
	return before, after, syncDir(dirOf(path))
}
