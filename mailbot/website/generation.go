package website

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// Layout numbers the way this package lays out and renders the pages;
// raise it when a change to this package changes what a case's files
// hold, so that a site written before is written again.
const Layout = 1

// StampName is the file in Dir that holds the generation the pages of
// every written case were rendered with.
const StampName = ".secbot-site"

// Generation identifies everything besides a case's own data that its
// pages depend on: this package's Layout, the site's settings (not
// Dir, and not Expires, which only security.txt shows and which is
// written anew each time), and the digest of the rest of the rendering
// (the advisory template, the code's build), which the caller gives.
// Pages written under another generation are stale.
func (s Site) Generation(rendering string) string {
	settings := s
	settings.Dir, settings.Expires = "", 0
	h := sha256.New()
	// %#v of a struct of strings and numbers: every field, in order.
	fmt.Fprintf(h, "layout %d\n%#v\n%s\n", Layout, settings, rendering)
	return hex.EncodeToString(h.Sum(nil))
}

// Stamp reads the generation written by WriteStamp, "" when there is
// none.
func (s Site) Stamp() string {
	b, err := os.ReadFile(filepath.Join(s.Dir, StampName))
	if err != nil {
		return ""
	}
	return string(bytes.TrimSpace(b))
}

// WriteStamp records that every published case's pages were written
// under generation gen.
func (s Site) WriteStamp(gen string) error {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return fmt.Errorf("website: %w", err)
	}
	w := &writer{dir: s.Dir}
	return w.put(StampName, []byte(gen+"\n"))
}
