package mailbot_test

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/store"
)

// digestTimer is the stored digest timer, if any.
func (e *env) digestTimer() (store.Timer, bool) {
	e.t.Helper()
	var (
		t  store.Timer
		ok bool
	)
	if err := e.View(func(tx *store.Tx) error {
		var err error
		t, ok, err = tx.TimerOf("", store.TimerDigest)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return t, ok
}

// TestWeeklyDigest: with digest.day and digest.hour set, the maintainers
// get, encrypted, every open case with its age and state, CRD and days
// left, missing fields, pending credits, pre-notified contacts and the
// time since a maintainer last acted; the timer is in the store, survives
// a restart, and is re-armed a week on. The clock is moved by the test.
func TestWeeklyDigest(t *testing.T) {
	start := time.Now().UTC()
	d := config.Digest{Day: start.Add(48 * time.Hour).Weekday().String(), Hour: 9}
	e := newEnv(t, demo.Options{ConfigExtra: fmt.Sprintf("\n[digest]\nday = %q\nhour = 9\n", strings.ToLower(d.Day))})
	due := d.Next(e.Clock.Now())
	if err := e.WaitIdle(e.ctx, wait); err != nil { // Run arms the digest before it reads mail
		t.Fatal(err)
	}
	if got, ok := e.digestTimer(); !ok || !got.At.Equal(due) {
		t.Fatalf("digest timer %+v (%v), want one at %s", got, ok, due)
	}

	mails := 1
	relayID, _ := e.prenotifyAcme(&mails)
	e.command(relayID, "credit Rita Reporter <"+e.Reporter.Address+"> as finder\n")
	e.nextTranscript(&mails)
	e.send(e.Reporter, report("Second report"))
	e.waitMail(e.Maintainers[0].Address, mails+1)
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}

	// The timer is in the store: a restart keeps it, and one due while
	// secbot is down goes out when it starts.
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	e.Clock.AdvanceTo(due.Add(time.Minute))
	if err := e.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	alice := e.Maintainers[0]
	text := e.mailWith(alice, mails+2, "Weekly digest")
	for _, want := range []string{
		"Weekly digest: 2 open cases",
		"SEC-2026-0001  Heap overflow in frobnicate()", "State:          accepted",
		"CRD:            ", "days left", "Missing:        recommended: CVE identifier",
		"Pending credit: Rita Reporter", "Pre-notified:   acme (",
		"SEC-2026-0002  Second report", "State:          new", "Missing:        title, versions affected", "Pre-notified:   nobody", "Last maintainer action: never",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	// The digest falls one or two days after the cases opened, by the
	// time of day the test runs at.
	if !regexp.MustCompile(`Opened: +\S+ \S+ \S+ UTC, [12] days? ago`).MatchString(text) {
		t.Errorf("digest does not give the cases' age:\n%s", text)
	}
	if !regexp.MustCompile(`SEC-2026-0001 .*Last maintainer action: [12] days? ago`).MatchString(text) {
		t.Errorf("digest does not say when a maintainer last acted:\n%s", text)
	}
	if strings.Contains(text, "SECRET-IMPACT") {
		t.Errorf("the digest quotes the impact")
	}
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	bob := e.Maintainers[1]
	e.mailWith(bob, len(e.Sim.To(bob.Address)), "Weekly digest")
	if got, ok := e.digestTimer(); !ok || !got.At.Equal(due.AddDate(0, 0, 7)) {
		t.Errorf("digest timer after firing %+v (%v), want %s", got, ok, due.AddDate(0, 0, 7))
	}

	// Turned off, the digest's timer goes at the next start.
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	conf, err := os.ReadFile(e.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	off, _, _ := bytes.Cut(conf, []byte("\n[digest]"))
	if err := os.WriteFile(e.ConfigPath, off, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.WaitIdle(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	if got, ok := e.digestTimer(); ok {
		t.Errorf("digest off, but its timer is kept: %+v", got)
	}
}
