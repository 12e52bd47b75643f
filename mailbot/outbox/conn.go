package outbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/secbot/secbot/mailbot/loopback"
	"github.com/secbot/secbot/mailbot/tlsmode"
)

// conn is one ready (greeted, secured, authenticated) connection to the
// relay, reused for the entries of one wake.
type conn struct {
	c   *smtp.Client
	raw net.Conn // closed to abort a blocked operation on timeout
	// dirty means a transaction was started and not completed, so the next
	// one must begin with RSET (RFC 5321 section 4.1.1.5).
	dirty bool
}

// withCtx runs op and closes raw if ctx ends first. go-smtp's client takes no
// context and resets the socket deadline after every command, so closing
// the socket is the one way to bound a whole operation.
func withCtx(ctx context.Context, raw net.Conn, op func() error) error {
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	err := op()
	if !stop() {
		// The socket was closed under op: report why, not just "use of
		// closed network connection".
		return fmt.Errorf("%w (%v)", context.Cause(ctx), err)
	}
	return err
}

// dial connects to the relay, with DialTimeout bounding everything up to and
// including AUTH.
func (s *Sender) dial(ctx context.Context) (*conn, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.DialTimeout)
	defer cancel()
	raw, err := s.dialRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", s.cfg.Addr, err)
	}
	var c *smtp.Client
	err = withCtx(ctx, raw, func() error {
		c, err = s.handshake(raw)
		return err
	})
	if err != nil {
		raw.Close()
		return nil, fmt.Errorf("connect %s: %w", s.cfg.Addr, err)
	}
	return &conn{c: c, raw: raw}, nil
}

// dialRaw opens the TCP (or, for implicit TLS, TLS) connection.
func (s *Sender) dialRaw(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{}
	if s.cfg.TLSMode == tlsmode.Implicit {
		td := &tls.Dialer{NetDialer: d, Config: s.tlsConfig()}
		return td.DialContext(ctx, "tcp", s.cfg.Addr)
	}
	raw, err := d.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return nil, err
	}
	// Validate checked the name; this checks where "localhost" really
	// led, before a single byte is sent in the clear.
	if err := checkPlainPeer(s.cfg.TLSMode, raw.RemoteAddr()); err != nil {
		raw.Close()
		return nil, err
	}
	return raw, nil
}

// checkPlainPeer refuses a plain connection to a peer off loopback.
// Validate checked the name; this checks where "localhost" really led,
// before a single byte is sent in the clear.
func checkPlainPeer(mode tlsmode.Mode, peer net.Addr) error {
	if mode == tlsmode.Plain && !loopback.Peer(peer) {
		return fmt.Errorf("remote %v: %w", peer, ErrPlainNotLoopback)
	}
	return nil
}

// handshake greets the server, upgrades to TLS if configured, and logs in.
func (s *Sender) handshake(raw net.Conn) (*smtp.Client, error) {
	var c *smtp.Client
	if s.cfg.TLSMode == tlsmode.StartTLS {
		var err error
		// Refuses a server that does not offer STARTTLS: no downgrade.
		if c, err = smtp.NewClientStartTLS(raw, s.tlsConfig()); err != nil {
			return nil, fmt.Errorf("starttls: %w", err)
		}
	} else {
		c = smtp.NewClient(raw)
	}
	// Backstops only, longer than either context so that withCtx, which
	// bounds whole operations and not single commands, fires first.
	c.CommandTimeout = s.cfg.DialTimeout + s.cfg.SendTimeout
	c.SubmissionTimeout = c.CommandTimeout
	if err := c.Hello(s.cfg.HeloName); err != nil {
		return nil, fmt.Errorf("ehlo: %w", err)
	}
	if err := s.auth(c); err != nil {
		return nil, err
	}
	return c, nil
}

// errNoAuthPlain is returned when credentials are configured but the server
// does not offer AUTH PLAIN.
var errNoAuthPlain = errors.New("server does not offer AUTH PLAIN")

// auth logs in with AUTH PLAIN (RFC 4616) when a username is configured.
func (s *Sender) auth(c *smtp.Client) error {
	if s.cfg.Username == "" {
		return nil
	}
	// tlsmode.Plain is loopback-only (checked twice above); anything else is TLS.
	if !c.SupportsAuth(sasl.Plain) {
		return fmt.Errorf("auth: %w", errNoAuthPlain)
	}
	if err := c.Auth(sasl.NewPlainClient("", s.cfg.Username, s.cfg.Password)); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	return nil
}

// close says QUIT politely if ctx allows, then drops the connection.
func (cn *conn) close(ctx context.Context, s *Sender) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.DialTimeout)
	defer cancel()
	_ = withCtx(ctx, cn.raw, cn.c.Quit) // best effort: the mail is already reported
	cn.c.Close()
}

// tlsConfig returns a copy of the configured TLS settings with ServerName
// filled in: NewClientStartTLS on our own socket does not know the host, and
// without ServerName the certificate would not be checked against it.
func (s *Sender) tlsConfig() *tls.Config {
	cfg := &tls.Config{}
	if s.cfg.TLSConfig != nil {
		cfg = s.cfg.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName, _, _ = net.SplitHostPort(s.cfg.Addr)
	}
	return cfg
}
