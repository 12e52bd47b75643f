package mailbot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/export"
	"github.com/secbot/secbot/mailbot/website"
	"github.com/secbot/secbot/store"
)

// The public pages are files, and a file write is not part of a bbolt
// transaction. So the store decides: publishCase writes the pages only
// after its transaction committed (tx.OnCommit), from what the store
// then holds, and Run writes them again at start, which fills in what a
// crash between the commit and the write left out. Writing is
// idempotent (website.Site.Write leaves unchanged files alone), so both
// may run any number of times.

// publishCommandTimeout bounds publish.command.
const publishCommandTimeout = 2 * time.Minute

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

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// PublishedPages reads the pages of every published case. It is the
// only way into the website: a case in any other state is skipped here,
// so nothing of an embargoed case can reach publish.dir.
func PublishedPages(tx *store.Tx, b *Bot) ([]website.Page, error) {
	cases, err := tx.Cases()
	if err != nil {
		return nil, err
	}
	var pages []website.Page
	for _, c := range cases {
		if c.State != store.StatePublished {
			continue
		}
		a, err := advisory.Load(tx, c.ID, advisory.ProjectOf(b.cfg))
		if err != nil {
			return nil, err
		}
		subj, text, err := a.Render(b.tmpl, false)
		if err != nil {
			return nil, fmt.Errorf("render advisory %s: %w", c.ID, err)
		}
		p := website.Page{Case: export.NewCase(a), Subject: subj, Text: text, Published: c.Embargo.Published}
		for _, pt := range a.Patches {
			// PatchData is valid only inside the transaction.
			p.Patches = append(p.Patches, website.Patch{Name: pt.Name, Data: bytes.Clone(tx.PatchData(pt.SHA256))})
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// writeSite writes the public pages from the store, then runs
// publish.command when a file changed. caseID names the publication
// that caused it ("" at start). A failure is logged and told to the
// maintainers.
func (b *Bot) writeSite(ctx context.Context, caseID string) {
	s, ok := b.site()
	if !ok {
		return
	}
	var pages []website.Page
	err := b.store.View(func(tx *store.Tx) error {
		var err error
		pages, err = PublishedPages(tx, b)
		return err
	})
	var written []string
	if err == nil {
		written, err = s.Write(pages, b.now())
	}
	if err != nil {
		b.log.Error("website NOT written", "case", caseID, "dir", s.Dir, "err", err)
		b.tellSiteFailure(caseID, "The public pages were not written", err.Error())
		return
	}
	b.log.Info("website written", "case", caseID, "dir", s.Dir, "files", len(written))
	if b.opts.OnSite != nil {
		b.opts.OnSite(caseID, written)
	}
	if len(written) > 0 && len(b.cfg.Publish.Command) > 0 {
		b.runPublishCommand(ctx, s.Dir, caseID)
	}
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
