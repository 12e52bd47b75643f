package mailbot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/store"
)

// alertMails counts the mails to p whose text holds marker.
func (e *env) alertMails(p demo.Person, marker string) int {
	e.t.Helper()
	n := 0
	for _, d := range e.Sim.To(p.Address) {
		if strings.Contains(allText(e.t, e.read(p, d).Message), marker) {
			n++
		}
	}
	return n
}

// waitAlerts waits until p got want mails holding marker.
func (e *env) waitAlerts(p demo.Person, marker string, want int) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, wait)
	defer cancel()
	if !e.Sim.WaitFor(ctx, func() bool { return e.alertMails(p, marker) >= want }) {
		e.t.Fatalf("%s got %d mails with %q, want %d", p.Address, e.alertMails(p, marker), marker, want)
	}
	if got := e.alertMails(p, marker); got != want {
		e.t.Fatalf("%s got %d mails with %q, want %d", p.Address, got, marker, want)
	}
}

// TestIntakeAlert: an IMAP server that refuses every session for longer
// than alert.intake_after (default 30m, on the moved clock) sends every
// maintainer one encrypted alert; a restart while it still fails sends
// none again (the state is in the store); a sync sends one "cleared"; a
// second fault within alert.every is not told, one after it is.
func TestIntakeAlert(t *testing.T) {
	e := newEnv(t, demo.Options{IntakeAlert: 30 * time.Minute})
	alice, bob := e.Maintainers[0], e.Maintainers[1]
	if err := e.WaitIdle(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	const raised, cleared = "Alert: intake is failing", "Cleared: intake works again"

	e.Sim.SetIMAPDown(true)
	e.Clock.Advance(31 * time.Minute)
	e.waitAlerts(alice, raised, 1)
	e.waitAlerts(bob, raised, 1)
	text := e.mailWith(alice, len(e.Sim.To(alice.Address)), raised)
	if !strings.Contains(text, "has not synced with the IMAP mailbox since") || !strings.Contains(text, "alert.intake_after is 30m0s") {
		t.Errorf("alert text:\n%s", text)
	}

	// A restart while IMAP still fails keeps the open alert: after more
	// than intake_after again, no second alert.
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(31 * time.Minute)
	e.waitScheduler()
	var a store.Alert
	if err := e.View(func(tx *store.Tx) (err error) { a, err = tx.AlertOf("intake"); return err }); err != nil {
		t.Fatal(err)
	}
	if !a.Open || a.Raised.IsZero() {
		t.Fatalf("stored alert after restart %+v, want open", a)
	}

	e.Sim.SetIMAPDown(false)
	e.waitAlerts(alice, cleared, 1)
	e.waitAlerts(bob, cleared, 1)
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	e.waitAlerts(alice, raised, 1)

	// A second fault within alert.every (6h) is not told; past it, it is.
	e.Sim.SetIMAPDown(true)
	e.Clock.Advance(2 * time.Hour)
	e.waitScheduler()
	e.waitAlerts(alice, raised, 1)
	e.Clock.Advance(5 * time.Hour)
	e.waitAlerts(alice, raised, 2)
	e.Sim.SetIMAPDown(false)
	e.waitAlerts(alice, cleared, 2)
}

// waitScheduler waits until the scheduler has completed a look begun
// after the call, so that it saw the clock as it is now.
func (e *env) waitScheduler() {
	e.t.Helper()
	b := e.Bot()
	n := b.SchedulerLooks()
	b.KickScheduler()
	ctx, cancel := context.WithTimeout(e.ctx, wait)
	defer cancel()
	if !e.Sim.WaitFor(ctx, func() bool { return b.SchedulerLooks() >= n+2 }) {
		e.t.Fatal("the scheduler did not look")
	}
}
