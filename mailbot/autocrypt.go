package mailbot

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"strings"
	"time"

	"github.com/emersion/go-message/textproto"

	"github.com/secbot/secbot/mailbot/pgpmime"
)

// autocryptKey reads the key of an Autocrypt header (Autocrypt Level 1,
// section 2.1) on a mail, armored, when the header is for the From
// address and the key names that address in a user id and can encrypt
// now: the same test as an attached key (keyFor). The key then follows
// the reporter key rule like an attached one (keyconfirm.go): learned
// from the mail that opened the case, and from a later mail only through
// the confirmation round trip; it never replaces a stored key unconfirmed.
func autocryptKey(raw []byte, from string, now time.Time) string {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil && h.Len() == 0 {
		return ""
	}
	for _, v := range h.Values("Autocrypt") {
		addr, keydata, ok := parseAutocrypt(v)
		if !ok || !strings.EqualFold(addr, from) {
			continue
		}
		key, err := pgpmime.ReadKey(keydata)
		if err != nil || key.IsPrivate() {
			continue
		}
		armored, err := key.GetArmoredPublicKey()
		if err == nil && keyFor([]byte(armored), from, now) {
			return armored
		}
	}
	return ""
}

// parseAutocrypt splits an Autocrypt header value into its addr and its
// decoded keydata. A header with an unknown critical attribute (one not
// starting with "_") is to be ignored, as the specification says.
func parseAutocrypt(v string) (addr string, keydata []byte, ok bool) {
	var b64 string
	for _, attr := range strings.Split(v, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(attr), "=")
		switch name = strings.ToLower(strings.TrimSpace(name)); {
		case name == "addr":
			addr = strings.TrimSpace(value)
		case name == "keydata":
			b64 = value
		case name == "prefer-encrypt", strings.HasPrefix(name, "_"), name == "":
		default:
			return "", nil, false
		}
	}
	b64 = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, b64)
	data, err := base64.StdEncoding.DecodeString(b64)
	if addr == "" || err != nil || len(data) == 0 {
		return "", nil, false
	}
	return addr, data, true
}
