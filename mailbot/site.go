package mailbot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"runtime/debug"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/export"
	"github.com/secbot/secbot/mailbot/website"
	"github.com/secbot/secbot/store"
)

// The public pages are files, and a file write is not part of a bbolt
// transaction. So the store keeps what the pages owe: every commit that
// puts a published case marks its pages (store/site.go) and wakes the
// site writer, one goroutine that owns publish.dir. It writes the
// pages of each marked case, from what the store then holds, and only
// then clears the mark, keeping the case's index entry; the index and
// the feed are built from those entries. A crash between the commit and
// the write leaves the mark, so the pages are written at the next start.
// Writing is idempotent (website.Site leaves unchanged files alone).
//
// At start the writer also looks for what the marks cannot know: pages
// rendered under another generation (the site settings, the templates,
// another secbot build: every published case is marked again) and a
// case whose pages were removed from disk (marked again). A site with
// 50,000 published cases is so checked in a stat per case, not written
// again at each start.

// publishCommandTimeout bounds publish.command.
const publishCommandTimeout = 2 * time.Minute

// siteBatch is how many cases the site writer renders per read
// transaction: enough to amortise the transaction, few enough that a
// writer waiting to grow the file is never held long, and that the
// rendered pages in hand stay small.
const siteBatch = 50

// siteRetry is how long the site writer waits after a failure before
// trying again, when nothing wakes it sooner.
const siteRetry = 10 * time.Minute

// siteRenew is how often the site writer renews security.txt.
const siteRenew = 24 * time.Hour

// site is the configured website, if publish.dir is set.
func (b *Bot) site() (website.Site, bool) {
	p := b.cfg.Publish
	if p.Dir == "" {
		return website.Site{}, false
	}
	a := advisory.ProjectOf(b.cfg)
	return website.Site{Dir: b.cfg.Path(p.Dir), Settings: export.SettingsOf(b.cfg), Title: or(a.Name, a.Fallback),
		Contact: b.cfg.Robot.Address, KeyURL: b.cfg.Robot.KeyURL, Policy: p.SecurityTxt.Policy,
		Languages: p.SecurityTxt.Languages, Expires: p.SecurityTxt.Expires}, true
}

func or[T comparable](a, b T) T {
	var zero T
	if a != zero {
		return a
	}
	return b
}

// kickSite wakes the site writer; it never blocks.
func (b *Bot) kickSite() {
	select {
	case b.siteKick <- struct{}{}:
	default:
	}
}

// siteGeneration is what the pages depend on besides the cases: the
// site's settings, the project, the templates and this build.
func (b *Bot) siteGeneration(s website.Site) string {
	p := advisory.ProjectOf(b.cfg)
	return s.Generation(fmt.Sprintf("project %#v\ntemplates %s\nbuild %s", p, b.tmpl.Digest(), buildID()))
}

// buildID names this secbot's build: its module version and VCS
// revision, when the build recorded them.
func buildID() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	id := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
			id += " " + s.Value
		}
	}
	return id
}

// runSite is the site writer: it writes the pages the store marks until
// ctx ends.
func (b *Bot) runSite(ctx context.Context) {
	s, ok := b.site()
	if !ok {
		// No page to write. The marks stay: when publish.dir is set again
		// (its stamp may still match), the cases published meanwhile are
		// owed and written.
		return
	}
	gen := b.siteGeneration(s)
	stale := false
	if err := b.checkSite(s, gen); err != nil {
		b.siteFailed("", "The public pages were not checked", err)
		stale = true
	}
	startup := true
	var retry <-chan time.Time
	if stale {
		gen = "" // no stamp this run: the check did not finish
	}
	renew := time.NewTicker(or(b.opts.SiteRenew, siteRenew))
	defer renew.Stop()
	for {
		err := b.sitePass(ctx, s, startup, gen)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			b.siteFailed("", "The public pages were not written", err)
			retry = time.After(siteRetry)
		} else {
			b.siteErr, retry = "", nil
		}
		startup = false
		select {
		case <-ctx.Done():
			return
		case <-b.siteKick:
		case <-retry:
		case <-renew.C:
			// security.txt's Expires runs from its last write: a daemon
			// that runs for months with nothing published renews it.
			if err := s.WriteSecurityTxt(b.now()); err != nil {
				b.siteFailed("", "security.txt was not renewed", err)
			}
			continue
		}
	}
}

