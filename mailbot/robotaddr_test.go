package mailbot

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// TestRobotAddressesAreTheRobot: mail From, or with a Reply-To of, the
// robot's address or any plus address of it, in any case, is the robot's
// own mail coming back: it is only kept, never answered.
func TestRobotAddressesAreTheRobot(t *testing.T) {
	b, _ := fuzzBot(t)
	check := func(from, replyTo string, want bool) {
		t.Helper()
		if got := b.isOwnMail(&Envelope{From: from, ReplyTo: replyTo}); got != want {
			t.Errorf("From %q Reply-To %q: own mail %v, want %v", from, replyTo, got, want)
		}
	}
	check("security@demo.example", "", true)
	check("Security@Demo.Example", "", true)
	check("security+SEC-2026-0001@demo.example", "", true)
	check("SECURITY+sec-2026-0001@DEMO.EXAMPLE", "", true)
	check("security+anything@demo.example", "", true)
	check("rita@reporter.example", "security+SEC-2026-0001@demo.example", true)
	check("rita@reporter.example", "security@demo.example", true)
	check("rita@reporter.example", "", false)
	check("rita@reporter.example", "rita+sec@reporter.example", false)
	check("security@other.example", "", false)
	check("security+x@other.example", "", false)
	check("securityteam@demo.example", "", false)
	check("other+security@demo.example", "", false)
}

// TestNothingIsQueuedToTheRobot: whatever path queues a mail (an
// acknowledgement to a reporter, a notice, a reply), a robot address is
// never one of its recipients; a mail left with none is not queued.
func TestNothingIsQueuedToTheRobot(t *testing.T) {
	b, _ := fuzzBot(t)
	b.cfg.Robot.Domain = "demo.example"
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b.store = st
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for i, to := range [][]string{
		{"security+SEC-2026-0001@demo.example"},
		{"Security@Demo.Example"},
		{"SECURITY+x@demo.example", "rita@reporter.example"},
	} {
		err := st.Update(func(tx *store.Tx) error {
			_, err := b.enqueue(tx, "", outmail.Ack, "t"+string(rune('a'+i)), to, outmail.Spec{For: outmail.ToReporter("", "")}, false, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	st.View(func(tx *store.Tx) error {
		out, _ := tx.Outbox()
		if len(out) != 1 || !slices.Equal(out[0].To, []string{"rita@reporter.example"}) {
			for _, m := range out {
				t.Errorf("queued to %v", m.To)
			}
			t.Errorf("%d mails queued, want one, to rita@reporter.example only", len(out))
		}
		return nil
	})
}
