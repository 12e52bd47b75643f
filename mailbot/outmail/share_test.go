package outmail

import (
	"errors"
	"strings"
	"testing"
)

// TestShareNeedsAKeyUnlessSharePlain: the draft for the reporter's review
// is refused without a key; the same draft queued as SharePlain (what only
// `share plain` queues) leaves signed, and both encrypt when there is a
// key. The patches travel only when asked for.
func TestShareNeedsAKeyUnlessSharePlain(t *testing.T) {
	f := newFixture(t)
	noKey, to := f.recipient(Reporter, false)
	sp := f.specFor(t, Share)
	if _, err := f.render(t, kinds, Share, noKey, to, sp); !errors.As(err, new(PermanentError)) {
		t.Errorf("share without a key: %v, want a refusal", err)
	}
	out, err := f.render(t, kinds, SharePlain, noKey, to, sp)
	if err != nil || !strings.Contains(topHeader(out), "multipart/signed") || !strings.Contains(string(out), "DRAFT") {
		t.Errorf("share plain without a key: %v\n%s", err, topHeader(out))
	}
	if strings.Contains(string(out), ".patch") {
		t.Errorf("share without \"with patches\" names a patch")
	}
	withKey, _ := f.recipient(Reporter, true)
	for _, k := range []Kind{Share, SharePlain} {
		out, err := f.render(t, kinds, k, withKey, to, sp)
		if err != nil {
			t.Fatalf("%s with a key: %v", k, err)
		}
		if _, ok := decrypts(t, out, f.private[Reporter]); !ok {
			t.Errorf("%s with a key is not encrypted to the reporter", k)
		}
	}
}

// TestAckAttachesTheRobotKey: the acknowledgement carries the robot's
// public key as application/pgp-keys and never mentions an admin command.
func TestAckAttachesTheRobotKey(t *testing.T) {
	f := newFixture(t)
	rcpt, to := f.recipient(Reporter, false)
	out, err := f.render(t, kinds, Ack, rcpt, to, f.specFor(t, Ack))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if !strings.Contains(s, "Content-Type: application/pgp-keys") || !strings.Contains(s, "security-key.asc") || strings.Contains(s, "secbot key") {
		t.Errorf("ack:\n%s", s)
	}
}
