package pgpmime

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

// fakedTime makes gpg act as if its clock read at, as a signer does who
// backdates a signature.
func fakedTime(at time.Time) []string {
	return []string{"--faked-system-time", at.UTC().Format("20060102T150405")}
}

// day is a date in January 2026 at midnight UTC.
func day(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }

// genKeyAt makes a GnuPG key at the faked time at, with gpg's
// --quick-gen-key arguments algo, usage and expire, and returns its
// fingerprint.
func (g *gpgHome) genKeyAt(at time.Time, uid, algo, usage, expire string) string {
	g.t.Helper()
	g.Must(nil, append(fakedTime(at), "--quick-gen-key", uid, algo, usage, expire)...)
	out, _ := g.Must(nil, "--list-keys", "--with-colons", uid)
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Split(l, ":"); f[0] == "fpr" && len(f) > 9 {
			return f[9]
		}
	}
	g.t.Fatalf("no fingerprint for %s:\n%s", uid, out)
	return ""
}

// public exports the key fpr as it stands in the GnuPG home now.
func (g *gpgHome) public(fpr string) *crypto.Key {
	g.t.Helper()
	pub, _ := g.Must(nil, "--armor", "--export", fpr)
	k, err := ReadKey(pub)
	if err != nil {
		g.t.Fatalf("read gpg key: %v\n%s", err, pub)
	}
	return k
}

// clearsignAt is `gpg --clearsign` by fpr at the faked time at.
func (g *gpgHome) clearsignAt(at time.Time, fpr, text string) []byte {
	g.t.Helper()
	out, _ := g.Must([]byte(text), append(fakedTime(at), "--clearsign", "--local-user", fpr)...)
	return textMail(string(out))
}

// answer runs a gpg command that will not run in --batch mode
// (--gen-revoke, --edit-key), answering its prompts from answers.
func (g *gpgHome) answer(answers string, args ...string) []byte {
	g.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	base := []string{"--no-tty", "--pinentry-mode", "loopback", "--passphrase", "", "--command-fd", "0"}
	cmd := exec.CommandContext(ctx, g.Bin, append(base, args...)...)
	cmd.Env = append(os.Environ(), "GNUPGHOME="+g.Dir)
	cmd.Stdin = strings.NewReader(answers)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		g.t.Fatalf("gpg %v: %v\n%s", args, err, errOut.Bytes())
	}
	return out.Bytes()
}

// revokeAt makes a revocation certificate for fpr at the faked time at
// (reason "no longer used", which unlike "compromised" does not reach
// back before its own date in go-crypto), and imports it.
func (g *gpgHome) revokeAt(at time.Time, fpr string) {
	g.t.Helper()
	// The menu: y(es, make one), 3 (no longer used), no text, y(es, right).
	cert := g.answer("y\n3\n\ny\n", append(fakedTime(at), "--armor", "--gen-revoke", fpr)...)
	g.Must(cert, "--import")
}

// revokeSubkeyAt revokes the first subkey of fpr at the faked time at.
func (g *gpgHome) revokeSubkeyAt(at time.Time, fpr string) {
	g.t.Helper()
	g.answer("key 1\nrevkey\ny\n3\n\ny\nsave\n", append(fakedTime(at), "--edit-key", fpr)...)
}

// TestGPGKeyValidity checks expiry and revocation with keys, signatures
// and revocations made by GnuPG, dated by the signer (--faked-system-time):
// the key must be valid when it signed and when the mail arrived, and a
// revocation counts whatever its date.
func TestGPGKeyValidity(t *testing.T) {
	g := newGPG(t)
	const text = "# SEC-2026-0001\ntitle from gpg\n"

	// Expires on 1 February.
	expiring := g.genKeyAt(day(1), "Exp <exp@example.org>", "ed25519", "sign", "20260201T000000")
	expiringSig := g.clearsignAt(day(15), expiring, text)

	// Made to last, then shortened on 5 January to end on 20 January.
	shortened := g.genKeyAt(day(1), "Short <short@example.org>", "ed25519", "sign", "never")
	g.Must(nil, append(fakedTime(day(5)), "--quick-set-expire", shortened, "20260120T000000")...)
	shortenedSig := g.clearsignAt(day(10), shortened, text)

	// Signs on 10 January; revoked on 20 January.
	revoked := g.genKeyAt(day(1), "Rev <rev@example.org>", "ed25519", "sign", "never")
	revokedSig := g.clearsignAt(day(10), revoked, text)
	beforeRevocation := g.public(revoked)
	g.revokeAt(day(20), revoked)

	// A certification-only primary key with a signing subkey that expires
	// on 1 February and is revoked on 20 January.
	sub := g.genKeyAt(day(1), "Sub <sub@example.org>", "ed25519", "cert", "never")
	g.Must(nil, append(fakedTime(day(1)), "--quick-add-key", sub, "ed25519", "sign", "20260201T000000")...)
	subSig := g.clearsignAt(day(10), sub, text)
	subBeforeRevocation := g.public(sub)
	g.revokeSubkeyAt(day(20), sub)

	tests := []struct {
		name    string
		msg     []byte
		key     *crypto.Key
		arrived time.Time
		wantErr error
	}{
		{"signed and arrived before expiry", expiringSig, g.public(expiring), day(15).Add(time.Hour), nil},
		{"backdated: arrived after expiry", expiringSig, g.public(expiring), day(1).AddDate(0, 2, 0), ErrKeyExpired},
		{"shortened: arrived before the new end", shortenedSig, g.public(shortened), day(11), nil},
		{"shortened: arrived after the new end", shortenedSig, g.public(shortened), day(25), ErrKeyExpired},
		{"not revoked as the verifier knows it", revokedSig, beforeRevocation, day(25), nil},
		{"revoked after arrival", revokedSig, g.public(revoked), day(15), ErrKeyRevoked},
		{"revoked before arrival", revokedSig, g.public(revoked), day(25), ErrKeyRevoked},
		{"subkey valid", subSig, subBeforeRevocation, day(15), nil},
		{"subkey expired at arrival", subSig, subBeforeRevocation, day(1).AddDate(0, 1, 4), ErrKeyExpired},
		{"subkey revoked after arrival", subSig, g.public(sub), day(15), ErrKeyRevoked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := OpenAt(tc.msg, nil, ring(t, tc.key), tc.arrived)
			if err != nil {
				t.Fatal(err)
			}
			if !o.Signed || !errors.Is(o.SignatureError, tc.wantErr) || (tc.wantErr == nil) != o.SignatureValid {
				t.Fatalf("signed=%v valid=%v error=%v, want %v", o.Signed, o.SignatureValid, o.SignatureError, tc.wantErr)
			}
			if o.SignatureTime.Before(day(10)) || o.SignatureTime.After(day(15)) {
				t.Fatalf("signature time %v: gpg did not backdate it", o.SignatureTime)
			}
		})
	}
}
