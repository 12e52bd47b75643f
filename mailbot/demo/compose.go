package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"
	gomail "github.com/emersion/go-message/mail"

	"github.com/secbot/secbot/mailbot/mailsim"
	"github.com/secbot/secbot/mailbot/pgpmime"
)

// Mail is what a person writes.
type Mail struct {
	To         string // default: the robot
	Subject    string
	Body       string
	InReplyTo  string
	References []string
	Encrypt    bool // to the robot's key
	Sign       bool // with the sender's key
	MessageID  string
	// Attachments are added as files (base64) after the text.
	Attachments []Attachment
}

// Attachment is a file attached to a Mail.
type Attachment struct {
	Name string
	Data []byte
}

// Compose renders m as person from would send it.
func (w *World) Compose(from Person, m Mail) ([]byte, string, error) {
	if m.To == "" {
		m.To = w.Robot.Address
	}
	if m.MessageID == "" {
		w.mu.Lock()
		w.seq++
		m.MessageID = fmt.Sprintf("%d.%d@%s", time.Now().UnixNano(), w.seq, domainOf(from.Address))
		w.mu.Unlock()
	}
	var h gomail.Header
	h.SetAddressList("From", []*gomail.Address{{Name: from.Name, Address: from.Address}})
	h.SetAddressList("To", []*gomail.Address{{Address: m.To}})
	h.SetSubject(m.Subject)
	h.SetDate(time.Now())
	h.SetMessageID(m.MessageID)
	if m.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{m.InReplyTo})
		h.SetMsgIDList("References", append(append([]string{}, m.References...), m.InReplyTo))
	}
	h.Set("MIME-Version", "1.0")
	raw, err := writeBody(h, m)
	if err != nil {
		return nil, "", err
	}
	var signer *crypto.Key
	if m.Sign {
		signer = from.Key
	}
	switch {
	case m.Encrypt:
		// As Thunderbird and neomutt do: the real subject travels inside
		// the encryption, the readable one is a placeholder.
		raw, err = pgpmime.EncryptHidingSubject(raw, []*crypto.Key{w.Robot.Key}, signer, "...")
	case m.Sign:
		raw, err = pgpmime.Sign(raw, signer)
	}
	return raw, m.MessageID, err
}

// Send composes m and submits it over SMTP, as person from.
func (w *World) Send(from Person, m Mail) (string, error) {
	raw, id, err := w.Compose(from, m)
	if err != nil {
		return "", err
	}
	to := m.To
	if to == "" {
		to = w.Robot.Address
	}
	return id, w.Sim.Send(from.Address, []string{to}, raw)
}

// Read decrypts a delivery with p's key and verifies it against the
// robot's key.
func (w *World) Read(p Person, d mailsim.Delivery) (*pgpmime.Opened, error) {
	dec, err := crypto.NewKeyRing(p.Key)
	if err != nil {
		return nil, err
	}
	pub, err := w.Robot.Key.ToPublic()
	if err != nil {
		return nil, err
	}
	ver, err := crypto.NewKeyRing(pub)
	if err != nil {
		return nil, err
	}
	return pgpmime.Open(d.Data, dec, ver)
}

// WaitMail waits until addr has received at least n mails, or the timeout.
func (w *World) WaitMail(ctx context.Context, addr string, n int, timeout time.Duration) ([]mailsim.Delivery, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if !w.Sim.WaitFor(ctx, func() bool { return len(w.Sim.To(addr)) >= n }) {
		return w.Sim.To(addr), fmt.Errorf("%s received %d mails, want %d", addr, len(w.Sim.To(addr)), n)
	}
	return w.Sim.To(addr), nil
}

func domainOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == '@' {
			return addr[i+1:]
		}
	}
	return "localhost"
}

func writeBody(h gomail.Header, m Mail) ([]byte, error) {
	var buf bytes.Buffer
	if len(m.Attachments) == 0 {
		h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		tw, err := gomail.CreateSingleInlineWriter(&buf, h)
		if err != nil {
			return nil, err
		}
		tw.Write([]byte(m.Body))
		// Close flushes the encoder's last line: only then are the
		// bytes complete (a body without a final newline lost its last
		// line, such as the END line of a key pasted at the end).
		if err := tw.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	mw, err := gomail.CreateWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	var th gomail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	tw, err := mw.CreateSingleInline(th)
	if err != nil {
		return nil, err
	}
	tw.Write([]byte(m.Body))
	tw.Close()
	for _, a := range m.Attachments {
		var ah gomail.AttachmentHeader
		ah.SetContentType("text/x-diff", nil)
		ah.SetFilename(a.Name)
		aw, err := mw.CreateAttachment(ah)
		if err != nil {
			return nil, err
		}
		aw.Write(a.Data)
		aw.Close()
	}
	if err := mw.Close(); err != nil { // writes the closing boundary
		return nil, err
	}
	return buf.Bytes(), nil
}
