package wkd

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/pgpmime"
)

const addr = "security@demo.example"

// robotKey is a fresh key for addr, exported as the directory serves it.
func robotKey(t *testing.T) []byte {
	t.Helper()
	armored, err := pgpmime.GenerateKey("Security team", addr, "x25519")
	if err != nil {
		t.Fatal(err)
	}
	k, err := pgpmime.ReadKey([]byte(armored))
	if err != nil {
		t.Fatal(err)
	}
	data, err := pgpmime.AddressKey(k, addr)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// gpg runs gpg in a throw-away home; it skips without gpg, or fails when
// CI=true (CI installs gpg, so a skip there would hide that nothing ran).
func gpg(t *testing.T) func(stdin []byte, args ...string) []byte {
	t.Helper()
	bin, err := exec.LookPath("gpg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("gpg not on PATH (%v), and CI=true", err)
		}
		t.Skipf("gpg not on PATH (%v)", err)
	}
	home, err := os.MkdirTemp("", "gpg") // short: the agent's socket path
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd := exec.Command("gpgconf", "--kill", "all")
		cmd.Env = append(os.Environ(), "GNUPGHOME="+home)
		_ = cmd.Run()
		os.RemoveAll(home)
	})
	return func(stdin []byte, args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"--batch", "--no-tty"}, args...)...)
		cmd.Env = append(os.Environ(), "GNUPGHOME="+home)
		cmd.Stdin = bytes.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("gpg %v: %v\n%s", args, err, out)
		}
		return out
	}
}

// TestHashIsGnuPGs: the hash of the local part, in any letter case, is
// the one `gpg --with-wkd-hash` prints for the address.
func TestHashIsGnuPGs(t *testing.T) {
	run := gpg(t)
	run(robotKey(t), "--import")
	out := run(nil, "--with-wkd-hash", "--list-keys", addr)
	m := regexp.MustCompile(`(?m)^\s+([a-z0-9]{32})@demo\.example$`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no WKD hash in gpg's listing:\n%s", out)
	}
	for _, local := range []string{"security", "Security", "SECURITY"} {
		if got := Hash(local); got != string(m[1]) {
			t.Errorf("Hash(%q) = %s, gpg says %s", local, got, m[1])
		}
	}
}

// TestWriteLaysOutBothMethods: the advanced and the direct layout hold
// the binary key under the hash, each beside an empty policy file, and
// gpg reads the key file as the key of the address.
func TestWriteLaysOutBothMethods(t *testing.T) {
	dir, key := t.TempDir(), robotKey(t)
	files, err := Write(dir, "Security@Demo.Example", key)
	if err != nil {
		t.Fatal(err)
	}
	h := Hash("security")
	want := []string{".well-known/openpgpkey/demo.example/hu/" + h, ".well-known/openpgpkey/demo.example/policy",
		".well-known/openpgpkey/hu/" + h, ".well-known/openpgpkey/policy"}
	if !slices.Equal(files, want) {
		t.Errorf("files %q, want %q", files, want)
	}
	for _, f := range want {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		isKey := filepath.Base(f) == h
		if isKey && !bytes.Equal(data, key) || !isKey && len(data) != 0 {
			t.Errorf("%s: %d bytes", f, len(data))
		}
	}
	if bytes.HasPrefix(key, []byte("-----")) {
		t.Errorf("the key is armored; WKD serves it binary")
	}
	out := gpg(t)(nil, "--with-colons", "--show-keys", filepath.Join(dir, want[0]))
	if !bytes.Contains(out, []byte("<"+addr+">")) || !regexp.MustCompile(`(?m)^sub:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:e`).Match(out) {
		t.Errorf("gpg reads the served key as:\n%s", out)
	}
	for _, bad := range []string{"security", "@demo.example", "security@", "a@b/../c"} {
		if _, err := Write(dir, bad, key); err == nil {
			t.Errorf("Write(%q) took it", bad)
		}
	}
}
