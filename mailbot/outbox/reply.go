package outbox

import (
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-smtp"
)

// kind is how one attempt at an entry ended.
type kind int

const (
	kindDelivered kind = iota
	kindTemporary
	kindPermanent
)

// result is the outcome of one attempt, ready for the Queue.
type result struct {
	kind  kind
	reply string // for the Queue, may name recipients; never logged
	code  int    // SMTP reply code if there was one, for logs
	// netErr is a network or timeout error, which holds no message content
	// and so may be logged.
	netErr error
	// broken means the connection must not be reused: a network error, a
	// timeout or 421 (RFC 5321 section 3.8: the server is closing).
	broken bool
}

// smtpFailure turns an error from the SMTP step step into a result: 5xx is
// permanent, anything else (4xx, network, timeout) temporary.
func smtpFailure(step string, err error) result {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return result{kind: kindTemporary, reply: fmt.Sprintf("%s: %v", step, err), netErr: err, broken: true}
	}
	r := result{kind: kindTemporary, reply: step + ": " + formatSMTPError(se), code: se.Code}
	if se.Code >= 500 {
		r.kind = kindPermanent
	}
	r.broken = se.Code == 421
	return r
}

// formatSMTPError renders a reply as the server sent it, "550 5.1.1 text".
func formatSMTPError(se *smtp.SMTPError) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%03d", se.Code)
	ec := se.EnhancedCode
	if ec != smtp.EnhancedCodeNotSet && ec != smtp.NoEnhancedCode {
		fmt.Fprintf(&b, " %d.%d.%d", ec[0], ec[1], ec[2])
	}
	if se.Message != "" {
		b.WriteString(" " + se.Message)
	}
	return b.String()
}

// rcptReject is one recipient the server refused.
type rcptReject struct {
	addr string
	err  *smtp.SMTPError
}

// formatRejects lists refused recipients for a reply text.
func formatRejects(rej []rcptReject) string {
	parts := make([]string, len(rej))
	for i, r := range rej {
		parts[i] = fmt.Sprintf("<%s>: %s", r.addr, formatSMTPError(r.err))
	}
	return strings.Join(parts, "; ")
}

// connFailure keeps a 5xx to RSET or MAIL FROM temporary: such a refusal
// is about our relay account or the session ("530 authentication
// required", "sender not allowed"), not about the mail, and must not
// retire every queued mail at once. Expire still ends an entry that keeps
// failing.
func connFailure(r result) result {
	if r.kind == kindPermanent {
		r.kind = kindTemporary
	}
	return r
}
