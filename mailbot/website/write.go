package website

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// writer writes files below dir and remembers which it wrote.
type writer struct {
	dir     string
	written []string // relative paths, in write order
	// deferSync leaves each file unsynced, for one sync of the whole
	// file system at the end (sync): a batch of cases then costs one
	// sync, not one per file. The caller records the batch as written
	// only after sync returned; a crash before that may leave a renamed
	// file short, which the next run, finding the case still owed,
	// writes again (its bytes differ).
	deferSync bool
	made      map[string]bool // directories known to exist
}

// put writes data to rel atomically: a temporary file in the same
// directory, synced (unless deferSync), then renamed over the old one.
// A file that already holds data is left alone.
func (w *writer) put(rel string, data []byte) error {
	if !safeRel(rel) {
		return fmt.Errorf("website: refusing path %q", rel)
	}
	path := filepath.Join(w.dir, filepath.FromSlash(rel))
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if dir := filepath.Dir(path); !w.made[dir] {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("website: %w", err)
		}
		if w.made == nil {
			w.made = map[string]bool{}
		}
		w.made[dir] = true
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("website: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err == nil && !w.deferSync {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644) // served by a web server
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("website: write %s: %w", rel, err)
	}
	w.written = append(w.written, rel)
	return nil
}

// sync makes every file written durable, when their syncs were
// deferred.
func (w *writer) sync() error {
	if !w.deferSync || len(w.written) == 0 {
		return nil
	}
	if err := syncFS(w.dir); err != nil {
		return fmt.Errorf("website: sync %s: %w", w.dir, err)
	}
	return nil
}

// safeRel accepts a relative slash path that stays below the directory:
// no "..", no absolute path, no empty element. Patch names come from
// mail.
func safeRel(rel string) bool {
	if rel == "" || strings.HasPrefix(rel, "/") || strings.Contains(rel, "\\") {
		return false
	}
	for _, el := range strings.Split(rel, "/") {
		if el == "" || el == "." || el == ".." {
			return false
		}
	}
	return true
}
