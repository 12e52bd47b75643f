package mailbot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"
	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"

	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// errPermanent marks a rendering failure that no retry can fix (for
// example a maintainer key that is no longer usable).
type errPermanent struct{ error }

// render turns a queued mail into the bytes to send. Mails to maintainers
// are encrypted to the key pinned in their spec, and to nothing else;
// when that key is not available the mail is refused, never sent plain.
func (b *Bot) render(tx *store.Tx, om *store.OutMail) ([]byte, error) {
	var sp spec
	if err := json.Unmarshal(om.Spec, &sp); err != nil {
		return nil, errPermanent{fmt.Errorf("decode spec: %w", err)}
	}
	var (
		plain []byte
		err   error
	)
	switch om.Kind {
	case KindAck:
		plain, err = b.renderAck(tx, om, sp)
	case KindRelay:
		plain, err = b.renderRelay(tx, om, sp)
	case KindNotice:
		plain, err = b.renderNotice(tx, om, sp)
	case KindTranscript:
		plain, err = b.renderTranscript(tx, om, sp)
	case KindReply:
		plain, err = b.renderReply(tx, om, sp)
	case KindKeyConfirm:
		plain, err = b.renderKeyConfirm(om, sp)
	case KindAdvisory, KindPrenotify, KindCRDNotice, KindCVERequest, KindAnnounce, KindEmbargoEnd, KindReminder:
		plain, err = b.renderDisclosure(tx, om, sp)
	default:
		return nil, errPermanent{fmt.Errorf("unknown mail kind %q", om.Kind)}
	}
	if err != nil {
		return nil, err
	}
	switch {
	case embargoed[om.Kind] && sp.EncryptFP == "":
		return nil, errPermanent{fmt.Errorf("refused: %s mail carries embargoed content and has no key to encrypt to", om.Kind)}
	case sp.Public:
		return b.signWith(plain, b.keys.Project)
	case sp.EncryptFP == "":
		return b.sign(plain)
	case sp.Recipient != "":
		return b.encryptForReporter(tx, om, plain, sp)
	case sp.Downstream != "" || sp.CNA:
		return b.encryptForContact(om, plain, sp)
	}
	return b.encryptFor(om, plain, sp)
}

// encryptForReporter encrypts to the key stored for a reporter, refusing
// when it is no longer the key the mail was queued for, or no longer one
// mail may be encrypted to (store.ReporterKey.Trusted).
func (b *Bot) encryptForReporter(tx *store.Tx, om *store.OutMail, plain []byte, sp spec) ([]byte, error) {
	c, err := tx.Case(om.Case)
	if err != nil {
		return nil, errPermanent{err}
	}
	rk := c.UsableKey(sp.Recipient)
	if rk == nil || !strings.EqualFold(rk.Fingerprint, sp.EncryptFP) {
		return nil, errPermanent{fmt.Errorf("refused to send: the reporter key %s this mail is pinned to is gone or no longer trusted", sp.EncryptFP)}
	}
	key, err := pgpmime.ReadKey([]byte(rk.Armored))
	if err != nil || !strings.EqualFold(key.GetFingerprint(), sp.EncryptFP) {
		return nil, errPermanent{fmt.Errorf("refused to send: the reporter key %s this mail is pinned to is gone", sp.EncryptFP)}
	}
	if err := pgpmime.UsableForEncryption(key, b.now()); err != nil {
		return nil, errPermanent{fmt.Errorf("refused to send to the reporter: %w", err)}
	}
	out, err := b.encrypt(om, plain, key)
	if err != nil {
		return nil, fmt.Errorf("encrypt for reporter: %w", err)
	}
	return out, nil
}

// keyFingerprint returns the fingerprint of an armored key, or "".
func keyFingerprint(armored string) string {
	key, err := pgpmime.ReadKey([]byte(armored))
	if err != nil {
		return ""
	}
	return strings.ToUpper(key.GetFingerprint())
}

func (b *Bot) sign(plain []byte) ([]byte, error) { return b.signWith(plain, b.keys.Robot) }

func (b *Bot) signWith(plain []byte, key *crypto.Key) ([]byte, error) {
	out, err := pgpmime.Sign(plain, key)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return out, nil
}

