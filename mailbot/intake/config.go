package intake

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/secbot/secbot/mailbot/loopback"
	"github.com/secbot/secbot/mailbot/tlsmode"
)

// Defaults applied by Run and FetchAll to zero fields of Config.
const (
	DefaultMailbox        = "INBOX"
	DefaultMaxSize        = 25 << 20
	DefaultBatchSize      = 500
	DefaultMaxBatchBytes  = 64 << 20 // three batches are in memory at once
	DefaultPollInterval   = 60 * time.Second
	DefaultIdleRestart    = 25 * time.Minute
	DefaultMinBackoff     = time.Second
	DefaultMaxBackoff     = 5 * time.Minute
	DefaultDialTimeout    = 30 * time.Second
	DefaultCommandTimeout = 2 * time.Minute
	// A frozen server is noticed within KeepAlive + KeepAliveTimeout.
	DefaultKeepAlive        = 40 * time.Second
	DefaultKeepAliveTimeout = 20 * time.Second
)

// Config configures Run and FetchAll. Zero fields take the defaults above.
type Config struct {
	Addr    string // host:port
	TLSMode tlsmode.Mode
	// TLSConfig is optional; its ServerName defaults to the host of Addr.
	TLSConfig *tls.Config

	Username, Password string

	Mailbox string // default "INBOX"
	// MoveTo, when set, receives processed messages by UID MOVE (created if
	// missing); when empty, processed messages are only flagged \Seen.
	MoveTo string

	// MaxSize bounds what is downloaded whole: a larger message (by
	// RFC822.SIZE) is delivered with only its header and TooBig set, so one
	// huge mail can neither exhaust memory nor block the queue.
	MaxSize int64
	// BatchSize is the most messages per Deliver call (one sink transaction).
	BatchSize int
	// MaxBatchBytes also bounds a batch by its RFC822.SIZE total, because
	// BatchSize messages of MaxSize each would not fit in memory. A batch
	// always holds at least one message.
	MaxBatchBytes int64

	// PollInterval is the re-scan period: without IDLE it is the only way to
	// see new mail, and with IDLE it covers pushes the server failed to send.
	PollInterval time.Duration
	// IdleRestart re-issues IDLE before servers drop it (RFC 2177 section 3: < 29 min).
	IdleRestart time.Duration
	// KeepAlive is how long the connection may wait for mail (in IDLE or
	// between polls) before a round trip proves the server still answers:
	// IDLE is ended with DONE and a NOOP sent. TCP alone does not notice a
	// server process that is stopped while its host still acknowledges
	// packets, and a read waiting for a push has no deadline.
	KeepAlive time.Duration
	// KeepAliveTimeout bounds each round trip of the wait for mail: starting
	// IDLE, its DONE, and NOOP. With KeepAlive it bounds how long a frozen
	// server goes unnoticed (60 s by default), where CommandTimeout, sized
	// for fetches, would take minutes.
	KeepAliveTimeout time.Duration

	MinBackoff, MaxBackoff time.Duration // reconnect backoff bounds

	DialTimeout time.Duration
	// CommandTimeout bounds every IMAP command but the short ones of the
	// wait for mail (KeepAliveTimeout). For fetches it bounds the time
	// without progress, so a large backlog is not cut off half way.
	CommandTimeout time.Duration

	// Logger receives uids, counts, mailbox names and errors, never message
	// contents, subjects or addresses. Default slog.Default().
	Logger *slog.Logger
	// Panics counts the panics this intake recovered from (its owner's
	// counter, so that two Bots in one process keep theirs apart). nil
	// counts them package-wide, where a test's TestMain finds them.
	Panics *atomic.Int64

	// OnIdle, if set, is called each time the loop has caught up and starts
	// waiting for new mail. Tests and the demo use it to know the loop is idle.
	// It runs on the loop goroutine: keep it short.
	OnIdle func()

	// OnReconnect, if set, is called each time a session ended and is
	// about to be reconnected (the daemon counts them).
	OnReconnect func()
}

// withDefaults returns a copy of c with zero fields defaulted, so the
// caller's value is never mutated.
func (c Config) withDefaults() Config {
	setDefault(&c.TLSMode, tlsmode.Implicit)
	setDefault(&c.Mailbox, DefaultMailbox)
	setDefault(&c.MaxSize, DefaultMaxSize)
	setDefault(&c.BatchSize, DefaultBatchSize)
	setDefault(&c.MaxBatchBytes, DefaultMaxBatchBytes)
	setDefault(&c.PollInterval, DefaultPollInterval)
	setDefault(&c.IdleRestart, DefaultIdleRestart)
	setDefault(&c.MinBackoff, DefaultMinBackoff)
	setDefault(&c.MaxBackoff, DefaultMaxBackoff)
	setDefault(&c.DialTimeout, DefaultDialTimeout)
	setDefault(&c.CommandTimeout, DefaultCommandTimeout)
	setDefault(&c.KeepAlive, DefaultKeepAlive)
	setDefault(&c.KeepAliveTimeout, DefaultKeepAliveTimeout)
	if c.Panics == nil {
		c.Panics = &unownedPanics
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// validate reports every configuration error at once, so an operator fixes
// the file in one go.
func (c *Config) validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		add("addr %q: %w", c.Addr, err)
	}
	switch c.TLSMode {
	case tlsmode.Implicit, tlsmode.StartTLS:
	case tlsmode.Plain:
		// The password would cross the network in clear text.
		if err == nil && !loopback.Host(host) {
			add("tls mode %q is only allowed for a loopback host, not %q", c.TLSMode, host)
		}
	default:
		add("unknown tls mode %q", c.TLSMode)
	}
	if c.Username == "" {
		add("username is empty")
	}
	if c.MoveTo != "" && c.MoveTo == c.Mailbox {
		add("move-to mailbox %q is the mailbox being read", c.MoveTo)
	}
	errs = append(errs, c.validateNumbers()...)
	return errors.Join(errs...)
}

func (c *Config) validateNumbers() []error {
	var errs []error
	positive := func(name string, ok bool) {
		if !ok {
			errs = append(errs, fmt.Errorf("%s must be positive", name))
		}
	}
	positive("max size", c.MaxSize > 0)
	positive("batch size", c.BatchSize > 0)
	positive("max batch bytes", c.MaxBatchBytes > 0)
	positive("poll interval", c.PollInterval > 0)
	positive("idle restart", c.IdleRestart > 0)
	positive("min backoff", c.MinBackoff > 0)
	positive("max backoff", c.MaxBackoff > 0)
	positive("dial timeout", c.DialTimeout > 0)
	positive("command timeout", c.CommandTimeout > 0)
	positive("keep-alive", c.KeepAlive > 0)
	positive("keep-alive timeout", c.KeepAliveTimeout > 0)
	if c.MinBackoff > c.MaxBackoff {
		errs = append(errs, fmt.Errorf("min backoff %v exceeds max backoff %v", c.MinBackoff, c.MaxBackoff))
	}
	return errs
}

// tlsConfig returns a copy of the configured TLS settings with ServerName
// defaulted from Addr, which certificate verification needs.
func (c *Config) tlsConfig() *tls.Config {
	cfg := &tls.Config{}
	if c.TLSConfig != nil {
		cfg = c.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName, _, _ = net.SplitHostPort(c.Addr)
	}
	return cfg
}

// prepare defaults and validates cfg for Run and FetchAll.
func prepare(cfg Config) (Config, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return cfg, fmt.Errorf("intake config: %w", err)
	}
	return cfg, nil
}
