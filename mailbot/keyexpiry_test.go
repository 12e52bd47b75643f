package mailbot_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/secbot/secbot/mailbot/demo"
)

// expiringKey writes the public key of a new key for addr that expires
// after life, and returns its path.
func expiringKey(t *testing.T, dir, addr string, life time.Duration) string {
	t.Helper()
	e, err := openpgp.NewEntity("Carol Maintainer", "", addr, &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, KeyLifetimeSecs: uint32(life.Seconds())})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	path := filepath.Join(dir, "carol.asc")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestKeyExpiryWarnings: a maintainer key that expires in 40 days is
// warned about 30 days before (once, across a restart) and again 7 days
// before, to every maintainer, encrypted, naming whose key and its
// fingerprint.
func TestKeyExpiryWarnings(t *testing.T) {
	key := expiringKey(t, t.TempDir(), "carol@demo.example", 40*24*time.Hour)
	e := newEnv(t, demo.Options{ConfigExtra: fmt.Sprintf("\n[[maintainer]]\nname = \"Carol\"\naddress = \"carol@demo.example\"\nkey_file = %q\n", key)})
	alice := e.Maintainers[0]
	if err := e.WaitIdle(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	const w30, w7 = "Key expires within 30 days: maintainer Carol", "Key expires within 7 days: maintainer Carol"
	e.waitScheduler()
	if n := e.alertMails(alice, "Key expires within"); n != 0 {
		t.Fatalf("%d warnings 40 days before expiry", n)
	}

	e.Clock.Advance(11 * 24 * time.Hour)
	e.waitAlerts(alice, w30, 1)
	text := e.mailWith(alice, len(e.Sim.To(alice.Address)), w30)
	if !strings.Contains(text, "The key of maintainer Carol expires on") || !strings.Contains(text, "in 28 days") {
		t.Errorf("warning text:\n%s", text)
	}
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(24 * time.Hour)
	e.waitScheduler()
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	e.waitAlerts(alice, w30, 1)

	e.Clock.Advance(22 * 24 * time.Hour)
	e.waitAlerts(alice, w7, 1)
	e.waitAlerts(e.Maintainers[1], w7, 1)
	e.waitScheduler()
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	e.waitAlerts(alice, "Key expires within", 2)
}
