package outbox

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/secbot/secbot/mailbot/loopback"
	"github.com/secbot/secbot/mailbot/tlsmode"
)

// ErrPlainNotLoopback is returned when TLSMode is "plain" and the relay is not
// on a loopback address. Sending credentials or embargoed mail in cleartext
// over a network is refused before anything is dialled.
var ErrPlainNotLoopback = errors.New("plain smtp only allowed to a loopback host")

// Config configures a Sender. Zero values get the documented defaults.
type Config struct {
	// Addr is the relay's host:port.
	Addr string
	// TLSMode defaults to tlsmode.StartTLS.
	TLSMode tlsmode.Mode
	// TLSConfig is cloned; ServerName defaults to the host of Addr.
	TLSConfig *tls.Config
	// Username and Password select AUTH PLAIN when Username != "".
	Username, Password string
	// HeloName is sent in EHLO, default "localhost". With STARTTLS the EHLO
	// before the upgrade always says "localhost" (a go-smtp limitation);
	// only the one after it, which the server trusts, carries HeloName.
	HeloName string
	// MinBackoff and MaxBackoff bound the jittered exponential backoff
	// between attempts; defaults 30s and 1h.
	MinBackoff, MaxBackoff time.Duration
	// Expire turns temporary failures permanent once this long has passed
	// since the entry was queued; default 72h.
	Expire time.Duration
	// DialTimeout bounds connecting, TLS, EHLO and AUTH; default 30s.
	DialTimeout time.Duration
	// SendTimeout bounds one mail's MAIL, RCPT and DATA; default 5m.
	SendTimeout time.Duration
	// BatchMax is the number of entries handled per wake, default 100. One
	// connection serves a whole batch.
	BatchMax int
	// Logger gets ids, recipient counts and SMTP codes, never message
	// bodies, subjects or addresses. Default slog.Default().
	Logger *slog.Logger
	// Panics counts the panics this sender recovered from (its owner's
	// counter, so that two Bots in one process keep theirs apart). nil
	// counts them package-wide (see Panics).
	Panics *atomic.Int64
	// Now is the clock, injectable for tests; default time.Now.
	Now func() time.Time
}

// withDefaults returns cfg with zero fields set to their defaults.
func (cfg Config) withDefaults() Config {
	setDur := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	setDur(&cfg.MinBackoff, 30*time.Second)
	setDur(&cfg.MaxBackoff, time.Hour)
	setDur(&cfg.Expire, 72*time.Hour)
	setDur(&cfg.DialTimeout, 30*time.Second)
	setDur(&cfg.SendTimeout, 5*time.Minute)
	if cfg.TLSMode == "" {
		cfg.TLSMode = tlsmode.StartTLS
	}
	if cfg.HeloName == "" {
		cfg.HeloName = "localhost"
	}
	if cfg.BatchMax <= 0 {
		cfg.BatchMax = 100
	}
	if cfg.Panics == nil {
		cfg.Panics = &unownedPanics
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

// Validate reports every problem in cfg at once (joined), after applying
// defaults, so that a config check command can show them all. It never
// touches the network.
func (cfg Config) Validate() error {
	cfg = cfg.withDefaults()
	var errs []error
	addf := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(format, args...))
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		addf("smtp addr %q: %w", cfg.Addr, err)
	}
	switch cfg.TLSMode {
	case tlsmode.Implicit, tlsmode.StartTLS:
	case tlsmode.Plain:
		if err == nil && !loopback.Host(host) {
			errs = append(errs, fmt.Errorf("smtp addr %q: %w", cfg.Addr, ErrPlainNotLoopback))
		}
	default:
		addf("unknown tls mode %q (want tls, starttls or plain)", cfg.TLSMode)
	}
	if cfg.MinBackoff < 0 || cfg.MaxBackoff < cfg.MinBackoff {
		addf("backoff: need 0 < min (%v) <= max (%v)", cfg.MinBackoff, cfg.MaxBackoff)
	}
	if cfg.Expire < 0 || cfg.DialTimeout < 0 || cfg.SendTimeout < 0 {
		addf("expire %v, dial timeout %v and send timeout %v must not be negative",
			cfg.Expire, cfg.DialTimeout, cfg.SendTimeout)
	}
	if strings.ContainsAny(cfg.HeloName, " \r\n") {
		addf("helo name %q contains whitespace", cfg.HeloName)
	}
	return errors.Join(errs...)
}
