package mailbot_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/mailbot/pgpmime"
)

// TestRobotKeyRotation: after `secbot key rotate` and a restart, the
// maintainers get one encrypted notice naming both fingerprints; a report
// encrypted to the old key still decrypts and is relayed; the ack is
// signed by the new key and names it, not the old one; the new key is
// certified by the old.
func TestRobotKeyRotation(t *testing.T) {
	e := newEnv(t, demo.Options{})
	if err := e.WaitIdle(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(e.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	r, err := keyring.Rotate(cfg, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if old := strings.ToUpper(e.Robot.Key.GetFingerprint()); r.OldFP != old || r.NewFP == old {
		t.Fatalf("rotation %+v, old key %s", r, old)
	}
	newKey, err := pgpmime.LoadKeyFile(cfg.Path(cfg.Robot.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if !pgpmime.CertifiedBy(newKey, e.Robot.Key) {
		t.Error("the new robot key is not certified by the old one")
	}
	if err := e.Start(e.ctx); err != nil {
		t.Fatal(err)
	}

	alice := e.Maintainers[0]
	text := e.mailWith(alice, 1, "The robot key was rotated")
	for _, want := range []string{"New key: " + spaced(r.NewFP), "Old key: " + spaced(r.OldFP), "kept in robot.retired_keys_dir", "secbot key -wkd DIR"} {
		if !strings.Contains(text, want) {
			t.Errorf("rotation notice lacks %q:\n%s", want, text)
		}
	}

	// The demo's reporter still encrypts to the old key.
	m := report("After the rotation")
	m.Encrypt = true
	e.send(e.Reporter, m)
	if relay := e.mailWith(alice, 2, "After the rotation"); !strings.Contains(relay, "Transport: OpenPGP encrypted") || strings.Contains(relay, "not to the robot's key") {
		t.Errorf("the report encrypted to the old key is not relayed as decrypted:\n%s", relay)
	}
	ack := e.waitMail(e.Reporter.Address, 1)[0]
	if !bytes.Contains(ack.Data, []byte(spaced(r.NewFP))) || bytes.Contains(ack.Data, []byte(spaced(r.OldFP))) {
		t.Error("the ack does not name the new key alone")
	}
	pub, err := newKey.ToPublic()
	if err != nil {
		t.Fatal(err)
	}
	dec, _ := crypto.NewKeyRing(e.Reporter.Key)
	ver, _ := crypto.NewKeyRing(pub)
	op, err := pgpmime.Open(ack.Data, dec, ver)
	if err != nil || !op.SignatureValid || op.SignerFingerprint != r.NewFP {
		t.Errorf("ack signature: %v, valid %v by %s, want the new key", err, op != nil && op.SignatureValid, r.NewFP)
	}

	// A second start with the same key says nothing more.
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.WaitIdle(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	if n := e.alertMails(alice, "The robot key was rotated"); n != 1 {
		t.Errorf("%d rotation notices, want 1", n)
	}
}
