// Package mailsim is a small mail system that runs inside one process:
// a real IMAP server (go-imap's imapserver over imapmemserver) and a real
// SMTP server (go-smtp) on loopback, where mail accepted over SMTP lands in
// the IMAP mailbox of each recipient. `secbot demo` and the tests run
// secbot against it.
package mailsim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Password is the password of every simulated account.
const Password = "secret"

// Delivery is one mail the SMTP server accepted.
type Delivery struct {
	From string
	To   []string
	Data []byte
	At   time.Time
}

// Sim is a running mail system.
type Sim struct {
	IMAPAddr, SMTPAddr string

	imap     *imapserver.Server
	imapLn   net.Listener
	mem      *imapmemserver.Server
	smtp     *smtp.Server
	smtpLn   net.Listener
	emlDir   string
	mu       sync.Mutex
	users    map[string]*imapmemserver.User
	log      []Delivery
	fail     func(rcpt string, attempt int) *smtp.SMTPError
	attempts map[string]int
	notify   chan struct{}
	imapDown bool               // SetIMAPDown: sessions are refused
	conns    []*imapserver.Conn // open IMAP connections, closed by SetIMAPDown
}

// Options configure Start.
type Options struct {
	// Accounts get an IMAP user (login = address, password Password) with
	// an INBOX; mail for them over SMTP lands there.
	Accounts []string
	// EMLDir, when set, receives every accepted mail as a .eml file.
	EMLDir string
	// Fail, when set, may reject a recipient: it is called with the
	// recipient and how many times it was tried.
	Fail func(rcpt string, attempt int) *smtp.SMTPError
}

// Start starts both servers on 127.0.0.1 ports chosen by the system.
func Start(opts Options) (*Sim, error) {
	s := &Sim{mem: imapmemserver.New(), users: map[string]*imapmemserver.User{}, emlDir: opts.EMLDir,
		fail: opts.Fail, attempts: map[string]int{}, notify: make(chan struct{}, 1)}
	for _, a := range opts.Accounts {
		if err := s.AddAccount(a); err != nil {
			return nil, err
		}
	}
	if err := s.startIMAP(); err != nil {
		return nil, err
	}
	if err := s.startSMTP(); err != nil {
		s.imap.Close()
		return nil, err
	}
	return s, nil
}

// AddAccount creates an IMAP user with an empty INBOX.
func (s *Sim) AddAccount(addr string) error {
	addr = strings.ToLower(addr)
	u := imapmemserver.NewUser(addr, Password)
	if err := u.Create("INBOX", nil); err != nil {
		return fmt.Errorf("create inbox of %s: %w", addr, err)
	}
	s.mem.AddUser(u)
	s.mu.Lock()
	s.users[addr] = u
	s.mu.Unlock()
	return nil
}

func (s *Sim) startIMAP() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen imap: %w", err)
	}
	s.imapLn, s.IMAPAddr = ln, ln.Addr().String()
	s.imap = imapserver.New(&imapserver.Options{
		NewSession: func(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.imapDown {
				return nil, nil, errors.New("mailsim: imap is down")
			}
			s.conns = append(s.conns, c)
			return s.mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true, // loopback only, for tests and the demo
		Logger:       discardLogger{},
	})
	go s.imap.Serve(ln)
	return nil
}

func (s *Sim) startSMTP() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen smtp: %w", err)
	}
	s.smtpLn, s.SMTPAddr = ln, ln.Addr().String()
	s.smtp = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{sim: s}, nil
	}))
	s.smtp.Domain = "localhost"
	s.smtp.AllowInsecureAuth = true
	s.smtp.MaxMessageBytes = 64 << 20
	s.smtp.ErrorLog = discardLogger{}
	go s.smtp.Serve(ln)
	return nil
}

// SetIMAPDown makes the IMAP server refuse every session and drops the
// open ones (down true), or serve again (false): a failing intake.
func (s *Sim) SetIMAPDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.imapDown = down
	if down {
		for _, c := range s.conns {
			c.NetConn().Close()
		}
		s.conns = nil
	}
}

// Close stops both servers.
func (s *Sim) Close() error {
	return errors.Join(s.smtp.Close(), s.imap.Close())
}

// Append puts a raw message straight into addr's INBOX, as if an MTA had
// delivered it.
func (s *Sim) Append(addr string, raw []byte) error {
	s.mu.Lock()
	u := s.users[mailboxOwner(addr)]
	s.mu.Unlock()
	if u == nil {
		return fmt.Errorf("no account %s", addr)
	}
	_, err := u.Append("INBOX", literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Time: time.Now()})
	if err != nil {
		return fmt.Errorf("append to %s: %w", addr, err)
	}
	return nil
}

// Deliveries returns a copy of every mail accepted so far.
func (s *Sim) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.log...)
}

// To returns the accepted mails addressed to rcpt.
func (s *Sim) To(rcpt string) []Delivery {
	var out []Delivery
	for _, d := range s.Deliveries() {
		for _, t := range d.To {
			if strings.EqualFold(t, rcpt) {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

// WaitFor polls until cond holds or ctx ends; it returns whether cond held.
// It wakes on every delivery and at least every 20 ms.
func (s *Sim) WaitFor(ctx context.Context, cond func() bool) bool {
	for {
		if cond() {
			return true
		}
		select {
		case <-ctx.Done():
			return cond()
		case <-s.notify:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *Sim) deliver(from string, to []string, data []byte) error {
	d := Delivery{From: from, To: to, Data: data, At: time.Now()}
	s.mu.Lock()
	s.log = append(s.log, d)
	n := len(s.log)
	s.mu.Unlock()
	if s.emlDir != "" {
		name := filepath.Join(s.emlDir, fmt.Sprintf("%03d-%s.eml", n, safeName(to[0])))
		if err := os.WriteFile(name, data, 0o600); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	for _, rcpt := range to {
		if s.hasAccount(rcpt) {
			if err := s.Append(rcpt, data); err != nil {
				return err
			}
		}
	}
	select {
	case s.notify <- struct{}{}:
	default:
	}
	return nil
}

func (s *Sim) hasAccount(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users[mailboxOwner(addr)] != nil
}

// mailboxOwner maps a plus address (security+SEC-1@x) to its account.
func mailboxOwner(addr string) string {
	addr = strings.ToLower(addr)
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return addr
	}
	local, _, _ = strings.Cut(local, "+")
	return local + "@" + domain
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '@' || r == '.' || r == '-' || r == '+' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(s))
}

type session struct {
	sim  *Sim
	from string
	to   []string
}

func (se *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (se *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if pass != Password {
			return errors.New("invalid credentials")
		}
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error { se.from = from; return nil }

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if f := se.sim.fail; f != nil {
		se.sim.mu.Lock()
		se.sim.attempts[to]++
		n := se.sim.attempts[to]
		se.sim.mu.Unlock()
		if e := f(to, n); e != nil {
			return e
		}
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return se.sim.deliver(se.from, se.to, data)
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }

type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}
