package mailbot_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot"
	"github.com/secbot/secbot/mailbot/demo"
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
