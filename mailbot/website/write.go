package website

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
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
	return w.replace(rel, path, func(f io.Writer) error { _, err := f.Write(data); return err })
}

// putStream is put for a file too large to hold: fill writes it to the
// temporary file, and it is compared with the old one by digest, both
// read as streams.
func (w *writer) putStream(rel string, fill func(io.Writer) error) error {
	if !safeRel(rel) {
		return fmt.Errorf("website: refusing path %q", rel)
	}
	path := filepath.Join(w.dir, filepath.FromSlash(rel))
	oldSum, oldErr := fileDigest(path)
	var newSum []byte
	var same bool
	err := w.replace(rel, path, func(f io.Writer) error {
		h := sha256.New()
		bw := bufio.NewWriterSize(io.MultiWriter(f, h), 64<<10)
		if err := fill(bw); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		newSum = h.Sum(nil)
		if same = oldErr == nil && bytes.Equal(oldSum, newSum); same {
			return errUnchanged
		}
		return nil
	})
	if same {
		return nil
	}
	return err
}

// errUnchanged ends a replace whose new bytes are the old ones.
var errUnchanged = errors.New("unchanged")

func fileDigest(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// replace writes a temporary file beside path with fill, syncs it
// (unless deferSync) and renames it over path.
func (w *writer) replace(rel, path string, fill func(io.Writer) error) error {
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
	if err = fill(tmp); err == nil && !w.deferSync {
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
	if errors.Is(err, errUnchanged) {
		return err
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
