package mailbot_test

import (
	"strings"
	"testing"

	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/store"
)

// TestMailFromTheRobotsPlusAddressIsOnlyKept: a "report" from the robot's
// own plus address (or one asking for answers there) is the robot's own
// mail: it opens no case and nothing answers it; no mail is ever queued to
// a robot address, and the reporter command refuses one.
func TestMailFromTheRobotsPlusAddressIsOnlyKept(t *testing.T) {
	e := newEnv(t, demo.Options{})
	local, domain, _ := strings.Cut(e.Robot.Address, "@")
	plus := strings.ToUpper(local) + "+SEC-2026-0001@" + domain
	for i, hdr := range []string{
		"From: " + plus + "\r\n",
		"From: rita@reporter.example\r\nReply-To: " + local + "+sec-2026-0007@" + strings.ToUpper(domain) + "\r\n",
	} {
		raw := hdr + "To: " + e.Robot.Address + "\r\nSubject: a report\r\nMessage-ID: <own-" + string(rune('a'+i)) + "@x.example>\r\n\r\nreport\r\n"
		if err := e.Sim.Append(e.Robot.Address, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	relayID := e.openCase() // taken after the two above, in UID order

	if cases := e.cases(); len(cases) != 1 || len(cases[0].Reporters) != 1 || cases[0].Reporters[0] != e.Reporter.Address {
		t.Errorf("cases %d, reporters %v; want one case, reported by %s", len(cases), cases[0].Reporters, e.Reporter.Address)
	}
	e.View(func(tx *store.Tx) error {
		for key := uint64(1); key <= 2; key++ {
			m, err := tx.Message(key)
			if err != nil {
				t.Fatal(err)
			}
			if m.Case != "" || !strings.Contains(m.Reason, "own mail came back") {
				t.Errorf("message %d: case %q, reason %q; want kept on no case as our own mail", key, m.Case, m.Reason)
			}
		}
		out, _ := tx.Outbox()
		for _, m := range out {
			for _, to := range m.To {
				if strings.HasSuffix(strings.ToLower(to), "@"+strings.ToLower(domain)) && strings.HasPrefix(strings.ToLower(to), local) {
					t.Errorf("%s mail queued to the robot's own %s", m.Kind, to)
				}
			}
		}
		return nil
	})

	e.command(relayID, "reporter "+local+"+SEC-2026-0001@"+domain+"\n")
	if tr := e.transcript(3); !strings.Contains(tr, "robot's own address") {
		t.Errorf("transcript:\n%s", tr)
	}
	if c := e.caseByID("SEC-2026-0001"); len(c.Reporters) != 1 {
		t.Errorf("reporters %v", c.Reporters)
	}
}
