// Package gpgtest gives tests a throw-away GnuPG home, so that secbot is
// tested against GnuPG as its peers run it. A test without gpg on PATH is
// skipped, except under CI=true: CI installs gpg, and a skip there would
// hide that the interoperability test did not run.
package gpgtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Home is one GnuPG home directory, removed (and its agent stopped) when
// the test ends.
type Home struct {
	t   testing.TB
	Bin string // the gpg binary
	Dir string // GNUPGHOME
	// Args go before each call's own, for example "--trust-model",
	// "always" for a home that takes every imported key as valid.
	Args []string
}

// New makes a home, or skips (fails under CI=true) without gpg.
func New(t testing.TB) *Home {
	t.Helper()
	bin, err := exec.LookPath("gpg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("gpg not on PATH (%v), and CI=true: the GnuPG interoperability test must run", err)
		}
		t.Skipf("gpg not on PATH (%v): skipping GnuPG interoperability test", err)
	}
	// A short path: gpg-agent's socket path must fit in sun_path, which
	// t.TempDir's long names can overrun.
	dir, err := os.MkdirTemp("", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "gpgconf", "--kill", "all")
		cmd.Env = append(os.Environ(), "GNUPGHOME="+dir)
		_ = cmd.Run()
		os.RemoveAll(dir)
	})
	return &Home{t: t, Bin: bin, Dir: dir}
}

// Run runs gpg in batch mode with an empty passphrase, within 30 s. It
// returns stdout and what gpg wrote to its status file.
func (h *Home) Run(stdin []byte, args ...string) (stdout []byte, status string, err error) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	statusFile := filepath.Join(h.Dir, "status")
	base := []string{"--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", "", "--status-file", statusFile}
	cmd := exec.CommandContext(ctx, h.Bin, append(append(base, h.Args...), args...)...)
	cmd.Env = append(os.Environ(), "GNUPGHOME="+h.Dir)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	st, _ := os.ReadFile(statusFile)
	if err != nil {
		err = fmt.Errorf("gpg %v: %w\n%s\n%s", args, err, errOut.Bytes(), st)
	}
	return out.Bytes(), string(st), err
}

// Must is Run, failing the test on an error.
func (h *Home) Must(stdin []byte, args ...string) (stdout []byte, status string) {
	h.t.Helper()
	out, st, err := h.Run(stdin, args...)
	if err != nil {
		h.t.Fatal(err)
	}
	return out, st
}
