package outbox

import (
	"errors"
	"testing"

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

	// Every problem at once, for a config check command.
	err := Config{Addr: "nope", TLSMode: "ssl", Expire: -1}.Validate()
	if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != 3 {
		t.Errorf("Validate reported %d problems (%v), want 3", n, err)
	}
}
