package mailbot

import (
	"bufio"
	"bytes"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// useProtectedSubject takes the real subject of an encrypted mail from
// inside the encryption, where clients that hide it put it (a protected
// header: Thunderbird, neomutt), and the readable one says only "...".
// It is as much the sender's word as the outer one, and serves the same
// ends: the case's subject, threading by tag, and the relay's subject.
func (p *prepared) useProtectedSubject() {
	if p.opened == nil || !p.opened.Encrypted {
		return
	}
	th, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(p.opened.Message)))
	if err != nil || !th.Has("Subject") {
		return
	}
	h := gomail.Header{Header: message.Header{Header: th}}
	s, err := h.Subject()
	if err != nil {
		s = th.Get("Subject")
	}
	if s = cleanLine(s); s != "" {
		p.env.Subject = s
	}
}
