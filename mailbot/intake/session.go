package intake

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/secbot/secbot/mailbot/loopback"
	"github.com/secbot/secbot/mailbot/tlsmode"
)

// logoutTimeout bounds the polite goodbye: on shutdown nobody should wait
// long for a server that does not answer LOGOUT.
const logoutTimeout = 5 * time.Second

// session is one IMAP connection with its selected mailbox. It is owned by
// the goroutine running Run (or FetchAll); only wake is touched by the
// client's reader goroutine, and the delivery goroutine of the pipeline only
// reads the fields set before catch-up (cfg, sink, log, uidValidity).
type session struct {
	cfg  *Config
	sink Sink // nil for FetchAll
	log  *slog.Logger
	c    *imapclient.Client
	wake chan struct{} // buffered 1: new mail was announced (EXISTS)

	uidValidity uint32
	canIdle     bool
	// caughtUp is set once the session has processed everything and waited
	// for mail: only such a session counts as healthy and resets the backoff.
	caughtUp bool
	// rescanLogged keeps a UIDVALIDITY change to one log line per session
	// even while the rescan finds nothing to commit.
	rescanLogged bool
}

func newSession(cfg *Config, sink Sink) *session {
	return &session{
		cfg:  cfg,
		sink: sink,
		log:  cfg.Logger.With("mailbox", cfg.Mailbox),
		wake: make(chan struct{}, 1),
	}
}

// do runs one IMAP command under the per-command timeout; once ctx has
// ended it starts nothing.
func (s *session) do(ctx context.Context, what string, op func() error) error {
	return guard(ctx, s.cfg.CommandTimeout, s.closeConn, what, op)
}

// finish runs a command that completes work already begun, even after ctx
// ended (then within shutdownGrace).
func (s *session) finish(ctx context.Context, what string, op func() error) error {
	return guardAlways(ctx, s.cfg.CommandTimeout, s.closeConn, what, op)
}

func (s *session) closeConn() {
	if s.c != nil {
		s.c.Close()
	}
}

// onMailbox runs on the client's reader goroutine: it must not issue
// commands nor block, so it only signals the loop.
func (s *session) onMailbox(data *imapclient.UnilateralDataMailbox) {
	if data.NumMessages == nil {
		return
	}
	select {
	case s.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// connect dials, logs in and selects the mailbox (read-only for FetchAll).
func (s *session) connect(ctx context.Context, readOnly bool) error {
	if err := s.dial(ctx); err != nil {
		return err
	}
	if err := s.do(ctx, "login", func() error {
		return s.c.Login(s.cfg.Username, s.cfg.Password).Wait()
	}); err != nil {
		return err
	}
	if err := s.selectMailbox(ctx, readOnly); err != nil {
		return err
	}
	return s.do(ctx, "capability", func() error {
		caps := s.c.Caps() // may have changed after login (RFC 9051 section 7.2.2)
		if caps == nil {
			return errors.New("no capabilities")
		}
		s.canIdle = caps.Has(imap.CapIdle)
		return nil
	})
}

func (s *session) dial(ctx context.Context) error {
	conn, err := s.dialConn(ctx)
	if err != nil {
		return fmt.Errorf("dial %s: %w", s.cfg.Addr, err)
	}
	opts := &imapclient.Options{
		TLSConfig:             s.cfg.tlsConfig(),
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{Mailbox: s.onMailbox},
	}
	if s.cfg.TLSMode != tlsmode.StartTLS {
		s.c = imapclient.New(conn, opts)
		return s.do(ctx, "greeting", s.c.WaitGreeting)
	}
	closeRaw := func() { conn.Close() }
	return guard(ctx, s.cfg.CommandTimeout, closeRaw, "starttls", func() error {
		c, err := imapclient.NewStartTLS(conn, opts)
		s.c = c
		return err
	})
}

// dialConn opens the transport; implicit TLS completes its handshake here,
// within DialTimeout.
func (s *session) dialConn(ctx context.Context) (net.Conn, error) {
	nd := &net.Dialer{Timeout: s.cfg.DialTimeout}
	if s.cfg.TLSMode == tlsmode.Plain {
		conn, err := nd.DialContext(ctx, "tcp", s.cfg.Addr)
		if err != nil {
			return nil, err
		}
		// The name was checked; the peer must really be this machine too
		// (localhost could resolve elsewhere) before a password goes in
		// the clear.
		if !loopback.Peer(conn.RemoteAddr()) {
			conn.Close()
			return nil, fmt.Errorf("plain IMAP to %s: peer %s is not a loopback address", s.cfg.Addr, conn.RemoteAddr())
		}
		return conn, nil
	}
	if s.cfg.TLSMode != tlsmode.Implicit {
		return nd.DialContext(ctx, "tcp", s.cfg.Addr)
	}
	tlsCfg := s.cfg.tlsConfig()
	if tlsCfg.NextProtos == nil {
		tlsCfg.NextProtos = []string{"imap"} // RFC 8314 section 4.1 ALPN id, as imapclient.DialTLS does
	}
	td := &tls.Dialer{NetDialer: nd, Config: tlsCfg}
	return td.DialContext(ctx, "tcp", s.cfg.Addr)
}

func (s *session) selectMailbox(ctx context.Context, readOnly bool) error {
	return s.do(ctx, "select "+s.cfg.Mailbox, func() error {
		data, err := s.c.Select(s.cfg.Mailbox, &imap.SelectOptions{ReadOnly: readOnly}).Wait()
		if err != nil {
			return err
		}
		if data.UIDValidity == 0 {
			// 0 is the sink's "never seen": accepting it would confuse both.
			return errors.New("server sent no UIDVALIDITY")
		}
		s.uidValidity = data.UIDValidity
		return nil
	})
}

// close logs out when the connection still works, then closes it.
func (s *session) close(ctx context.Context) {
	if s.c == nil {
		return
	}
	select {
	case <-s.c.Closed():
		return
	default:
	}
	// Short: nobody should wait long for a server that ignores LOGOUT.
	lctx := context.WithoutCancel(ctx)
	err := guardAlways(lctx, logoutTimeout, s.closeConn, "logout", func() error {
		return s.c.Logout().Wait()
	})
	if err != nil {
		s.log.Debug("imap logout failed", "err", err)
	}
	s.c.Close()
}
