package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrExists is returned by BackupTo and Compact for a target path that
// already exists: a backup never overwrites anything.
var ErrExists = errors.New("file exists")

// Backup writes a consistent copy of the whole store to w, from one read
// transaction: writers go on while it runs, and the copy holds exactly
// what had committed when it began. announce, when not nil, is told the
// copy's size before the first byte is written (the control socket sends
// it ahead, so that the receiver can tell a whole copy from a cut one).
func (s *Store) Backup(w io.Writer, announce func(size int64) error) (int64, error) {
	var n int64
	err := s.db.View(func(btx *bolt.Tx) error {
		if announce != nil {
			if err := announce(btx.Size()); err != nil {
				return err
			}
		}
		var err error
		n, err = btx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

// BackupTo writes a copy of the store to path, a file it creates with
// mode 0600 (refusing one that exists), and syncs it before returning.
// A failed backup removes its partial file.
func (s *Store) BackupTo(path string) (int64, error) {
	f, err := CreateNew(path)
	if err != nil {
		return 0, err
	}
	n, err := s.Backup(f, nil)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return 0, err
	}
	return n, syncDir(filepath.Dir(path))
}

// CreateNew creates path with mode 0600, or fails with ErrExists.
func CreateNew(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("%s: %w: refusing to overwrite it", path, ErrExists)
	}
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return f, nil
}

// syncDir makes a new or renamed directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// timeoutCLI is how long a command-line tool waits for the store's lock.
const timeoutCLI = time.Second

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func fileSize(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

func dirOf(path string) string { return filepath.Dir(path) }
