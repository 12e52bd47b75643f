package outmail

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

// gpgHome is a throw-away GnuPG home: a mail client's view of the
// robot's mail.
type gpgHome struct {
	t   *testing.T
	bin string
	dir string
}

// newGPG skips without gpg, or fails when CI=true: CI installs gpg, so a
// skip there would hide that nothing ran.
func newGPG(t *testing.T) *gpgHome {
	t.Helper()
	bin, err := exec.LookPath("gpg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("gpg not on PATH (%v), and CI=true: the GnuPG interoperability test must run", err)
		}
		t.Skipf("gpg not on PATH (%v): skipping GnuPG interoperability test", err)
	}
	// Short path: gpg-agent's socket path must fit in sun_path.
	dir, err := os.MkdirTemp("", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "gpgconf", "--kill", "gpg-agent")
		cmd.Env = append(os.Environ(), "GNUPGHOME="+dir)
		_ = cmd.Run()
		os.RemoveAll(dir)
	})
	return &gpgHome{t: t, bin: bin, dir: dir}
}

// run runs gpg; it returns stdout and the status-file output. Keys are
// taken at their validity in the keyring: no --trust-model, as a client
// that imported the robot key would.
func (g *gpgHome) run(stdin []byte, args ...string) ([]byte, string, error) {
	g.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	statusFile := filepath.Join(g.dir, "status")
	base := []string{"--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", "", "--status-file", statusFile}
	cmd := exec.CommandContext(ctx, g.bin, append(base, args...)...)
	cmd.Env = append(os.Environ(), "GNUPGHOME="+g.dir)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	st, _ := os.ReadFile(statusFile)
	if err != nil {
		err = fmt.Errorf("gpg %v: %w\n%s\n%s", args, err, errOut.Bytes(), st)
	}
	return out.Bytes(), string(st), err
}

func (g *gpgHome) must(stdin []byte, args ...string) ([]byte, string) {
	g.t.Helper()
	out, st, err := g.run(stdin, args...)
	if err != nil {
		g.t.Fatal(err)
	}
	return out, st
}

// importOwn imports a private key as the client user's own (ultimately
// trusted, as gpg makes a key it generates).
func (g *gpgHome) importOwn(k *crypto.Key) {
	g.t.Helper()
	g.importArmored(k)
	g.must([]byte(fp(k)+":6:\n"), "--import-ownertrust")
}

// importPeer imports a public key and certifies it locally with the
// user's own key, as a user does who checked its fingerprint.
func (g *gpgHome) importPeer(k *crypto.Key) {
	g.t.Helper()
	g.importArmored(k)
	g.must(nil, "--quick-lsign-key", fp(k))
}

func (g *gpgHome) importArmored(k *crypto.Key) {
	g.t.Helper()
	armored, err := k.Armor()
	if err != nil {
		g.t.Fatal(err)
	}
	g.must([]byte(armored), "--import")
}
