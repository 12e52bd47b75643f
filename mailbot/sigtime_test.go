package mailbot_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/intake"
	"github.com/secbot/secbot/mailbot/internal/gpgtest"
	"github.com/secbot/secbot/mailbot/pgpmime"
)

// timedKey makes a key for p, created at created, that expires after
// lifetime (0: never).
func timedKey(t *testing.T, p demo.Person, created time.Time, lifetime time.Duration) *crypto.Key {
	t.Helper()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, KeyLifetimeSecs: uint32(lifetime / time.Second),
		Time: func() time.Time { return created }}
	e, err := openpgp.NewEntity(p.Name, "", p.Address, cfg)
	if err != nil {
		t.Fatal(err)
	}
	k, err := crypto.NewKeyFromEntity(e)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// setMaintainerKey writes pub as maintainer i's key file and restarts
// the bot, which reads keys at start, as a config reload does.
func (e *env) setMaintainerKey(i int, pub *crypto.Key) {
	e.t.Helper()
	armored, err := pub.GetArmoredPublicKey()
	if err != nil {
		e.t.Fatal(err)
	}
	file := filepath.Join(e.Dir, "keys", strings.Split(e.Maintainers[i].Address, "@")[0]+".asc")
	if err := os.WriteFile(file, []byte(armored), 0o644); err != nil {
		e.t.Fatal(err)
	}
	if err := e.Stop(); err != nil {
		e.t.Fatal(err)
	}
	if err := e.Start(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

// deliverAt hands raw to ingest as the intake would, as if the IMAP server
// had taken it at arrived (its INTERNALDATE): the in-process server stamps
// the real time.
func (e *env) deliverAt(raw []byte, uid uint32, arrived time.Time) {
	e.t.Helper()
	msg := intake.Message{UID: uid, Size: int64(len(raw)), InternalDate: arrived, Raw: raw}
	if err := e.Bot().Deliver(e.ctx, "direct", 1, []intake.Message{msg}); err != nil {
		e.t.Fatalf("deliver: %v", err)
	}
}

// mailSaying waits for a mail to p whose text holds want, and returns
// that text. Unlike transcript, it does not count mails: relays to a
// maintainer whose key expired fail, and say so to the others.
func (e *env) mailSaying(p demo.Person, want string) string {
	e.t.Helper()
	texts := map[int]string{}
	var found string
	ctx := ctxTimeout(e.t, wait)
	e.Sim.WaitFor(ctx, func() bool {
		for i, d := range e.Sim.To(p.Address) {
			if _, ok := texts[i]; !ok {
				if op, err := e.Read(p, d); err == nil {
					texts[i] = allText(e.t, op.Message)
				}
			}
			if strings.Contains(texts[i], want) {
				found = texts[i]
				return true
			}
		}
		return false
	})
	if found == "" {
		e.t.Fatalf("no mail to %s says %q", p.Address, want)
	}
	return found
}

// TestCommandNeedsAKeyValidWhenTheMailArrived: a maintainer key must be
// valid when the mail reached the IMAP server, not only at the signature's
// own time, which the signer chooses; and a revocation the config has
// learned counts whatever its date.
func TestCommandNeedsAKeyValidWhenTheMailArrived(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	alice, bob := e.Maintainers[0], e.Maintainers[1]
	start := time.Now().Truncate(time.Second)
	expiry := start.Add(time.Hour)
	bob.Key = timedKey(t, bob, start.Add(-time.Hour), 2*time.Hour)
	e.setMaintainerKey(1, bob.Key)
	// Both are signed now, while bob's key is valid: for a key that has
	// already expired, gpg --faked-system-time does the same.
	command := func(title string) []byte {
		raw, _, err := e.Compose(bob, demo.Mail{Subject: "Re: [SEC-2026-0001]", Body: "title " + title + "\n" + quoted,
			InReplyTo: relayID, Sign: true})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	onTime, late := command("on time"), command("late")
	e.Clock.Advance(3 * time.Hour)

	e.deliverAt(onTime, 1, expiry.Add(-time.Minute))
	e.mailSaying(alice, `ok: title = "on time"`)

	arrived := expiry.Add(time.Minute)
	e.deliverAt(late, 2, arrived)
	tr := e.mailSaying(alice, "No command ran")
	want := "No command ran: the signature is by a maintainer key that may not command: signing key " +
		strings.ToUpper(bob.Key.GetFingerprint()) + " expired at " + expiry.UTC().Format(time.RFC3339) + ", before the mail arrived at " + arrived.UTC().Format(time.RFC3339)
	if !strings.Contains(tr, want) {
		t.Errorf("transcript does not say the key had expired when the mail arrived (%q):\n%s", want, tr)
	}
	if c := e.caseByID("SEC-2026-0001"); c.Vulns[0].Title != "on time" {
		t.Fatalf("title %q: a mail that arrived after the key expired ran", c.Vulns[0].Title)
	}

	// A revocation dated a day ahead (its signer chose the date) counts
	// from the moment the config holds it.
	k := timedKey(t, bob, start.Add(-time.Hour), 0)
	cfg := &packet.Config{Time: func() time.Time { return start.Add(24 * time.Hour) }}
	revoked, err := k.Copy()
	if err != nil {
		t.Fatal(err)
	}
	if err := revoked.GetEntity().RevokeKey(packet.KeyRetired, "", cfg); err != nil {
		t.Fatal(err)
	}
	bob.Key = k
	e.setMaintainerKey(1, revoked)
	e.deliverAt(command("revoked"), 3, start)
	if tr := e.mailSaying(alice, "is revoked"); !strings.Contains(tr, "No command ran") {
		t.Errorf("transcript:\n%s", tr)
	}
	if c := e.caseByID("SEC-2026-0001"); c.Vulns[0].Title != "on time" {
		t.Errorf("title %q: a revoked key commanded", c.Vulns[0].Title)
	}
}

// TestSignatureAgeIsMeasuredAtArrival: commands.max_signature_age bounds
// how long before its arrival a mail was signed (not before secbot read
// it), and a signature dated more than an hour after the arrival is
// refused.
func TestSignatureAgeIsMeasuredAtArrival(t *testing.T) {
	e := newEnv(t, demo.Options{ConfigExtra: "\n[commands]\nmax_signature_age = \"2h\"\n"})
	relayID := e.openCase()
	alice := e.Maintainers[0]
	verify, err := crypto.NewKeyRing(publicKey(t, alice.Key))
	if err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(5 * time.Hour) // secbot reads every mail hours after it arrived
	tests := []struct {
		name  string
		after time.Duration // from the signature's time to the arrival
		want  string
		runs  bool
	}{
		{"an hour old when it arrived", time.Hour, `ok: title = "0"`, true},
		{"older than the window when it arrived", 3 * time.Hour,
			"the signature was made 3h0m0s before the mail arrived; at most 2h0m0s is accepted", false},
		{"dated two hours after it arrived", -2 * time.Hour, "signature created in the future", false},
		{"dated half an hour after it arrived", -30 * time.Minute, `ok: title = "3"`, true},
	}
	title := ""
	for i, tc := range tests {
		raw, _, err := e.Compose(alice, demo.Mail{Subject: "Re: [SEC-2026-0001]", Body: "title " + strconv.Itoa(i) + "\n" + quoted,
			InReplyTo: relayID, Sign: true})
		if err != nil {
			t.Fatal(err)
		}
		op, err := pgpmime.Open(raw, nil, verify)
		if err != nil || !op.SignatureValid {
			t.Fatalf("%s: composed mail does not verify: %v", tc.name, err)
		}
		e.deliverAt(raw, uint32(i+1), op.SignatureTime.Add(tc.after))
		tr := e.mailSaying(alice, tc.want)
		if tc.runs {
			title = strconv.Itoa(i)
		} else if !strings.Contains(tr, "No command ran") {
			t.Errorf("%s: transcript:\n%s", tc.name, tr)
		}
		if c := e.caseByID("SEC-2026-0001"); c.Vulns[0].Title != title {
			t.Errorf("%s: title %q, want %q", tc.name, c.Vulns[0].Title, title)
		}
	}
}

func publicKey(t *testing.T, k *crypto.Key) *crypto.Key {
	t.Helper()
	pub, err := k.ToPublic()
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// gpgGenKey makes a key for p with GnuPG, as if made at created, that
// expires at expires, and returns its secret half as secbot reads it.
func gpgGenKey(t *testing.T, p demo.Person, created, expires time.Time) *crypto.Key {
	t.Helper()
	h := gpgtest.New(t)
	run := func(a ...string) []byte {
		out, _ := h.Must(nil, a...)
		return out
	}
	uid := p.Name + " <" + p.Address + ">"
	run("--faked-system-time", gpgTime(created), "--quick-gen-key", uid, "future-default", "default", gpgTime(expires))
	k, err := pgpmime.ReadKey(run("--armor", "--export-secret-keys", uid))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func gpgTime(t time.Time) string { return t.UTC().Format("20060102T150405") }

// TestGnuPGBackdatedCommandAfterExpiryRunsNothing is the attack with
// GnuPG: a key that expires at T, a mail clearsigned with
// --faked-system-time before T, arriving after T.
func TestGnuPGBackdatedCommandAfterExpiryRunsNothing(t *testing.T) {
	e := newEnv(t, demo.Options{})
	relayID := e.openCase()
	alice, bob := e.Maintainers[0], e.Maintainers[1]
	start := time.Now().Truncate(time.Second)
	expiry := start.Add(time.Hour)
	bob.Key = gpgGenKey(t, bob, start.Add(-time.Hour), expiry)
	pub, err := bob.Key.ToPublic()
	if err != nil {
		t.Fatal(err)
	}
	e.setMaintainerKey(1, pub)
	e.Clock.Advance(3 * time.Hour)
	body := []byte("title backdated\n\n> [SEC-2026-0001] relay\n")
	clear := gpgSign(t, bob, []string{"--faked-system-time", gpgTime(expiry.Add(-10 * time.Minute)), "--clearsign"}, body)
	e.deliverAt(e.clearsignedMail(bob, relayID, "backdated", clear), 1, expiry.Add(time.Minute))
	tr := e.mailSaying(alice, "No command ran")
	if want := "expired at " + expiry.UTC().Format(time.RFC3339) + ", before the mail arrived"; !strings.Contains(tr, want) {
		t.Errorf("transcript does not say %q:\n%s", want, tr)
	}
	if c := e.caseByID("SEC-2026-0001"); c.Vulns[0].Title != "" {
		t.Errorf("title %q: a backdated mail by an expired key ran", c.Vulns[0].Title)
	}
}
