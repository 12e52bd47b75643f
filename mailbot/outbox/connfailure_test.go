package outbox

import (
	"errors"
	"testing"

	"github.com/emersion/go-smtp"
)

func TestSessionRefusalsStayTemporary(t *testing.T) {
	check := func(name string, r result, want kind) {
		t.Helper()
		if r.kind != want {
			t.Errorf("%s: kind %v, want %v", name, r.kind, want)
		}
	}
	e530 := &smtp.SMTPError{Code: 530, Message: "authentication required"}
	check("530 to MAIL FROM", connFailure(smtpFailure("mail from", e530)), kindTemporary)
	check("550 to RCPT TO", smtpFailure("rcpt to", &smtp.SMTPError{Code: 550}), kindPermanent)
	check("network error", connFailure(smtpFailure("rset", errors.New("reset"))), kindTemporary)
}
