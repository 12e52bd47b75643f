package mailbot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/store"
)

// TestRetentionPurgesClosedCases: with retention.raw_after_close = 30d,
// the daily timer (kept in the store) purges the bodies of a case closed
// more than 30 days ago, and keeps the case, its audit log, its message
// headers, and every body of a case still open; a relay queued for a
// purged message is refused, never sent without or with its body.
func TestRetentionPurgesClosedCases(t *testing.T) {
	e := newEnv(t, demo.Options{ConfigExtra: "\n[retention]\nraw_after_close = \"30d\"\n"})
	relayID := e.openCase()
	e.command(relayID, "# SEC-2026-0001\nclose\n")
	if tr := e.transcript(3); !strings.Contains(tr, "ok: state = closed") {
		t.Fatalf("transcript:\n%s", tr)
	}
	e.send(e.Reporter, report("Still open"))
	e.waitMail(e.Maintainers[0].Address, 4)
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	if at, ok := e.timerOf(store.TimerRetention); !ok || at.After(e.Clock.Now()) && at.Sub(e.Clock.Now()) > 25*time.Hour {
		t.Fatalf("retention timer %v (%v), want one within a day", at, ok)
	}

	e.Clock.Advance(31 * 24 * time.Hour)
	e.waitScheduler()
	e.waitScheduler()
	closed, open := e.caseByID("SEC-2026-0001"), e.caseByID("SEC-2026-0002")
	if err := e.View(func(tx *store.Tx) error {
		for _, k := range closed.Messages {
			m, err := tx.Message(k)
			if err != nil {
				return err
			}
			if m.Purged.IsZero() || tx.RawOf(m) != nil || tx.PlainOf(m) != nil {
				t.Errorf("message %d of the closed case kept its body", k)
			}
			if m.From == "" || m.MessageID == "" {
				t.Errorf("message %d lost its headers: %+v", k, m)
			}
		}
		for _, k := range open.Messages {
			if m, _ := tx.Message(k); !m.Purged.IsZero() || !strings.Contains(string(tx.PlainOf(m)), "SECRET-REPORT-TEXT") {
				t.Errorf("message %d of the open case was purged", k)
			}
		}
		log, err := tx.AuditLog("SEC-2026-0001")
		if err != nil {
			return err
		}
		if !strings.Contains(auditText(log), "bodies-purged") {
			t.Errorf("audit log lacks the purge:\n%s", auditText(log))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if at, ok := e.timerOf(store.TimerRetention); !ok || !at.After(e.Clock.Now()) {
		t.Errorf("retention timer not re-armed: %v (%v)", at, ok)
	}
}

func (e *env) timerOf(kind string) (time.Time, bool) {
	e.t.Helper()
	var (
		t  store.Timer
		ok bool
	)
	if err := e.View(func(tx *store.Tx) (err error) { t, ok, err = tx.TimerOf("", kind); return err }); err != nil {
		e.t.Fatal(err)
	}
	return t.At, ok
}

func auditText(log []store.AuditEntry) string {
	var s strings.Builder
	for _, a := range log {
		s.WriteString(a.Action + " " + a.Detail + "\n")
	}
	return s.String()
}
