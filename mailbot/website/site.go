package website

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/export"
)

// Site is the configuration of the pages (publish.*).
type Site struct {
	Dir      string
	Settings export.Settings // publish.url is Settings.SiteURL
	Title    string          // the project's name
	// Contact is the security@ address; KeyURL where its key is served.
	Contact, KeyURL string
	// Policy, Languages and Expires are RFC 9116 fields (publish.security_txt).
	Policy, Languages string
	Expires           time.Duration
}

// Page is one published case.
type Page struct {
	Case      export.Case
	Subject   string // of the announcement
	Text      []byte // the final advisory, as announced
	Published time.Time
	Patches   []Patch
}

// Patch is a published patch file.
type Patch struct {
	Name string
	Data []byte
}

// Files is what a case's directory holds besides its exports.
const (
	TextName = "advisory.txt"
	HTMLName = "index.html"
)

// Entry is what the index and the feed show of a published case: kept
// by the store beside each case whose pages were written, so that the
// index is rebuilt without rendering every case again.
type Entry struct {
	Case      string      `json:"case"`
	Subject   string      `json:"subject"`
	Published time.Time   `json:"published"`
	Vulns     []EntryVuln `json:"vulns"`
}

// EntryVuln is one vulnerability's line in the index.
type EntryVuln struct {
	Title string `json:"title"`
	CVE   string `json:"cve,omitempty"`
	Level string `json:"level,omitempty"`
}

// Entry is p's line in the index and the feed.
func (p Page) Entry() Entry {
	e := Entry{Case: p.Case.Case, Subject: p.Subject, Published: p.Published}
	for _, v := range p.Case.Vulns {
		e.Vulns = append(e.Vulns, EntryVuln{Title: v.Title, CVE: v.CVE, Level: v.Severity.Level})
	}
	return e
}

// FeedEntries is how many advisories the Atom feed holds, the newest:
// readers poll it, and the index lists them all.
const FeedEntries = 100

// Write writes the pages of every page given, then the index and the
// feed of exactly those, the stylesheet and security.txt. It returns the
// paths (relative to Dir) of the files whose bytes changed.
func (s Site) Write(pages []Page, now time.Time) ([]string, error) {
	var written []string
	entries := make([]Entry, 0, len(pages))
	for _, p := range pages {
		w, err := s.WriteCase(p)
		written = append(written, w...)
		if err != nil {
			return written, err
		}
		entries = append(entries, p.Entry())
	}
	slices.SortStableFunc(entries, Newer)
	i := 0
	w, err := s.WriteIndex(Index{N: len(entries), Next: func() (Entry, error) { i++; return entries[i-1], nil }}, now)
	return append(written, w...), err
}

// Newer orders entries as the index lists them: newest first, and by
// case id, the later first, within the same time.
func Newer(a, b Entry) int {
	if c := b.Published.Compare(a.Published); c != 0 {
		return c
	}
	return strings.Compare(b.Case, a.Case)
}

// Index is the entries of the index, in its order (Newer), read one at
// a time: the site writer does not hold 50,000 of them at once.
type Index struct {
	N    int                   // how many
	Next func() (Entry, error) // the next entry; called N times
}

// WriteIndex writes the index (streamed to its file) and the feed of
// the entries, the stylesheet and security.txt, and returns the paths
// of the files whose bytes changed.
func (s Site) WriteIndex(ix Index, now time.Time) ([]string, error) {
	w := &writer{dir: s.Dir}
	var feed []Entry
	err := w.putStream("index.html", func(f io.Writer) (err error) {
		feed, err = s.index(f, ix)
		return err
	})
	if err != nil {
		return w.written, fmt.Errorf("website: index.html: %w", err)
	}
	for _, f := range []struct {
		name   string
		render func() ([]byte, error)
	}{{"feed.atom", func() ([]byte, error) { return s.feed(feed) }}, {"style.css", func() ([]byte, error) { return styleCSS, nil }}} {
		b, err := f.render()
		if err == nil {
			err = w.put(f.name, b)
		}
		if err != nil {
			return w.written, fmt.Errorf("website: %s: %w", f.name, err)
		}
	}
	err = w.put(".well-known/security.txt", s.SecurityTxt(now))
	return w.written, err
}

