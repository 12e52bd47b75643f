package website

import (
	"fmt"
	"sort"
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

// Write writes the pages of every published case, the index, the feed,
// the stylesheet and security.txt. It returns the paths (relative to
// Dir) of the files whose bytes changed.
func (s Site) Write(pages []Page, now time.Time) ([]string, error) {
	sort.SliceStable(pages, func(i, j int) bool { return pages[i].Published.After(pages[j].Published) })
	w := &writer{dir: s.Dir}
	for _, p := range pages {
		if err := s.writeCase(w, p); err != nil {
			return w.written, err
		}
	}
	for _, f := range []struct {
		name   string
		render func([]Page) ([]byte, error)
	}{{"index.html", s.index}, {"feed.atom", s.feed}, {"style.css", func([]Page) ([]byte, error) { return styleCSS, nil }}} {
		b, err := f.render(pages)
		if err == nil {
			err = w.put(f.name, b)
		}
		if err != nil {
			return w.written, fmt.Errorf("website: %s: %w", f.name, err)
		}
	}
	err := w.put(".well-known/security.txt", s.SecurityTxt(now))
	return w.written, err
}

// WriteSecurityTxt writes only .well-known/security.txt (at start).
func (s Site) WriteSecurityTxt(now time.Time) error {
	w := &writer{dir: s.Dir}
	return w.put(".well-known/security.txt", s.SecurityTxt(now))
}

// writeCase writes SEC-…/: the text, the HTML, the exports, the patches.
func (s Site) writeCase(w *writer, p Page) error {
	dir := p.Case.Case
	files, err := export.All(p.Case, s.Settings, export.Options{Modified: p.Published})
	if err != nil {
		return err
	}
	html, err := s.advisoryHTML(p, files)
	if err != nil {
		return err
	}
	put := []struct {
		rel  string
		data []byte
	}{{TextName, p.Text}, {HTMLName, html}}
	for _, f := range files {
		put = append(put, struct {
			rel  string
			data []byte
		}{f.Path, f.Data})
	}
	for _, pt := range p.Patches {
		put = append(put, struct {
			rel  string
			data []byte
		}{export.PatchPath(pt.Name), pt.Data})
	}
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
