package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/metrics"
	"github.com/secbot/secbot/mailbot/versions"
	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// queryFixture writes the sample config, whose robot key file does not
// exist, and a store holding one case, in a temporary directory.
func queryFixture(t *testing.T) *config.Config {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "secbot.toml")
	if err := os.WriteFile(path, templates.SampleConfig(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cfg.Path(cfg.Robot.KeyFile)); !os.IsNotExist(err) {
		t.Fatalf("the robot key file exists: %v", err)
	}
	st, err := store.Open(cfg.Path(cfg.Robot.Store), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := &store.Case{ID: "SEC-2026-0001", State: store.StateAccepted, Subject: "Heap overflow",
		Opened: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC),
		Vulns: []store.Vuln{{N: 1, Title: "Heap overflow in frob()", Affected: versions.List{{Introduced: "1.0", Fixed: "1.4.3"}},
			Severity: "high", CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}, VulnSeq: 1}
	if err := st.Update(func(tx *store.Tx) error { return tx.PutCase(c) }); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestReadCommandsNeedNoKey: case list, case show and case advisory work
// with a config whose robot key file is missing: no read command loads
// the robot's private key.
func TestReadCommandsNeedNoKey(t *testing.T) {
	cfg := queryFixture(t)
	for _, x := range []struct {
		q    query
		want []string
	}{
		{query{Cmd: "list"}, []string{"SEC-2026-0001  accepted"}},
		{query{Cmd: "show", ID: "SEC-2026-0001"}, []string{"Case:      SEC-2026-0001"}},
		{query{Cmd: "advisory", ID: "SEC-2026-0001"}, []string{"Subject: [SEC-2026-0001] EMBARGOED DRAFT: Example Project security advisory",
			"Versions affected:      >=1.0 <1.4.3", "Severity:               high (base score 9.8,", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H)"}},
		{query{Cmd: "advisory", ID: "SEC-2026-0001", Final: true}, []string{"Subject: [SEC-2026-0001] Example Project security advisory"}},
	} {
		var out bytes.Buffer
		if err := runQuery(cfg, x.q, &out); err != nil {
			t.Errorf("%+v: %v", x.q, err)
			continue
		}
		for _, w := range x.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%+v: output lacks %q:\n%s", x.q, w, out.String())
			}
		}
	}
}

// TestControlSocket: the daemon's socket answers every query, the
// advisory included, from the config and templates alone; asked before
// it has them (run.go serves only after, so this is a safety net) it
// says so instead of failing on a nil Bot.
func TestControlSocket(t *testing.T) {
	cfg := queryFixture(t)
	st, err := store.Open(cfg.Path(cfg.Robot.Store), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	env, err := newRenderEnv(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		env  *renderEnv
		q    query
		want string
		err  string
		not  string // must not be in the output
	}{
		{env, query{Cmd: "advisory", ID: "SEC-2026-0001"}, "Versions affected:      >=1.0 <1.4.3", "", ""},
		{env, query{Cmd: "list"}, "SEC-2026-0001", "", ""},
		{nil, query{Cmd: "list"}, "SEC-2026-0001", "", ""},
		{nil, query{Cmd: "list", States: []string{"published"}}, "SUBJECT\n", "", "SEC-2026-0001"},
		{nil, query{Cmd: "advisory", ID: "SEC-2026-0001"}, "", "secbot is starting", ""},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		sock := filepath.Join(t.TempDir(), "s.sock")
		e := x.env
		if err := serveCtl(ctx, sock, st, func() *renderEnv { return e }, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
		conn, err := net.DialTimeout("unix", sock, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		err = askDaemon(conn, x.q, &out)
		switch {
		case x.err != "" && (err == nil || !strings.Contains(err.Error(), x.err)):
			t.Errorf("%+v (env %v): error %v, want %q", x.q, x.env != nil, err, x.err)
		case x.err == "" && err != nil:
			t.Errorf("%+v (env %v): %v", x.q, x.env != nil, err)
		case !strings.Contains(out.String(), x.want):
			t.Errorf("%+v (env %v): output lacks %q:\n%s", x.q, x.env != nil, x.want, out.String())
		case x.not != "" && strings.Contains(out.String(), x.not):
			t.Errorf("%+v (env %v): output has %q:\n%s", x.q, x.env != nil, x.not, out.String())
		}
		cancel()
	}
}

// TestStatusOverSocket: `secbot status` answers from the daemon's
// health and counters, and says FAILING, with the reason, when the
// intake has not synced within 3 poll intervals.
func TestStatusOverSocket(t *testing.T) {
	cfg := queryFixture(t)
	st, err := store.Open(cfg.Path(cfg.Robot.Store), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	env, err := newRenderEnv(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	now := t0
	m := metrics.New()
	m.WatchStore(st)
	env.live = &live{m: m, health: metrics.NewHealth(m, st, time.Minute, func() time.Time { return now })}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sock := filepath.Join(t.TempDir(), "s.sock")
	if err := serveCtl(ctx, sock, st, func() *renderEnv { return env }, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		after time.Duration
		want  []string
	}{
		{time.Minute, []string{"health: ok\n", "secbot_announcements_armed 0\n", "secbot_panics_total 0\n"}},
		{10 * time.Minute, []string{"health: FAILING\n  intake: no IMAP sync for 10m0s (limit 3m0s)\n"}},
	} {
		now = t0.Add(x.after)
		conn, err := net.DialTimeout("unix", sock, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := askDaemon(conn, query{Cmd: "status"}, &out); err != nil {
			t.Fatal(err)
		}
		for _, w := range x.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("+%s: status lacks %q:\n%s", x.after, w, out.String())
			}
		}
	}
}
