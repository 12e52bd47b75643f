package mailbot_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
)

// thunderbirdAutocrypt writes an Autocrypt header the way Thunderbird
// does: addr first, then keydata, the base64 folded on lines of 76
// characters, each continued with a space.
func thunderbirdAutocrypt(t *testing.T, addr string, key *crypto.Key) string {
	t.Helper()
	pub, err := key.ToPublic()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := pub.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(bin)
	var lines []string
	for len(b64) > 76 {
		lines = append(lines, b64[:76])
		b64 = b64[76:]
	}
	lines = append(lines, b64)
	return "Autocrypt: addr=" + addr + "; keydata=\r\n " + strings.Join(lines, "\r\n ") + "\r\n"
}

func (e *env) sendWithHeader(from demo.Person, extra string, m demo.Mail) {
	e.t.Helper()
	raw, _, err := e.Compose(from, m)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.Sim.Send(from.Address, []string{e.Robot.Address}, append([]byte(extra), raw...)); err != nil {
		e.t.Fatal(err)
	}
}

// TestAutocryptOnlyReporterKey: a reporter whose mail client announces
// its key only in an Autocrypt header gets the maintainer's reply
// encrypted to it, since it came with the report; a different key in a
// later mail's Autocrypt header does not replace it, it waits for the
// confirmation round trip like an attached key.
func TestAutocryptOnlyReporterKey(t *testing.T) {
	e := newEnv(t, demo.Options{})
	e.sendWithHeader(e.Reporter, thunderbirdAutocrypt(t, e.Reporter.Address, e.Reporter.Key), report("Heap overflow in frobnicate()"))
	relayID := messageID(t, e.waitMail(e.Maintainers[0].Address, 1)[0].Data)
	e.waitMail(e.Reporter.Address, 1)
	st := e.keyState()
	if st.Current == nil || st.Current.Source != store.KeySourceReport || st.Current.Fingerprint != strings.ToUpper(e.Reporter.Key.GetFingerprint()) {
		t.Fatalf("key from the report's Autocrypt header: %+v", st.Current)
	}
	e.command(relayID, "reply\n\nSECRET-REPLY-TEXT\n")
	got := e.waitMail(e.Reporter.Address, 2)
	if op := e.read(e.Reporter, got[1]); !op.Encrypted || !strings.Contains(allText(t, op.Message), "SECRET-REPLY-TEXT") {
		t.Errorf("the reply is not encrypted to the Autocrypt key")
	}

	armored, err := pgpmime.GenerateKey("Rita", e.Reporter.Address, "x25519")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := pgpmime.ReadKey([]byte(armored))
	e.sendWithHeader(e.Reporter, thunderbirdAutocrypt(t, e.Reporter.Address, other), demo.Mail{Subject: "Re: [SEC-2026-0001] x", Body: "new key\n", InReplyTo: relayID})
	e.waitMail(e.Reporter.Address, 3) // the confirmation request
	st = e.keyState()
	if st.Current.Fingerprint != strings.ToUpper(e.Reporter.Key.GetFingerprint()) || st.Pending == nil || st.Pending.Fingerprint != strings.ToUpper(other.GetFingerprint()) {
		t.Errorf("a later Autocrypt key replaced the stored one, or is not pending: current %s pending %+v", st.Current.Fingerprint, st.Pending)
	}
}