// HasIndex reports whether the index and the feed are on disk.
func (s Site) HasIndex() bool {
	for _, name := range []string{"index.html", "feed.atom"} {
		if _, err := os.Stat(filepath.Join(s.Dir, name)); err != nil {
			return false
		}
	}
	return true
}

// WriteSecurityTxt writes only .well-known/security.txt.
func (s Site) WriteSecurityTxt(now time.Time) error {
	w := &writer{dir: s.Dir}
	return w.put(".well-known/security.txt", s.SecurityTxt(now))
}

// WriteCase writes SEC-…/: the text, the exports, the patches, and the
// HTML page last, so that a case whose index.html exists was written
// whole (HasCase). It returns the paths of the files whose bytes
// changed.
func (s Site) WriteCase(p Page) ([]string, error) {
	w := &writer{dir: s.Dir}
	err := s.writeCase(w, p)
	return w.written, err
}

// WriteCases writes the pages of several cases, then makes them durable
// in one sync of the file system (where the system can). failed holds
// the cases that were not written, with why: one case's failure does not
// hold back the others. When err is not nil, none is durable.
func (s Site) WriteCases(pages []Page) (written []string, failed map[string]error, err error) {
	w := &writer{dir: s.Dir, deferSync: canDeferSync}
	failed = map[string]error{}
	for _, p := range pages {
		if err := s.writeCase(w, p); err != nil {
			failed[p.Case.Case] = err
		}
	}
	return w.written, failed, w.sync()
}

func (s Site) writeCase(w *writer, p Page) error {
	dir := p.Case.Case
	if !safeRel(dir) || strings.Contains(dir, "/") {
		return fmt.Errorf("website: refusing case directory %q", dir)
	}
	files, err := export.All(p.Case, s.Settings, export.Options{Modified: p.Published})
	if err != nil {
		return err
	}
	html, err := s.advisoryHTML(p, files)
	if err != nil {
		return err
	}
	type file struct {
		rel  string
		data []byte
	}
	put := []file{{TextName, p.Text}}
	for _, f := range files {
		put = append(put, file{f.Path, f.Data})
	}
	for _, pt := range p.Patches {
		put = append(put, file{export.PatchPath(pt.Name), pt.Data})
	}
	put = append(put, file{HTMLName, html})
	for _, f := range put {
		// Checked before joining: path.Join would clean "../" away into
		// another case's directory.
		if !safeRel(f.rel) {
			return fmt.Errorf("website: refusing path %q in %s", f.rel, dir)
		}
		if err := w.put(dir+"/"+f.rel, f.data); err != nil {
			return err
		}
	}
	return nil
}

// HasCase reports whether the pages of case id are on disk: its
// index.html, which WriteCase writes last, exists.
func (s Site) HasCase(id string) bool {
	if !safeRel(id) || strings.Contains(id, "/") {
		return false
	}
	_, err := os.Stat(filepath.Join(s.Dir, id, HTMLName))
	return err == nil
}

// SecurityTxt is .well-known/security.txt (RFC 9116 section 2.5):
// Contact and Expires are required; Encryption, Policy, Canonical and
// Preferred-Languages are written when configured.
func (s Site) SecurityTxt(now time.Time) []byte {
	var b strings.Builder
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	line("Contact", "mailto:"+s.Contact)
	line("Expires", now.Add(s.Expires).UTC().Format(time.RFC3339))
	line("Encryption", s.KeyURL)
	line("Policy", s.Policy)
	if s.Settings.SiteURL != "" {
		line("Canonical", siteURL(s.Settings.SiteURL, ".well-known/security.txt"))
	}
	line("Preferred-Languages", s.Languages)
	return []byte(b.String())
}

// siteURL joins publish.url and a relative path.
func siteURL(base, rel string) string { return strings.TrimSuffix(base, "/") + "/" + rel }
