package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// buildSecbot builds ./cmd/secbot into dir and returns the binary's path.
func buildSecbot(ctx context.Context, dir string) (string, error) {
	out, err := run(ctx, "", nil, nil, "go", "env", "GOMOD")
	if err != nil {
		return "", err
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside the secbot module (go env GOMOD = %q)", gomod)
	}
	bin := filepath.Join(dir, "secbot")
	if _, err := run(ctx, filepath.Dir(gomod), nil, nil, "go", "build", "-o", bin, "./cmd/secbot"); err != nil {
		return "", err
	}
	return bin, nil
}

// secbotWorld is what the config file names: the robot, its peers, and
// the servers.
type secbotWorld struct {
	robot       *gpgPerson
	maintainers []*gpgPerson
	downstream  *gpgPerson // id "acme", kind vendor
	imapAddr    string
	smtpAddr    string
}

// writeSecbotConfig writes dir/secbot.toml with the keys under dir/keys
// and returns its path. poll_interval is long, so that only IDLE can make
// secbot notice new mail quickly.
func writeSecbotConfig(t *testing.T, dir string, w secbotWorld) string {
	t.Helper()
	keys := filepath.Join(dir, "keys")
	w.robot.exportSecret(filepath.Join(dir, "robot.key.asc"))
	writeFile(t, filepath.Join(dir, "imap.password"), mailPassword+"\n", 0o600)
	var b strings.Builder
	fmt.Fprintf(&b, `[robot]
address = %q
name = %q
project_name = "Frob"
project_url = "https://frob.project.test/"
key_file = "robot.key.asc"
store = "secbot.db"

[imap]
addr = %q
tls = "plain"
username = %q
password_file = "imap.password"
poll_interval = "60s"

[smtp]
addr = %q
tls = "plain"
helo = "secbot.project.test"

[log]
level = "debug"
`, w.robot.Address, w.robot.Name, w.imapAddr, w.robot.Address, w.smtpAddr)
	for _, m := range w.maintainers {
		file := filepath.Join(keys, localPart(m.Address)+".asc")
		m.exportPublic(file)
		fmt.Fprintf(&b, "\n[[maintainer]]\nname = %q\naddress = %q\nkey_file = %q\n", m.Name, m.Address, file)
	}
	d := w.downstream
	file := filepath.Join(keys, "acme.asc")
	d.exportPublic(file)
	fmt.Fprintf(&b, "\n[[downstream]]\nid = \"acme\"\nname = %q\naddress = %q\nkey_file = %q\nkind = \"vendor\"\n", d.Name, d.Address, file)
	path := filepath.Join(dir, "secbot.toml")
	writeFile(t, path, b.String(), 0o600)
	return path
}

func localPart(addr string) string { return strings.SplitN(addr, "@", 2)[0] }

// secbotCLI runs a one-shot secbot subcommand and returns its stdout.
func secbotCLI(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := run(context.Background(), "", nil, nil, append([]string{bin}, args...)...)
	if err != nil {
		t.Fatalf("secbot %v: %v", args, err)
	}
	return string(out)
}

// logContains reports whether the daemon's log file holds s. Waiting for
// more is pointless once the daemon exited: that error wraps errGiveUp.
func logContains(d *daemon, s string) (bool, error) {
	b, err := os.ReadFile(d.logs[0])
	if err != nil {
		return false, err
	}
	if strings.Contains(string(b), s) {
		return true, nil
	}
	if d.exited() {
		return false, fmt.Errorf("%w: %s exited: %v", errGiveUp, d.name, d.err)
	}
	return false, nil
}
