package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func write(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secbot.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// keysOK accepts every key file; keysBad refuses them all.
func keysOK(string, bool, bool, time.Time) (string, error) { return "FP", nil }
func keysBad(path string, _, _ bool, _ time.Time) (string, error) {
	return "", errors.New("key expired")
}

func TestCheckReportsEveryProblemAtOnce(t *testing.T) {
	p := write(t, `
[robot]
address = "not an address"
key_file = "robot.asc"
[imap]
addr = "imap.example.org"
tls = "ssl"
[smtp]
addr = "smtp.example.org:25"
tls = "plain"
[[maintainer]]
name = "A"
address = "a@example.org"
key_file = "a.asc"
[log]
format = "logfmt"
[metrics]
addr = "0.0.0.0:9100"
`)
	cfg, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	problems := cfg.Check(keysBad, time.Now())
	text := problems.Err().Error()
	for _, want := range []string{"robot.address", "robot.key_file robot.asc: key expired", "imap.addr", "imap.tls \"ssl\": unknown TLS mode",
		"smtp.tls plain: only allowed for a loopback host", "maintainer 1 (A): key_file a.asc: key expired",
		`log.format "logfmt": want text or json`,
		`metrics.addr "0.0.0.0:9100": not a loopback address; set metrics.allow_remote = true`} {
		if !strings.Contains(text, want) {
			t.Errorf("problems lack %q:\n%s", want, text)
		}
	}
	if len(problems) < 6 {
		t.Errorf("%d problems, want at least 6", len(problems))
	}
}

func TestSampleStyleConfigIsClean(t *testing.T) {
	p := write(t, `
[robot]
address = "security@example.org"
key_file = "robot.asc"
[imap]
addr = "127.0.0.1:1143"
tls = "plain"
[smtp]
addr = "smtp.example.org:587"
[[maintainer]]
name = "A"
address = "a@example.org"
key_file = "a.asc"
`)
	os.WriteFile(filepath.Join(filepath.Dir(p), "robot.asc"), []byte("x"), 0o600)
	cfg, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Check(keysOK, time.Now()).Err(); err != nil {
		t.Fatalf("unexpected problems: %v", err)
	}
	if cfg.Robot.CasePrefix != "SEC" || cfg.Robot.Domain != "example.org" || cfg.SMTP.TLS != "starttls" || cfg.IMAP.Mailbox != "INBOX" {
		t.Errorf("defaults not applied: %+v", cfg.Robot)
	}
}

func TestUnknownKeysAreRefused(t *testing.T) {
	p := write(t, "[robot]\nadress = \"typo@example.org\"\n")
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "robot.adress") {
		t.Fatalf("Load = %v, want unknown key robot.adress", err)
	}
}

func TestPrivateKeyModeIsChecked(t *testing.T) {
	p := write(t, "[robot]\naddress = \"s@example.org\"\nkey_file = \"robot.asc\"\n")
	os.WriteFile(filepath.Join(filepath.Dir(p), "robot.asc"), []byte("x"), 0o644)
	cfg, _ := Load(p)
	if err := cfg.Check(keysOK, time.Now()).Err(); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable private key not reported: %v", err)
	}
}

// TestOuterSubject: robot.outer_subject defaults to hiding everything but
// the case id, takes "kind", and refuses anything else.
func TestOuterSubject(t *testing.T) {
	for _, tc := range []struct{ value, want, problem string }{
		{"", OuterHidden, ""}, {"hidden", OuterHidden, ""}, {"kind", OuterKind, ""},
		{"subject", "subject", `robot.outer_subject "subject"`},
	} {
		body := "[robot]\naddress = \"s@example.org\"\nkey_file = \"robot.asc\"\n"
		if tc.value != "" {
			body += "outer_subject = \"" + tc.value + "\"\n"
		}
		p := write(t, body)
		os.WriteFile(filepath.Join(filepath.Dir(p), "robot.asc"), []byte("x"), 0o600)
		cfg, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Robot.OuterSubject != tc.want {
			t.Errorf("%q: outer_subject %q, want %q", tc.value, cfg.Robot.OuterSubject, tc.want)
		}
		err = cfg.Check(keysOK, time.Now()).Err()
		if got := err != nil && strings.Contains(err.Error(), "robot.outer_subject"); got != (tc.problem != "") {
			t.Errorf("%q: problems %v", tc.value, err)
		}
	}
}
