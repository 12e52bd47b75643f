package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gpgPerson is someone with their own GnuPG home and key.
type gpgPerson struct {
	t       *testing.T
	tl      tools
	Name    string
	Address string
	home    string
	// FPR is the fingerprint of the person's primary key (empty for a
	// person without a key).
	FPR string
}

// newGPGPerson makes a GnuPG home under root for addr and, when withKey,
// generates a key there (ed25519/cv25519, no passphrase, no expiry).
func newGPGPerson(t *testing.T, tl tools, root, name, addr string, withKey bool) *gpgPerson {
	t.Helper()
	home := filepath.Join(root, "gnupg", strings.ReplaceAll(addr, "@", "_"))
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	p := &gpgPerson{t: t, tl: tl, Name: name, Address: addr, home: home}
	t.Cleanup(func() {
		// Stop the agent this home started.
		_, _ = run(context.Background(), "", []string{"GNUPGHOME=" + home}, nil, tl.gpgconf, "--kill", "gpg-agent")
	})
	if withKey {
		p.must(nil, "--quick-gen-key", fmt.Sprintf("%s <%s>", name, addr), "future-default", "default", "never")
		p.FPR = p.fingerprint(addr)
	}
	return p
}

// gpg runs gpg in p's home and returns stdout and the --status-fd lines.
func (p *gpgPerson) gpg(stdin []byte, args ...string) (stdout []byte, status string, err error) {
	statusFile, err := os.CreateTemp(p.home, "status-*")
	if err != nil {
		return nil, "", err
	}
	statusFile.Close()
	defer os.Remove(statusFile.Name())
	base := []string{p.tl.gpg, "--batch", "--no-tty", "--yes", "--pinentry-mode", "loopback", "--passphrase", "",
		"--status-file", statusFile.Name()}
	out, err := run(context.Background(), "", []string{"GNUPGHOME=" + p.home}, stdin, append(base, args...)...)
	st, _ := os.ReadFile(statusFile.Name())
	if err != nil {
		err = fmt.Errorf("gpg as %s: %w\nstatus:\n%s", p.Address, err, st)
	}
	return out, string(st), err
}

func (p *gpgPerson) must(stdin []byte, args ...string) ([]byte, string) {
	p.t.Helper()
	out, status, err := p.gpg(stdin, args...)
	if err != nil {
		p.t.Fatal(err)
	}
	return out, status
}

// fingerprint returns the primary key fingerprint for uid.
func (p *gpgPerson) fingerprint(uid string) string {
	p.t.Helper()
	out, _ := p.must(nil, "--with-colons", "--list-keys", "<"+uid+">")
	inPub := false
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(line, ":")
		switch {
		case f[0] == "pub":
			inPub = true
		case f[0] == "fpr" && inPub && len(f) > 9:
			return f[9]
		}
	}
	p.t.Fatalf("no fingerprint for %s in:\n%s", uid, out)
	return ""
}

// exportPublic writes p's armored public key to path.
func (p *gpgPerson) exportPublic(path string) {
	p.t.Helper()
	out, _ := p.must(nil, "--armor", "--export", p.FPR)
	writeFile(p.t, path, string(out), 0o644)
}

// exportSecret writes p's armored secret key to path, mode 0600.
func (p *gpgPerson) exportSecret(path string) {
	p.t.Helper()
	out, _ := p.must(nil, "--armor", "--export-secret-keys", p.FPR)
	writeFile(p.t, path, string(out), 0o600)
}

// trust imports the public key file of other and trusts it fully, as a
// peer who checked the fingerprint would.
func (p *gpgPerson) trust(other *gpgPerson, keyFile string) {
	p.t.Helper()
	p.must(nil, "--import", keyFile)
	p.must([]byte(other.FPR+":6:\n"), "--import-ownertrust")
}

// decryptVerify decrypts an armored message and checks that it was
// decrypted and signed by signer. It returns the plaintext.
func (p *gpgPerson) decryptVerify(armored []byte, signer *gpgPerson) []byte {
	p.t.Helper()
	out, status, err := p.gpg(armored, "--decrypt")
	if err != nil {
		p.t.Fatalf("%s cannot decrypt: %v", p.Address, err)
	}
	requireStatus(p.t, status, "DECRYPTION_OKAY", "GOODSIG", "VALIDSIG")
	requireSigner(p.t, status, signer)
	return out
}

// verifyDetached checks a detached signature over data by signer.
func (p *gpgPerson) verifyDetached(data, sig []byte, signer *gpgPerson) {
	p.t.Helper()
	dir, err := os.MkdirTemp(p.home, "verify-")
	if err != nil {
		p.t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	dataFile, sigFile := filepath.Join(dir, "data"), filepath.Join(dir, "data.asc")
	writeFile(p.t, dataFile, string(data), 0o600)
	writeFile(p.t, sigFile, string(sig), 0o600)
	_, status, err := p.gpg(nil, "--verify", sigFile, dataFile)
	if err != nil {
		p.t.Fatalf("%s: signature does not verify: %v", p.Address, err)
	}
	requireStatus(p.t, status, "GOODSIG", "VALIDSIG")
	requireSigner(p.t, status, signer)
}

// detachSign signs data (exact bytes) with SHA-256 and returns the armored
// signature.
func (p *gpgPerson) detachSign(data []byte) []byte {
	p.t.Helper()
	out, _ := p.must(data, "--local-user", p.FPR, "--digest-algo", "SHA256", "--detach-sign", "--armor")
	return out
}

// requireStatus fails unless each keyword starts a [GNUPG:] status line,
// and none says the opposite.
func requireStatus(t *testing.T, status string, keywords ...string) {
	t.Helper()
	for _, k := range keywords {
		if !strings.Contains(status, "[GNUPG:] "+k+" ") && !strings.Contains(status, "[GNUPG:] "+k+"\n") {
			t.Fatalf("gpg status lacks %s:\n%s", k, status)
		}
	}
	for _, bad := range []string{"BADSIG", "ERRSIG", "DECRYPTION_FAILED", "EXPSIG", "REVKEYSIG"} {
		if strings.Contains(status, "[GNUPG:] "+bad) {
			t.Fatalf("gpg status has %s:\n%s", bad, status)
		}
	}
}

// requireSigner fails unless VALIDSIG names signer's primary key.
func requireSigner(t *testing.T, status string, signer *gpgPerson) {
	t.Helper()
	for _, line := range strings.Split(status, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[1] == "VALIDSIG" && f[len(f)-1] == signer.FPR {
			return
		}
	}
	t.Fatalf("no VALIDSIG by %s (%s) in:\n%s", signer.Address, signer.FPR, status)
}