// checkSite marks again what the store's marks cannot know: every
// published case when the pages on disk were rendered under another
// generation (or none), else each case whose pages are gone from disk.
func (b *Bot) checkSite(s website.Site, gen string) error {
	if old := s.Stamp(); old != gen {
		return b.store.Update(func(tx *store.Tx) error {
			n, err := tx.MarkSiteAll()
			if n > 0 {
				reason := "the settings, the templates or secbot changed"
				if old == "" {
					reason = "no stamp: a new site"
				}
				b.log.Info("website: every published case is written again", "cases", n, "reason", reason)
			}
			return err
		})
	}
	var missing []string
	err := b.store.View(func(tx *store.Tx) error {
		return tx.SiteEntries(func(id string) error {
			if !s.HasCase(id) {
				missing = append(missing, id)
			}
			return nil
		})
	})
	if err != nil || len(missing) == 0 {
		return err
	}
	b.log.Info("website: pages missing on disk are written again", "cases", len(missing))
	return b.store.Update(func(tx *store.Tx) error { return tx.MarkSite(missing...) })
}

// sitePass writes the pages of every marked case, siteBatch at a time
// in id order, then the index and the feed when any case was written (or
// at start, when security.txt is renewed too), then the generation stamp
// gen (unless ""), then runs publish.command when a file changed. A case
// whose pages fail keeps its mark, is told to the maintainers, and is
// tried again at the next pass; the others are written.
func (b *Bot) sitePass(ctx context.Context, s website.Site, startup bool, gen string) error {
	var written, cases []string
	var failed caseFailure
	for after := ""; ctx.Err() == nil; {
		var pages []website.Page
		var gone, ids []string
		err := b.store.View(func(tx *store.Tx) error {
			ids = tx.SitePending(after, siteBatch)
			for _, id := range ids {
				p, ok, err := PublishedPage(tx, b, id)
				switch {
				case err != nil:
					b.log.Error("website: case NOT rendered", "case", id, "err", err)
					failed.add(id, err)
				case ok:
					pages = append(pages, p)
				default:
					gone = append(gone, id)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		after = ids[len(ids)-1]
		w, bad, err := s.WriteCases(pages)
		written = append(written, w...)
		if err != nil {
			return err
		}
		err = b.store.Update(func(tx *store.Tx) error {
			for _, p := range pages {
				id := p.Case.Case
				if err := bad[id]; err != nil {
					b.log.Error("website: case NOT written", "case", id, "err", err)
					failed.add(id, err)
					continue
				}
				entry, err := json.Marshal(p.Entry())
				if err != nil {
					return err
				}
				if err := tx.SiteWritten(id, p.Published, entry); err != nil {
					return err
				}
				cases = append(cases, id)
			}
			for _, id := range gone {
				if err := tx.SiteDropped(id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	w, err := b.writeIndex(s, startup)
	written = append(written, w...)
	if err != nil {
		return err
	}
	// The stamp says every published case is written under gen or still
	// marked: true once a pass went through, even when some cases failed
	// (they keep their marks).
	if gen != "" && s.Stamp() != gen {
		if err := s.WriteStamp(gen); err != nil {
			return err
		}
	}
	if len(cases) > 0 || len(written) > 0 {
		b.log.Info("website written", "cases", len(cases), "dir", s.Dir, "files", len(written))
	}
	if b.opts.OnSite != nil {
		for _, id := range cases {
			b.opts.OnSite(id, written)
		}
		if startup {
			b.opts.OnSite("", written)
		}
	}
	if len(written) > 0 && len(b.cfg.Publish.Command) > 0 {
		b.runPublishCommand(ctx, s.Dir, strings.Join(cases, " "))
	}
	if failed.n > 0 {
		return &failed
	}
	return nil
}

// caseFailure is a pass that wrote every case but some: those keep
// their marks, and the pass otherwise counts as done.
type caseFailure struct {
	n     int
	first error
}

func (f *caseFailure) add(id string, err error) {
	if f.n == 0 {
		f.first = fmt.Errorf("case %s: %w", id, err)
	}
	f.n++
}

func (f *caseFailure) Error() string {
	if f.n == 1 {
		return f.first.Error()
	}
	return fmt.Sprintf("%v (and %d more cases)", f.first, f.n-1)
}

// indexChunk is how many index entries one read transaction decodes
// while the index is streamed to its file.
const indexChunk = 500

// writeIndex writes the index, the feed and security.txt from the
// entries of the cases whose pages were written, when an entry changed
// since the index was last written or the index is gone; at start it
// renews security.txt (its Expires) at least. The entries are read
// indexChunk at a time, each chunk in a read transaction of its own, and
// streamed to the file: neither 50,000 entries nor the page of them are
// held in memory, nor one read transaction for the whole write.
func (b *Bot) writeIndex(s website.Site, startup bool) ([]string, error) {
	var owed bool
	var order []string
	err := b.store.View(func(tx *store.Tx) (err error) {
		if owed = tx.SiteIndexOwed() || !s.HasIndex(); owed {
			order, err = tx.SiteOrder()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if !owed {
		if startup {
			return nil, s.WriteSecurityTxt(b.now())
		}
		return nil, nil
	}
	var chunk []website.Entry
	next := func() (website.Entry, error) {
		if len(chunk) == 0 {
			ids := order[:min(indexChunk, len(order))]
			order = order[len(ids):]
			err := b.store.View(func(tx *store.Tx) error {
				for _, id := range ids {
					var e website.Entry
					if err := json.Unmarshal(tx.SiteEntry(id), &e); err != nil {
						return fmt.Errorf("site entry of %s: %w", id, err)
					}
					chunk = append(chunk, e)
				}
				return nil
			})
			if err != nil {
				return website.Entry{}, err
			}
		}
		e := chunk[0]
		chunk = chunk[1:]
		return e, nil
	}
	written, err := s.WriteIndex(website.Index{N: len(order), Next: next}, b.now())
	if err != nil {
		return written, err
	}
	return written, b.store.Update(func(tx *store.Tx) error { return tx.SiteIndexWritten() })
}

// PublishedPage reads the pages of case id, when it is published: it is
// the only way into the website, and a case in any other state answers
// false, so nothing of an embargoed case can reach publish.dir.
func PublishedPage(tx *store.Tx, b *Bot, id string) (website.Page, bool, error) {
	c, err := tx.Case(id)
	if errors.Is(err, store.ErrNotFound) {
		return website.Page{}, false, nil
	}
	if err != nil || c.State != store.StatePublished {
		return website.Page{}, false, err
	}
	a, err := advisory.Load(tx, c.ID, advisory.ProjectOf(b.cfg))
	if err != nil {
		return website.Page{}, false, err
	}
	subj, text, err := a.Render(b.tmpl, false)
	if err != nil {
		return website.Page{}, false, fmt.Errorf("render advisory %s: %w", c.ID, err)
	}
	p := website.Page{Case: export.NewCase(a), Subject: subj, Text: text, Published: c.Embargo.Published}
	for _, pt := range a.Patches {
		// PatchData is valid only inside the transaction.
		p.Patches = append(p.Patches, website.Patch{Name: pt.Name, Data: bytes.Clone(tx.PatchData(pt.SHA256))})
	}
	return p, true, nil
}

// siteFailed logs a failure of the site writer and tells the
// maintainers, once for each new failure: a directory that stays
// unwritable is told once, not at every retry.
func (b *Bot) siteFailed(caseID, title string, err error) {
	b.log.Error("website NOT written", "case", caseID, "err", err)
	if err.Error() == b.siteErr {
		return
	}
	b.siteErr = err.Error()
	b.tellSiteFailure(caseID, title, err.Error())
}

// runPublishCommand runs publish.command without a shell, in publish.dir.
func (b *Bot) runPublishCommand(ctx context.Context, dir, caseID string) {
	ctx, cancel := context.WithTimeout(ctx, publishCommandTimeout)
	defer cancel()
	argv := b.cfg.Publish.Command
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &limitedWriter{w: &stderr, n: 4096}
	err := cmd.Run()
	if err == nil {
		b.log.Info("publish.command ran", "case", caseID, "program", argv[0])
		return
	}
	status := -1
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		status = ee.ExitCode()
	}
	b.log.Error("publish.command failed", "case", caseID, "program", argv[0], "status", status, "err", err, "stderr", stderr.String())
	b.tellSiteFailure(caseID, "publish.command failed",
		fmt.Sprintf("%s failed (exit status %d): %v\n\nIts standard error:\n%s", argv[0], status, err, stderr.String()))
}

// tellSiteFailure queues a notice to the maintainers.
func (b *Bot) tellSiteFailure(caseID, title, text string) {
	now := b.now()
	err := b.store.Update(func(tx *store.Tx) error {
		_, err := b.queueNotice(tx, caseID, fmt.Sprintf("website.%s.%d", caseID, now.UnixNano()), title, text, 0, now)
		return err
	})
	if err != nil {
		b.log.Error("notice of website failure NOT queued", "case", caseID, "err", err)
		return
	}
	b.kick()
}

// limitedWriter keeps the first n bytes and drops the rest.
type limitedWriter struct {
	w *bytes.Buffer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if room := l.n - l.w.Len(); room > 0 {
		l.w.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
