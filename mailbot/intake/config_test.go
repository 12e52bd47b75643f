package intake

import (
	"context"
	"strings"
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
	check("move to self", func(c *Config) { c.MoveTo = "INBOX" }, "move-to")
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
