package intake

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/tlsmode"
)

func TestConfigValidate(t *testing.T) {
	base := Config{Addr: "imap.example.org:993", Username: "u"}
	check := func(name string, mutate func(*Config), wantErr string) {
		t.Helper()
		cfg := base
		mutate(&cfg)
		cfg = cfg.withDefaults()
		err := cfg.validate()
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("%s: unexpected error %v", name, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Errorf("%s: error %v, want one containing %q", name, err, wantErr)
		}
	}
	check("defaults", func(*Config) {}, "")
	check("starttls", func(c *Config) { c.TLSMode = tlsmode.StartTLS }, "")
	check("plain remote name", func(c *Config) { c.TLSMode = tlsmode.Plain }, "loopback")
	check("plain remote ip", func(c *Config) { c.TLSMode, c.Addr = tlsmode.Plain, "10.0.0.1:143" }, "loopback")
	check("plain localhost", func(c *Config) { c.TLSMode, c.Addr = tlsmode.Plain, "localhost:143" }, "")
	check("plain ipv4 loopback", func(c *Config) { c.TLSMode, c.Addr = tlsmode.Plain, "127.0.0.2:143" }, "")
	check("plain ipv6 loopback", func(c *Config) { c.TLSMode, c.Addr = tlsmode.Plain, "[::1]:143" }, "")
	check("unknown mode", func(c *Config) { c.TLSMode = "ssl" }, "unknown tls mode")
	check("no port", func(c *Config) { c.Addr = "imap.example.org" }, "addr")
	check("no user", func(c *Config) { c.Username = "" }, "username")
	check("negative size", func(c *Config) { c.MaxSize = -1 }, "max size")
	check("negative timeout", func(c *Config) { c.CommandTimeout = -time.Second }, "command timeout")
	check("negative keep-alive", func(c *Config) { c.KeepAlive = -time.Second }, "keep-alive")
	check("negative keep-alive timeout", func(c *Config) { c.KeepAliveTimeout = -time.Second }, "keep-alive timeout")
	check("backoff order", func(c *Config) { c.MinBackoff, c.MaxBackoff = time.Minute, time.Second }, "exceeds")
	check("backoff fixed", func(c *Config) { c.MinBackoff, c.MaxBackoff = time.Minute, time.Minute }, "")
	check("move to self", func(c *Config) { c.MoveTo = "INBOX" }, "move-to")
}

// TestConfigNumbersMustBePositive: validate, on its own, refuses a zero
// for every number (withDefaults replaces zeros before, but a number
// must not depend on it to be positive), and takes 1.
func TestConfigNumbersMustBePositive(t *testing.T) {
	for name, field := range map[string]func(*Config, int64){
		"max size":           func(c *Config, v int64) { c.MaxSize = v },
		"batch size":         func(c *Config, v int64) { c.BatchSize = int(v) },
		"max batch bytes":    func(c *Config, v int64) { c.MaxBatchBytes = v },
		"poll interval":      func(c *Config, v int64) { c.PollInterval = time.Duration(v) },
		"idle restart":       func(c *Config, v int64) { c.IdleRestart = time.Duration(v) },
		"min backoff":        func(c *Config, v int64) { c.MinBackoff = time.Duration(v) },
		"max backoff":        func(c *Config, v int64) { c.MaxBackoff, c.MinBackoff = time.Duration(v), time.Duration(v) },
		"dial timeout":       func(c *Config, v int64) { c.DialTimeout = time.Duration(v) },
		"command timeout":    func(c *Config, v int64) { c.CommandTimeout = time.Duration(v) },
		"keep-alive":         func(c *Config, v int64) { c.KeepAlive = time.Duration(v) },
		"keep-alive timeout": func(c *Config, v int64) { c.KeepAliveTimeout = time.Duration(v) },
	} {
		for _, v := range []int64{0, 1} {
			cfg := Config{Addr: "imap.example.org:993", Username: "u"}.withDefaults()
			field(&cfg, v)
			err := cfg.validate()
			refused := err != nil && strings.Contains(err.Error(), name+" must be positive")
			if refused != (v == 0) || v == 1 && err != nil {
				t.Errorf("%s = %d: %v", name, v, err)
			}
		}
	}
}

// TestConfigKeepsItsPanicCounter: a Bot's own counter stays its own;
// only a Config without one counts package-wide.
func TestConfigKeepsItsPanicCounter(t *testing.T) {
	var own atomic.Int64
	if got := (Config{Panics: &own}).withDefaults().Panics; got != &own {
		t.Errorf("own counter replaced by %p", got)
	}
	if got := (Config{}).withDefaults().Panics; got != &unownedPanics {
		t.Errorf("no counter: got %p, want the package-wide one", got)
	}
}

func TestConfigReportsAllErrors(t *testing.T) {
	cfg := Config{Addr: "nohost", TLSMode: "ssl", BatchSize: -1}.withDefaults()
	err := cfg.validate()
	for _, want := range []string{"addr", "tls mode", "username", "batch size"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %q", err, want)
		}
	}
}

func TestRunRefusesPlainToRemoteHost(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	cfg := Config{Addr: "imap.example.org:143", TLSMode: tlsmode.Plain, Username: "u", Password: "p"}
	err := Run(ctx, cfg, &memSink{})
	if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("Run = %v (ctx %v), want an immediate loopback error", err, ctx.Err())
	}
	if _, _, err := FetchAll(ctx, cfg); err == nil {
		t.Fatalf("FetchAll accepted plain mode to a remote host")
	}
}

func TestTLSServerNameDefault(t *testing.T) {
	cfg := Config{Addr: "imap.example.org:993"}
	if got := cfg.tlsConfig().ServerName; got != "imap.example.org" {
		t.Errorf("ServerName %q, want imap.example.org", got)
	}
}
