package outbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-smtp"
)

// errBadEntry marks an entry that can never be sent as stored.
var errBadEntry = errors.New("invalid entry")

// checkEntry rejects entries no server could accept, before any dialling,
// so they fail permanently instead of looking like network errors.
func checkEntry(e Entry) error {
	if len(e.To) == 0 {
		return fmt.Errorf("%w: no recipients", errBadEntry)
	}
	for _, a := range append([]string{e.From}, e.To...) {
		if strings.ContainsAny(a, "\r\n<>") {
			return fmt.Errorf("%w: malformed address %q", errBadEntry, a)
		}
	}
	return nil
}

// send runs one SMTP transaction for e on cn within SendTimeout.
func (s *Sender) send(ctx context.Context, cn *conn, e Entry) result {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.SendTimeout)
	defer cancel()
	var res result
	err := withCtx(ctx, cn.raw, func() error {
		res = s.transact(cn, e)
		return nil
	})
	switch {
	case err == nil:
		return res
	case res.kind == kindDelivered:
		// The server took the mail just as the timeout closed the
		// socket: still delivered, but the connection is gone.
		res.broken = true
		return res
	}
	return result{kind: kindTemporary, reply: "send: " + err.Error(), netErr: err, broken: true}
}

// transact is MAIL, RCPT and DATA; see the package doc for the rules on
// partially accepted recipients.
func (s *Sender) transact(cn *conn, e Entry) result {
	if cn.dirty {
		if err := cn.c.Reset(); err != nil {
			return connFailure(smtpFailure("rset", err))
		}
	}
	cn.dirty = true
	if err := cn.c.Mail(e.From, nil); err != nil {
		return connFailure(smtpFailure("mail from", err))
	}
	accepted, rejected, failed := rcpts(cn.c, e.To)
	if failed != nil {
		return *failed
	}
	if res, stop := judgeRcpts(len(accepted), rejected); stop {
		return res
	}
	res := data(cn.c, e.Data)
	if res.kind != kindDelivered {
		return res
	}
	cn.dirty = false
	if len(rejected) > 0 {
		return partial(accepted, rejected, res.reply)
	}
	return res
}

// rcpts sends RCPT TO for every recipient. failed is set when the
// connection broke and the transaction cannot go on.
func rcpts(c *smtp.Client, to []string) (accepted []string, rejected []rcptReject, failed *result) {
	for _, addr := range to {
		err := c.Rcpt(addr, nil)
		var se *smtp.SMTPError
		switch {
		case err == nil:
			accepted = append(accepted, addr)
		case errors.As(err, &se) && se.Code != 421:
			rejected = append(rejected, rcptReject{addr: addr, err: se})
		default:
			res := smtpFailure("rcpt to", err)
			return nil, nil, &res
		}
	}
	return accepted, rejected, nil
}

// judgeRcpts decides, after RCPT, whether DATA should be sent. Any 4xx
// recipient postpones the whole entry, so that a retry cannot duplicate the
// mail to those who already got it.
func judgeRcpts(nAccepted int, rejected []rcptReject) (res result, stop bool) {
	if len(rejected) == 0 {
		return result{}, false
	}
	code := 0
	for _, r := range rejected {
		if code == 0 || r.err.Code < 500 {
			code = r.err.Code
		}
	}
	reply := "rcpt to: " + formatRejects(rejected)
	if code < 500 {
		return result{kind: kindTemporary, reply: reply, code: code}, true
	}
	if nAccepted == 0 {
		return result{kind: kindPermanent, reply: reply, code: code}, true
	}
	return result{}, false
}

// data sends the message bytes unchanged; the dot-stuffing writer only
// escapes leading dots (RFC 5321 section 4.5.2).
func data(c *smtp.Client, msg []byte) result {
	w, err := c.Data()
	if err != nil {
		return smtpFailure("data", err)
	}
	if _, err := w.Write(msg); err != nil {
		return smtpFailure("data", err)
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		return smtpFailure("data", err)
	}
	return result{kind: kindDelivered, reply: "250 " + resp.StatusText, code: 250}
}

// partial is the result of a mail sent to only some of its recipients: a
// permanent failure, so that the maintainers are told who missed it.
func partial(accepted []string, rejected []rcptReject, reply string) result {
	return result{
		kind: kindPermanent,
		code: rejected[0].err.Code,
		reply: fmt.Sprintf("partial delivery: sent to <%s> (%s); rejected %s",
			strings.Join(accepted, ">, <"), reply, formatRejects(rejected)),
	}
}
