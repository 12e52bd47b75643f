package mailsim

import (
	"bytes"
	"fmt"

	"github.com/emersion/go-smtp"
)

// Send submits a mail to the simulated SMTP server, as a reporter's or a
// maintainer's mail client would.
func (s *Sim) Send(from string, to []string, data []byte) error {
	c, err := smtp.Dial(s.SMTPAddr)
	if err != nil {
		return fmt.Errorf("dial smtp: %w", err)
	}
	defer c.Close()
	if err := c.SendMail(from, to, bytes.NewReader(data)); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	return c.Quit()
}
