package mailbot

import (
	"errors"
	"strings"
	"testing"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// TestFailureNoticesReadWell: a notice about a mail that failed says in
// its subject what happened and to whom, lists recipients as addresses
// (not Go's slice form), says "refused" once, and quotes the server's
// reply on a line of its own; its prose fits the screen once wrapped.
func TestFailureNoticesReadWell(t *testing.T) {
	om := &store.OutMail{ID: "reply.7.0@demo.example", Kind: "reply", To: []string{"rita@reporter.example", "rolf@reporter.example"}, Attempts: 3,
		LastReply: "550 5.1.1 <rita@reporter.example>: Recipient address rejected: User unknown in virtual mailbox table"}
	check := func(name, title, text string, want []string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(title+"\n"+text, w) {
				t.Errorf("%s lacks %q:\n%s\n\n%s", name, w, title, text)
			}
		}
		for _, bad := range []string{"[rita", "refused: refused", "Reason:     refused"} {
			if strings.Contains(text, bad) {
				t.Errorf("%s has %q:\n%s", name, bad, text)
			}
		}
		for _, line := range strings.Split(templates.Wrap(text, templates.Width), "\n") {
			if len(line) > 78 && !strings.HasPrefix(line, ">") {
				t.Errorf("%s: line of %d: %q", name, len(line), line)
			}
		}
	}
	check("undelivered", failureTitle("Delivery failed", om), undeliveredText(om), []string{
		"Delivery failed: reply to rita@reporter.example, rolf@reporter.example",
		"Recipients: rita@reporter.example, rolf@reporter.example",
		"\n> 550 5.1.1 <rita@reporter.example>: Recipient address rejected: User unknown in virtual mailbox table\n"})
	// As the renderer once said it: "refused" inside "refused".
	om.LastReply = refusedReply(outmail.PermanentError{Err: errors.New("refused: refused to send: the reporter key ABCD this mail is pinned to is gone or no longer trusted")})
	check("refused", failureTitle("Mail refused before sending", om), refusedText(om), []string{
		"Mail refused before sending: reply to rita@reporter.example",
		"Reason:     the reporter key ABCD"})
	if strings.Count(om.LastReply, "refused") != 1 {
		t.Errorf("LastReply %q says refused more than once", om.LastReply)
	}
}
