package mailbot_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/pgpmime"
)

// TestFirstReplyReminderAndEscalation: a case no maintainer answered
// reminds the maintainers at response.first_reply and, at twice that,
// tells the escalation address, encrypted to its pinned key; a case a
// maintainer answered (one signed "status") reminds nobody. The clock is
// the world's, moved by the test.
func TestFirstReplyReminderAndEscalation(t *testing.T) {
	armored, err := pgpmime.GenerateKey("Boss", "boss@demo.example", "x25519")
	if err != nil {
		t.Fatal(err)
	}
	boss, err := pgpmime.ReadKey([]byte(armored))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := boss.GetArmoredPublicKey()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "boss.asc")
	if err := os.WriteFile(keyFile, []byte(pub), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, demo.Options{ConfigExtra: "\n[response]\nfirst_reply = \"72h\"\nescalate = \"boss@demo.example\"\nescalate_key_file = " + `"` + keyFile + `"` + "\n"})
	alice := e.Maintainers[0]
	answered := e.openCase()
	e.send(alice, demo.Mail{Subject: "Re: [SEC-2026-0001] Heap overflow", Body: "status\n" + quoted, InReplyTo: answered, Sign: true})
	e.waitMail(alice.Address, 3) // relay, relay of the command mail, transcript
	e.send(e.Reporter, report("Second report"))
	e.waitMail(alice.Address, 4)
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}

	e.Clock.Advance(72*time.Hour + time.Minute)
	e.KickScheduler()
	got := e.waitMail(alice.Address, 5)
	text := allText(t, e.read(alice, got[4]).Message)
	if !strings.Contains(text, "Case SEC-2026-0002 was opened") || !strings.Contains(text, "within 72h0m0s") || strings.Contains(text, "ESCALATION") {
		t.Errorf("reminder:\n%s", text)
	}
	if strings.Contains(text, "Second report") {
		t.Errorf("the reminder names the report's subject")
	}
	if n := len(e.Sim.To("boss@demo.example")); n != 0 {
		t.Errorf("the escalation address got %d mails before twice the time", n)
	}

	e.Clock.Advance(72 * time.Hour)
	e.KickScheduler()
	esc := e.waitMail("boss@demo.example", 1)[0]
	op, err := e.Read(demo.Person{Address: "boss@demo.example", Key: boss}, esc)
	if err != nil || !op.Encrypted {
		t.Fatalf("escalation not encrypted to the escalation key: %v", err)
	}
	if text := allText(t, op.Message); !strings.Contains(text, "ESCALATION") || !strings.Contains(text, "SEC-2026-0002") {
		t.Errorf("escalation:\n%s", text)
	}
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	for _, d := range e.Sim.To(alice.Address) {
		if strings.Contains(allText(t, e.read(alice, d).Message), "Case SEC-2026-0001 was opened") {
			t.Errorf("the answered case reminded the maintainers")
		}
	}
	if n := len(e.Sim.To("boss@demo.example")); n != 1 {
		t.Errorf("the escalation address got %d mails, want 1", n)
	}
}
