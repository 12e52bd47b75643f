package keyring

import (
	"strings"

	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

// DownstreamRing is a keyring of every usable downstream contact key, to
// verify a contact's reply with. It is built on each call: contacts are
// few, and replies from them rare.
func (k *Keys) DownstreamRing() *crypto.KeyRing {
	ring, err := crypto.NewKeyRing(nil)
	if err != nil {
		return nil
	}
	for _, d := range k.Downstream {
		if d.Err == nil && d.Key != nil {
			_ = ring.AddKey(publicOnly(d.Key)) // a key that will not add verifies nothing
		}
	}
	return ring
}

// DownstreamBySigner returns the contact whose key has fingerprint fp.
func (k *Keys) DownstreamBySigner(fp string) (ContactKey, bool) {
	for _, d := range k.Downstream {
		if d.Err == nil && fp != "" && strings.EqualFold(d.FP, fp) {
			return d, true
		}
	}
	return ContactKey{}, false
}

// DownstreamByAddress returns the contact configured with address addr.
// An address proves nothing: the caller says the mail only claims to be
// theirs.
func (k *Keys) DownstreamByAddress(addr string) (ContactKey, bool) {
	for _, d := range k.Downstream {
		if addr != "" && strings.EqualFold(d.Address, addr) {
			return d, true
		}
	}
	return ContactKey{}, false
}
