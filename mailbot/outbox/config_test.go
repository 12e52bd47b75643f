package outbox

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/tlsmode"
)

func TestValidate(t *testing.T) {
	check := func(cfg Config, wantErr error, wantOK bool) {
		t.Helper()
		err := cfg.Validate()
		if wantOK != (err == nil) {
			t.Errorf("Validate(%s %s) = %v, want ok=%v", cfg.Addr, cfg.TLSMode, err, wantOK)
		}
		if wantErr != nil && !errors.Is(err, wantErr) {
			t.Errorf("Validate(%s %s) = %v, want %v", cfg.Addr, cfg.TLSMode, err, wantErr)
		}
	}
	withAuth := func(addr string, mode tlsmode.Mode) Config {
		return Config{Addr: addr, TLSMode: mode, Username: "u", Password: "p"}
	}
	check(withAuth("127.0.0.1:25", tlsmode.Plain), nil, true)
	check(withAuth("[::1]:25", tlsmode.Plain), nil, true)
	check(withAuth("localhost:25", tlsmode.Plain), nil, true)
	check(withAuth("LocalHost.:25", tlsmode.Plain), nil, true)
	check(withAuth("mail.example.com:25", tlsmode.Plain), ErrPlainNotLoopback, false)
	check(withAuth("192.0.2.1:25", tlsmode.Plain), ErrPlainNotLoopback, false)
	check(withAuth("localhost.example.com:25", tlsmode.Plain), ErrPlainNotLoopback, false)
	check(Config{Addr: "mail.example.com:25", TLSMode: tlsmode.Plain}, ErrPlainNotLoopback, false)
	check(withAuth("mail.example.com:587", tlsmode.StartTLS), nil, true)
	check(withAuth("mail.example.com:465", tlsmode.Implicit), nil, true)
	check(withAuth("mail.example.com:587", ""), nil, true) // defaults to starttls
	check(withAuth("mail.example.com", tlsmode.StartTLS), nil, false)
	check(withAuth("mail.example.com:587", "ssl"), nil, false)
	check(Config{Addr: "mail.example.com:587", MinBackoff: 10, MaxBackoff: 5}, nil, false)
	check(Config{Addr: "mail.example.com:587", MinBackoff: time.Minute, MaxBackoff: time.Minute}, nil, true) // no backoff growth

	// Every problem at once, for a config check command.
	err := Config{Addr: "nope", TLSMode: "ssl", Expire: -1}.Validate()
	if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != 3 {
		t.Errorf("Validate reported %d problems (%v), want 3", n, err)
	}
}

// TestWithDefaults: zero fields get the documented defaults, and fields
// that are set are kept.
func TestWithDefaults(t *testing.T) {
	d := Config{}.withDefaults()
	if d.MinBackoff != 30*time.Second || d.MaxBackoff != time.Hour || d.Expire != 72*time.Hour ||
		d.DialTimeout != 30*time.Second || d.SendTimeout != 5*time.Minute || d.TLSMode != tlsmode.StartTLS ||
		d.HeloName != "localhost" || d.BatchMax != 100 || d.Logger == nil || d.Now == nil {
		t.Errorf("defaults %+v", d)
	}
	if d := (Config{BatchMax: -1}).withDefaults(); d.BatchMax != 100 {
		t.Errorf("BatchMax -1 became %d, want the default 100", d.BatchMax)
	}
	logger := slog.New(slog.DiscardHandler)
	now := func() time.Time { return time.Time{} }
	set := Config{MinBackoff: 1, MaxBackoff: 2, Expire: 3, DialTimeout: 4, SendTimeout: 5, TLSMode: tlsmode.Plain,
		HeloName: "secbot.test", BatchMax: 1, Logger: logger, Now: now}
	got := set.withDefaults()
	if got.MinBackoff != 1 || got.MaxBackoff != 2 || got.Expire != 3 || got.DialTimeout != 4 || got.SendTimeout != 5 ||
		got.TLSMode != tlsmode.Plain || got.HeloName != "secbot.test" || got.BatchMax != 1 || got.Logger != logger || got.Now == nil || !got.Now().IsZero() {
		t.Errorf("set fields changed: %+v", got)
	}
}