func (b *Bot) encryptFor(om *store.OutMail, plain []byte, sp spec) ([]byte, error) {
	mk, ok := b.keys.MaintainerByFP(sp.EncryptFP)
	if !ok {
		return nil, errPermanent{fmt.Errorf("refused to send: no configured maintainer has the usable key %s this mail is pinned to", sp.EncryptFP)}
	}
	if err := pgpmime.UsableForEncryption(mk.Key, b.now()); err != nil {
		return nil, errPermanent{fmt.Errorf("refused to send to %s: %w", mk.Name, err)}
	}
	out, err := b.encrypt(om, plain, mk.Key)
	if err != nil {
		return nil, fmt.Errorf("encrypt for %s: %w", mk.Name, err)
	}
	return out, nil
}

// encrypt encrypts a rendered mail to one key, signed by the robot. The
// readable outer Subject says only which case the mail is about: the real
// one travels inside, as a protected header, since a subject line alone
// can give an embargo away.
func (b *Bot) encrypt(om *store.OutMail, plain []byte, key *crypto.Key) ([]byte, error) {
	outer := "[secbot] encrypted message"
	if om.Case != "" {
		outer = "[" + om.Case + "] encrypted message"
	}
	return pgpmime.EncryptHidingSubject(plain, []*crypto.Key{key}, b.keys.Robot, outer)
}

// header builds the common header of every mail secbot sends.
func (b *Bot) header(om *store.OutMail, subject string, sp spec) gomail.Header {
	var h gomail.Header
	h.SetAddressList("From", []*gomail.Address{{Name: b.cfg.Robot.Name, Address: b.cfg.Robot.Address}})
	to := make([]*gomail.Address, len(om.To))
	for i, a := range om.To {
		to[i] = &gomail.Address{Address: a}
	}
	h.SetAddressList("To", to)
	h.SetSubject(subject)
	h.SetDate(om.Queued)
	h.SetMessageID(om.ID)
	if sp.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{sp.InReplyTo})
	}
	if len(sp.References) > 0 {
		h.SetMsgIDList("References", lastN(sp.References, 20))
	}
	if om.Case != "" {
		local, domain, _ := strings.Cut(b.cfg.Robot.Address, "@")
		h.SetAddressList("Reply-To", []*gomail.Address{{Name: b.cfg.Robot.Name, Address: PlusAddress(local, domain, om.Case)}})
	}
	// RFC 3834: robots must not answer this mail; X-Loop lets secbot spot
	// its own mail if it ever comes back.
	h.Set("Auto-Submitted", "auto-replied")
	h.Set("X-Loop", b.cfg.Robot.Address)
	h.Set("MIME-Version", "1.0")
	return h
}

func lastN(s []string, n int) []string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (b *Bot) renderAck(tx *store.Tx, om *store.OutMail, sp spec) ([]byte, error) {
	c, err := tx.Case(om.Case)
	if err != nil {
		return nil, errPermanent{err}
	}
	subj, body, err := b.tmpl.Render(templates.Ack, map[string]any{
		"Case": c.ID, "Subject": c.Subject, "Project": b.projectName(), "Robot": b.cfg.Robot.Name,
		"Fingerprint": spacedFP(b.keys.RobotFP), "KeyURL": b.cfg.Robot.KeyURL,
	})
	if err != nil {
		return nil, errPermanent{err}
	}
	return textMail(b.header(om, subj, sp), body)
}

func (b *Bot) projectName() string {
	if b.cfg.Robot.ProjectName != "" {
		return b.cfg.Robot.ProjectName
	}
	return b.cfg.Robot.Name
}

func (b *Bot) renderRelay(tx *store.Tx, om *store.OutMail, sp spec) ([]byte, error) {
	m, err := tx.Message(sp.Msg)
	if err != nil {
		return nil, errPermanent{err}
	}
	transport := "plain text"
	switch {
	case m.Encrypted && m.Signed:
		transport = "OpenPGP encrypted and signed"
	case m.Encrypted:
		transport = "OpenPGP encrypted"
	case m.Signed:
		transport = "OpenPGP signed"
	}
	signer := ""
	if mk, ok := b.keys.MaintainerBySigner(m.Signer); ok {
		signer = fmt.Sprintf("%s (maintainer key %s)", mk.Name, spacedFP(mk.FP))
	}
	subj, body, err := b.tmpl.Render(templates.Relay, map[string]any{
		"Case": om.Case, "New": sp.New, "From": m.From, "Subject": orNone(m.Subject),
		"Date": fmtTime(m.Date), "Received": fmtTime(m.Received), "Transport": transport,
		"Signer": signer, "Problem": sp.Problem,
	})
	if err != nil {
		return nil, errPermanent{err}
	}
	original := tx.PlainOf(m)
	name := fmt.Sprintf("%s-message-%d.eml", om.Case, m.Key)
	return mixedMail(b.header(om, subj, sp), body, name, original)
}

