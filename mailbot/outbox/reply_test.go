package outbox

import (
	"errors"
	"net"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/secbot/secbot/mailbot/tlsmode"
)

// TestSMTPFailure: a 5xx reply is permanent, anything else temporary; a
// 421 or an error that is no SMTP reply at all means the connection is
// gone.
func TestSMTPFailure(t *testing.T) {
	for _, tc := range []struct {
		err       error
		kind      kind
		broken    bool
		wantReply string
	}{
		{smtpErr(421, 4, 3, 0, "closing"), kindTemporary, true, "rcpt to: 421 4.3.0 closing"},
		{smtpErr(499, 4, 0, 0, "odd"), kindTemporary, false, "rcpt to: 499 4.0.0 odd"},
		{smtpErr(500, 5, 5, 2, "syntax"), kindPermanent, false, "rcpt to: 500 5.5.2 syntax"},
		{smtpErr(550, 5, 1, 1, "no such user"), kindPermanent, false, "rcpt to: 550 5.1.1 no such user"},
		{errors.New("connection reset"), kindTemporary, true, "rcpt to: connection reset"},
	} {
		r := smtpFailure("rcpt to", tc.err)
		if r.kind != tc.kind || r.broken != tc.broken || r.reply != tc.wantReply {
			t.Errorf("%v: kind %v broken %v reply %q; want %v %v %q", tc.err, r.kind, r.broken, r.reply, tc.kind, tc.broken, tc.wantReply)
		}
	}
}

// TestFormatSMTPError: a reply reads as the server sent it; an absent
// enhanced code or text leaves no trace.
func TestFormatSMTPError(t *testing.T) {
	for _, tc := range []struct {
		se   *smtp.SMTPError
		want string
	}{
		{smtpErr(550, 5, 1, 1, "no such user"), "550 5.1.1 no such user"},
		{&smtp.SMTPError{Code: 451, EnhancedCode: smtp.NoEnhancedCode, Message: "later"}, "451 later"},
		{&smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCodeNotSet}, "421"},
		{&smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}}, "554 5.7.1"},
	} {
		if got := formatSMTPError(tc.se); got != tc.want {
			t.Errorf("formatSMTPError(%+v) = %q, want %q", tc.se, got, tc.want)
		}
	}
}

// TestJudgeRcpts: any 4xx recipient postpones the whole mail (a retry
// must not duplicate it to those who got it), whatever order the replies
// came in; only 5xx for every recipient fails it for good; 5xx for some
// sends to the others.
func TestJudgeRcpts(t *testing.T) {
	rej := func(codes ...int) []rcptReject {
		var out []rcptReject
		for _, c := range codes {
			out = append(out, rcptReject{addr: "x@example.net", err: &smtp.SMTPError{Code: c}})
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		accepted int
		rejected []rcptReject
		stop     bool
		kind     kind
		code     int
	}{
		{"none rejected", 2, nil, false, 0, 0},
		{"4xx after 5xx", 0, rej(550, 450), true, kindTemporary, 450},
		{"5xx after 4xx", 0, rej(450, 550), true, kindTemporary, 450},
		{"4xx while another is accepted", 1, rej(452), true, kindTemporary, 452},
		{"500 for the only one", 0, rej(500), true, kindPermanent, 500},
		{"two 5xx, the first code kept", 0, rej(550, 500), true, kindPermanent, 550},
		{"5xx for some", 1, rej(550), false, 0, 0},
	} {
		res, stop := judgeRcpts(tc.accepted, tc.rejected)
		if stop != tc.stop || res.kind != tc.kind || res.code != tc.code {
			t.Errorf("%s: stop %v kind %v code %d; want %v %v %d", tc.name, stop, res.kind, res.code, tc.stop, tc.kind, tc.code)
		}
	}
}

// TestCheckPlainPeer: a plain connection whose peer turned out not to be
// on loopback is refused; TLS modes may go anywhere.
func TestCheckPlainPeer(t *testing.T) {
	far := &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 25}
	near := &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 25}
	for _, tc := range []struct {
		mode tlsmode.Mode
		peer net.Addr
		ok   bool
	}{{tlsmode.Plain, far, false}, {tlsmode.Plain, near, true}, {tlsmode.StartTLS, far, true}, {tlsmode.Implicit, far, true}} {
		err := checkPlainPeer(tc.mode, tc.peer)
		if tc.ok != (err == nil) || !tc.ok && !errors.Is(err, ErrPlainNotLoopback) {
			t.Errorf("%s to %v: %v, want ok=%v", tc.mode, tc.peer, err, tc.ok)
		}
	}
}
