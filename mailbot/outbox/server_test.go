package outbox

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one mail as the test server got it.
type received struct {
	From string
	To   []string
	Data []byte
	User string // authenticated user, "" if none
	TLS  bool
}

// testServer is a real go-smtp server on 127.0.0.1:0 that records mail and
// answers from a failure script.
type testServer struct {
	Addr string
	ev   *events
	user string // AUTH PLAIN credentials required for MAIL when set
	pass string
	// stall, when set, makes DATA wait for it to close: a hung server.
	stall chan struct{}

	mu       sync.Mutex
	msgs     []received
	script   map[string][]error // "mail", "rcpt:<addr>", "data": answered in order, then 250
	always   map[string]error   // sticky answers, after the script runs out
	rcptSeen map[string]int
}

type serverOpts struct {
	tls      *tls.Config // offered with STARTTLS, or from the first byte if implicit
	implicit bool
}

func newTestServer(t *testing.T, ev *events, o serverOpts) *testServer {
	t.Helper()
	ts := &testServer{ev: ev, user: "secbot", pass: "hunter2",
		script: map[string][]error{}, always: map[string]error{}, rcptSeen: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.Addr = ln.Addr().String()
	var l net.Listener = &recordingListener{Listener: ln, ev: ev}
	srv := smtp.NewServer(smtp.BackendFunc(ts.newSession))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0) // TLS tests provoke handshake errors
	if o.implicit {
		l = tls.NewListener(l, o.tls)
	} else {
		srv.TLSConfig = o.tls
	}
	go srv.Serve(l) //nolint:errcheck // returns ErrServerClosed at cleanup
	t.Cleanup(func() { srv.Close() })
	return ts
}

// recordingListener logs "accept" so tests can order it against queue calls.
type recordingListener struct {
	net.Listener
	ev *events
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.ev.add("accept")
	}
	return c, err
}

// fail scripts the answers to a step, e.g. fail("rcpt:a@x", err421, err451).
func (ts *testServer) fail(step string, errs ...error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.script[step] = append(ts.script[step], errs...)
}

func (ts *testServer) failAlways(step string, err error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.always[step] = err
}

// answer pops the next scripted answer for step.
func (ts *testServer) answer(step string) error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if s := ts.script[step]; len(s) > 0 {
		ts.script[step] = s[1:]
		return s[0]
	}
	return ts.always[step]
}

func (ts *testServer) messages() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.msgs...)
}

func (ts *testServer) rcptCount(addr string) int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.rcptSeen[addr]
}

func (ts *testServer) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{ts: ts, conn: c}, nil
}

type session struct {
	ts   *testServer
	conn *smtp.Conn
	user string
	from string
	to   []string
}

var _ smtp.AuthSession = (*session)(nil)

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.ts.user || password != s.ts.pass {
			return errors.New("bad credentials")
		}
		s.user = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.user == "" {
		return smtp.ErrAuthRequired
	}
	if err := s.ts.answer("mail"); err != nil {
		return err
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.ts.mu.Lock()
	s.ts.rcptSeen[to]++
	s.ts.mu.Unlock()
	if err := s.ts.answer("rcpt:" + to); err != nil {
		return err
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.ts.stall != nil {
		<-s.ts.stall
	}
	if err := s.ts.answer("data"); err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.ts.mu.Lock()
	defer s.ts.mu.Unlock()
	s.ts.msgs = append(s.ts.msgs, received{From: s.from, To: s.to, Data: b, User: s.user, TLS: isTLS})
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// smtpErr builds a scripted reply.
func smtpErr(code int, a, b, c int, msg string) *smtp.SMTPError {
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{a, b, c}, Message: msg}
}
