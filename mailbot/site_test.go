package mailbot_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/website"
	"github.com/secbot/secbot/store"
)

// TestSiteHoldsNothingEmbargoed publishes one case while a second one,
// armed for a later CRD, stays under embargo: the public pages, written
// at the first CRD and again at the next start, hold nothing of the
// second.
func TestSiteHoldsNothingEmbargoed(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	mails := 1
	body, crd := fieldsBody(e, 7)
	e.command(relayID, body+"publish\n")
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "armed") {
		t.Fatalf("publish:\n%s", tr)
	}

	// The second case: its own relay, its own case id in the signed text.
	e.send(e.Reporter, report("Second flaw"))
	relay2 := messageID(t, e.waitMail(e.Maintainers[0].Address, mails+1)[mails].Data)
	mails++
	secret := "SECRET-EMBARGOED-TWO"
	body2, _ := fieldsBody(e, 14)
	body2 = strings.NewReplacer("Heap overflow in frobnicate()", secret+" title", "SECRET-IMPACT", secret+"-IMPACT").Replace(body2)
	e.send(e.Maintainers[0], demo.Mail{Subject: "Re: [SEC-2026-0002] Second flaw", InReplyTo: relay2, Sign: true,
		Body: body2 + "publish\n\n> [SEC-2026-0002] New report, case SEC-2026-0002.\n"})
	if tr := e.nextTranscript(&mails); !strings.Contains(tr, "armed") || !strings.Contains(tr, "SEC-2026-0002") {
		t.Fatalf("second case:\n%s", tr)
	}

	e.Clock.AdvanceTo(crd.Add(time.Second))
	e.KickScheduler()
	if err := e.WaitSite(e.ctx, "SEC-2026-0001", wait); err != nil {
		t.Fatal(err)
	}
	if c := e.caseByID("SEC-2026-0002"); c.State == store.StatePublished {
		t.Fatal("the second case was published")
	}
	scanSite(t, e.SiteDir, secret, "SEC-2026-0002")
	if _, err := os.Stat(filepath.Join(e.SiteDir, "SEC-2026-0001", "index.html")); err != nil {
		t.Fatalf("the published case has no page: %v", err)
	}

	// A restart rewrites what is missing, and still nothing embargoed.
	if err := os.RemoveAll(filepath.Join(e.SiteDir, "SEC-2026-0001")); err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.WaitSite(e.ctx, "", wait); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(e.SiteDir, "SEC-2026-0001", "advisory.txt")); err != nil {
		t.Errorf("start did not rewrite the missing page: %v", err)
	}
	scanSite(t, e.SiteDir, secret, "SEC-2026-0002")
}

// scanSite fails when any file below dir holds one of the texts.
func scanSite(t *testing.T, dir string, texts ...string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		b, err := os.ReadFile(p)
		for _, s := range texts {
			if strings.Contains(string(b), s) || strings.Contains(p, s) {
				t.Errorf("%s holds %q", p, s)
			}
		}
		return err
	})
	if err != nil || n < 5 {
		t.Fatalf("scanned %d files: %v", n, err)
	}
}

// TestPublishCommandFailureIsTold: publish.command runs after the pages
// are written; when it fails, the maintainers get a notice with its exit
// status and standard error.
func TestPublishCommandFailureIsTold(t *testing.T) {
	e := newEnv(t, demo.Options{Tune: func(o *mailbot.Options) {
		o.Config.Publish.Command = []string{"sh", "-c", "test -f index.html && echo SITE-PUSH-FAILED >&2; exit 3"}
	}})
	relayID := e.openCase()
	body, _ := fieldsBody(e, 7)
	e.command(relayID, body+"publish now\n")
	if err := e.WaitSite(e.ctx, "SEC-2026-0001", wait); err != nil {
		t.Fatal(err)
	}
	text := e.mailSaying(e.Maintainers[0], "publish.command failed")
	for _, want := range []string{"exit status 3", "SITE-PUSH-FAILED"} {
		if !strings.Contains(text, want) {
			t.Errorf("notice lacks %q:\n%s", want, text)
		}
	}
}

