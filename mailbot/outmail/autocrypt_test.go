package outmail

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ProtonMail/gopenpgp/v2/crypto"
	"github.com/emersion/go-message/textproto"

	"github.com/secbot/secbot/mailbot/keyring"
)

// parseAutocrypt reads an Autocrypt header value back: its attributes,
// and the key of its keydata (whitespace dropped, as readers do).
func parseAutocrypt(t *testing.T, v string) (map[string]string, *crypto.Key) {
	t.Helper()
	attrs := map[string]string{}
	for _, a := range strings.Split(v, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(a), "=")
		attrs[name] = value
	}
	data, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(attrs["keydata"]), ""))
	if err != nil {
		t.Fatalf("keydata: %v", err)
	}
	key, err := crypto.NewKey(data)
	if err != nil {
		t.Fatalf("keydata is no key: %v", err)
	}
	return attrs, key
}

// TestAutocryptKeyIsMinimal: the header names the robot address, asks
// for mutual encryption, and carries the robot key with the user id of
// that address and the encryption subkey in use only, public, able to
// encrypt; gpg imports it and encrypts to the address with it.
func TestAutocryptKeyIsMinimal(t *testing.T) {
	const addr = "security@demo.example"
	robot := genKey(t, addr)
	e := robot.GetEntity()
	cfg := &packet.Config{}
	if err := e.AddUserId("Other", "", "other@demo.example", cfg); err != nil {
		t.Fatal(err)
	}
	if err := e.AddSigningSubkey(cfg); err != nil {
		t.Fatal(err)
	}
	v, err := keyring.RobotAutocrypt(robot, addr, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	attrs, key := parseAutocrypt(t, v)
	if attrs["addr"] != addr || attrs["prefer-encrypt"] != "mutual" || len(attrs) != 3 {
		t.Errorf("attributes %q", attrs)
	}
	min := key.GetEntity()
	if key.IsPrivate() || !key.CanEncrypt() || fp(key) != fp(robot) {
		t.Errorf("keydata: private %v, can encrypt %v, fingerprint %s want %s", key.IsPrivate(), key.CanEncrypt(), fp(key), fp(robot))
	}
	if len(min.Identities) != 1 || min.PrimaryIdentity().UserId.Email != addr {
		t.Errorf("keydata has %d user ids, primary %q; want only %s", len(min.Identities), min.PrimaryIdentity().Name, addr)
	}
	if len(min.Subkeys) != 1 || !min.Subkeys[0].PublicKey.PubKeyAlgo.CanEncrypt() {
		t.Errorf("keydata has %d subkeys, want the encryption subkey alone", len(min.Subkeys))
	}

	g := newGPG(t)
	data, _ := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(attrs["keydata"]), ""))
	g.Must(data, "--import")
	out, _ := g.Must(nil, "--with-colons", "--list-keys", addr)
	if !strings.Contains(string(out), "<"+addr+">") || strings.Contains(string(out), "other@demo.example") {
		t.Errorf("gpg lists:\n%s", out)
	}
	if _, st := g.Must([]byte("hello"), "--trust-model", "always", "--armor", "--encrypt", "--recipient", addr); !strings.Contains(st, "END_ENCRYPTION") {
		t.Errorf("gpg did not encrypt to the Autocrypt key:\n%s", st)
	}
}

// TestEveryMailCarriesAutocrypt: every kind, signed or encrypted, has the
// robot's Autocrypt header on top, folded into lines of at most 78.
func TestEveryMailCarriesAutocrypt(t *testing.T) {
	f := newFixture(t)
	for _, k := range Kinds() {
		row := kinds[k]
		rcpt, to := f.recipient(row.To[0], row.Clear != Always)
		out, err := f.render(t, kinds, k, rcpt, to, f.specFor(t, k))
		if err != nil {
			t.Errorf("%s: %v", k, err)
			continue
		}
		head := topHeader(out)
		h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader([]byte(head + "\r\n\r\n"))))
		if err != nil {
			t.Fatal(err)
		}
		attrs, key := parseAutocrypt(t, h.Get("Autocrypt"))
		if attrs["addr"] != f.cfg.Robot.Address || fp(key) != f.keys.RobotFP {
			t.Errorf("%s: Autocrypt %q for key %s", k, attrs["addr"], fp(key))
		}
		for _, line := range strings.Split(head, "\r\n") {
			if len(line) > 78 {
				t.Errorf("%s: header line of %d: %.40s…", k, len(line), line)
			}
		}
	}
}