func (b *Bot) renderNotice(tx *store.Tx, om *store.OutMail, sp spec) ([]byte, error) {
	subj, body, err := b.tmpl.Render(templates.Notice, map[string]any{
		"Case": om.Case, "Title": sp.Title, "Text": sp.Text,
	})
	if err != nil {
		return nil, errPermanent{err}
	}
	h := b.header(om, subj, sp)
	if sp.Msg != 0 {
		if raw := tx.Raw(sp.Msg); raw != nil {
			return mixedMail(h, body, fmt.Sprintf("message-%d.eml", sp.Msg), raw)
		}
	}
	return textMail(h, body)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "(unknown)"
	}
	return t.UTC().Format("Mon, 2 Jan 2006 15:04 MST")
}

// spacedFP groups a fingerprint by four, as gpg prints it.
func spacedFP(fp string) string {
	var parts []string
	for i := 0; i < len(fp); i += 4 {
		parts = append(parts, fp[i:min(i+4, len(fp))])
	}
	return strings.Join(parts, " ")
}

// textMail writes a single text/plain part.
func textMail(h gomail.Header, body []byte) ([]byte, error) {
	var buf bytes.Buffer
	h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	w, err := gomail.CreateSingleInlineWriter(&buf, h)
	if err != nil {
		return nil, fmt.Errorf("write mail: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		return nil, fmt.Errorf("write mail: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("write mail: %w", err)
	}
	return buf.Bytes(), nil
}

// attachment is one file attached to an outgoing mail.
type attachment struct {
	Name        string
	ContentType string // empty: message/rfc822 when it can travel unencoded
	Data        []byte
}

// mixedMail writes a text part and one attached message.
func mixedMail(h gomail.Header, body []byte, name string, attached []byte) ([]byte, error) {
	return multipartMail(h, body, []attachment{{Name: name, Data: attached}})
}

// multipartMail writes a text part followed by attachments.
func multipartMail(h gomail.Header, body []byte, atts []attachment) ([]byte, error) {
	var buf bytes.Buffer
	h.SetContentType("multipart/mixed", nil)
	w, err := message.CreateWriter(&buf, h.Header)
	if err != nil {
		return nil, fmt.Errorf("write mail: %w", err)
	}
	var th message.Header
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	th.Set("Content-Transfer-Encoding", "quoted-printable")
	if err := writePart(w, th, body); err != nil {
		return nil, err
	}
	for _, a := range atts {
		ah := attachmentHeader(a.Name, a.Data)
		if a.ContentType != "" {
			ah = fileHeader(a.Name, a.ContentType)
		}
		if err := writePart(w, ah, a.Data); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("write mail: %w", err)
	}
	return buf.Bytes(), nil
}

// fileHeader attaches a file base64-encoded, which keeps patches byte
// for byte (trailing spaces, long lines, CRLF) through any mail path.
func fileHeader(name, contentType string) message.Header {
	var h message.Header
	h.SetContentType(contentType, nil)
	h.Set("Content-Transfer-Encoding", "base64")
	h.SetContentDisposition("attachment", map[string]string{"filename": name})
	return h
}

// attachmentHeader attaches a message as message/rfc822 when it can travel
// unencoded, as RFC 2046 section 5.2.1 requires, else as an octet stream.
func attachmentHeader(name string, data []byte) message.Header {
	var h message.Header
	if safe8bit(data) {
		h.SetContentType("message/rfc822", nil)
		h.Set("Content-Transfer-Encoding", "8bit")
	} else {
		h.SetContentType("application/octet-stream", nil)
		h.Set("Content-Transfer-Encoding", "base64")
	}
	h.SetContentDisposition("attachment", map[string]string{"filename": name})
	return h
}

func safe8bit(data []byte) bool {
	if bytes.IndexByte(data, 0) >= 0 {
		return false
	}
	for line := range bytes.Lines(data) {
		if len(line) > 998 {
			return false
		}
		if i := bytes.IndexByte(line, '\r'); i >= 0 && i != len(line)-2 {
			return false
		}
	}
	return true
}

func writePart(w *message.Writer, h message.Header, body []byte) error {
	pw, err := w.CreatePart(h)
	if err != nil {
		return fmt.Errorf("create part: %w", err)
	}
	if _, err := io.Copy(pw, bytes.NewReader(body)); err != nil {
		return fmt.Errorf("write part: %w", err)
	}
	return pw.Close()
}