// siteCalls records the site writer's OnSite calls: the case ids whose
// pages it wrote, and "" at the end of its first pass after a start.
type siteCalls struct {
	mu  sync.Mutex
	ids []string
}

func (s *siteCalls) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.ids
	s.ids = nil
	return ids
}

// TestSiteWritesOnlyWhatChanged: the pages of a published case follow a
// later change of its advisory without a restart; a restart with
// nothing changed renders no case again (it checks each case's page on
// disk); a restart under other site settings renders every published
// case again.
func TestSiteWritesOnlyWhatChanged(t *testing.T) {
	calls := &siteCalls{}
	var siteURL atomic.Value
	siteURL.Store("")
	e := newEnv(t, demo.Options{Tune: func(o *mailbot.Options) {
		if u := siteURL.Load().(string); u != "" {
			o.Config.Publish.URL = u
		}
		next := o.OnSite
		o.OnSite = func(id string, written []string) {
			calls.mu.Lock()
			calls.ids = append(calls.ids, id)
			calls.mu.Unlock()
			next(id, written)
		}
	}})
	relayID := e.openCase()
	mails := 1
	body, _ := fieldsBody(e, 7)
	e.commandOK(relayID, body+"publish now\n", "published", &mails)
	if err := e.WaitSite(e.ctx, "SEC-2026-0001", wait); err != nil {
		t.Fatal(err)
	}
	page := func(rel string) string {
		b, err := os.ReadFile(filepath.Join(e.SiteDir, rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if !strings.Contains(page("index.html"), "Heap overflow in frobnicate()") {
		t.Fatalf("index lacks the case:\n%s", page("index.html"))
	}

	// A field changed after publication: the pages follow.
	calls.take()
	e.commandOK(relayID, "title Heap overflow in frobnicate(), now fixed\n", "now fixed", &mails)
	if err := e.WaitSite(e.ctx, "SEC-2026-0001", wait); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"SEC-2026-0001/index.html", "SEC-2026-0001/advisory.txt", "index.html", "feed.atom"} {
		if !strings.Contains(page(rel), "now fixed") {
			t.Errorf("%s lacks the new title:\n%s", rel, page(rel))
		}
	}

	restart := func() []string {
		t.Helper()
		if err := e.Stop(); err != nil {
			t.Fatal(err)
		}
		calls.take()
		if err := e.Start(e.ctx); err != nil {
			t.Fatal(err)
		}
		if err := e.WaitSite(e.ctx, "", wait); err != nil {
			t.Fatal(err)
		}
		return calls.take()
	}
	if got := restart(); !slices.Equal(got, []string{""}) {
		t.Errorf("a restart with nothing changed wrote the pages of %v", got)
	}
	// A crash after the entries committed and before the index was
	// written: the store still owes the index, and the next start writes it.
	if err := os.WriteFile(filepath.Join(e.SiteDir, "index.html"), []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(e.Dir, "secbot.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(func(tx *store.Tx) error {
		c, err := tx.Case("SEC-2026-0001")
		if err != nil {
			return err
		}
		return tx.SiteWritten(c.ID, c.Embargo.Published, tx.SiteEntry(c.ID)) // the entry as it was: owes the index
	})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := restart(); !slices.Equal(got, []string{""}) || !strings.Contains(page("index.html"), "now fixed") {
		t.Errorf("a restart owing the index wrote the pages of %v, and the index:\n%s", got, page("index.html"))
	}
	siteURL.Store("https://frob.example/advisories/")
	if got := restart(); !slices.Equal(got, []string{"SEC-2026-0001", ""}) {
		t.Errorf("a restart under a new publish.url wrote the pages of %v, want SEC-2026-0001 then the index", got)
	}
	if !strings.Contains(page("feed.atom"), "https://frob.example/advisories/SEC-2026-0001/") {
		t.Errorf("feed not written under the new URL:\n%s", page("feed.atom"))
	}
	if got := restart(); !slices.Equal(got, []string{""}) {
		t.Errorf("a second restart under the new publish.url wrote the pages of %v", got)
	}
}

// TestSiteOwesWhatWasPublishedWithoutIt: a case published while
// publish.dir is unset is written once it is set again, though the
// site's stamp (which does not name the directory) still matches.
func TestSiteOwesWhatWasPublishedWithoutIt(t *testing.T) {
	var off atomic.Bool
	e := newEnv(t, demo.Options{Tune: func(o *mailbot.Options) {
		if off.Load() {
			o.Config.Publish.Dir = ""
		}
	}})
	if err := e.WaitSite(e.ctx, "", wait); err != nil { // the empty site and its stamp
		t.Fatal(err)
	}
	restart := func() {
		t.Helper()
		if err := e.Stop(); err != nil {
			t.Fatal(err)
		}
		if err := e.Start(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	off.Store(true)
	restart()
	relayID := e.openCase()
	mails := 1
	body, _ := fieldsBody(e, 7)
	e.commandOK(relayID, body+"publish now\n", "published", &mails)
	if _, err := os.Stat(filepath.Join(e.SiteDir, "SEC-2026-0001")); err == nil {
		t.Fatal("pages written without publish.dir")
	}
	restart() // still without: the mark stays
	off.Store(false)
	restart()
	if err := e.WaitSite(e.ctx, "SEC-2026-0001", wait); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(e.SiteDir, "SEC-2026-0001", "index.html")); err != nil {
		t.Fatal(err)
	}
}

// TestSecurityTxtIsRenewed: a daemon that runs on with nothing published
// renews security.txt, whose Expires would else pass.
func TestSecurityTxtIsRenewed(t *testing.T) {
	e := newEnv(t, demo.Options{Tune: func(o *mailbot.Options) { o.SiteRenew = 20 * time.Millisecond }})
	if err := e.WaitSite(e.ctx, "", wait); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(e.SiteDir, ".well-known", "security.txt")
	expires := func() string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "Expires: "); ok {
				return v
			}
		}
		t.Fatalf("no Expires in\n%s", b)
		return ""
	}
	first := expires()
	e.Clock.Advance(100 * 24 * time.Hour)
	want := e.Clock.Now().Add(180 * 24 * time.Hour).UTC().Format(time.RFC3339)
	deadline := time.Now().Add(wait)
	for expires() != want {
		if time.Now().After(deadline) {
			t.Fatalf("Expires %s, want %s (was %s)", expires(), want, first)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPublishedPageIsTheGate: PublishedPage, the only way into the
// website, renders a published case and answers false for a case in any
// other state, whatever marks the store holds.
func TestPublishedPageIsTheGate(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	mails := 1
	body, _ := fieldsBody(e, 7)
	e.commandOK(relayID, body+"publish\n", "armed", &mails)
	page := func() (website.Page, bool) {
		var p website.Page
		var ok bool
		err := e.View(func(tx *store.Tx) (err error) {
			p, ok, err = mailbot.PublishedPage(tx, e.Bot(), "SEC-2026-0001")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return p, ok
	}
	if _, ok := page(); ok {
		t.Fatal("an armed case under embargo has public pages")
	}
	e.commandOK(relayID, "publish now\n", "published", &mails)
	if p, ok := page(); !ok || p.Case.Case != "SEC-2026-0001" || !strings.Contains(string(p.Text), "frobnicate") {
		t.Fatalf("the published case: ok %v, page %+v", ok, p.Case)
	}
	var missing bool
	e.View(func(tx *store.Tx) error {
		_, ok, err := mailbot.PublishedPage(tx, e.Bot(), "SEC-2026-0099")
		missing = !ok && err == nil
		return nil
	})
	if !missing {
		t.Error("a case that does not exist: want no page and no error")
	}
}
