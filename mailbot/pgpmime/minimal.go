package pgpmime

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

// MinimalKey is the public key of key reduced to what a correspondent
// needs to encrypt to addr (Autocrypt Level 1, section 2.1.1): the
// primary key, the user id naming addr (else the primary one), the
// encryption subkey in use at now, and their self-signatures; no other
// user id, subkey or third-party signature. It is binary (not armored).
func MinimalKey(key *crypto.Key, addr string, now time.Time) ([]byte, error) {
	e := key.GetEntity()
	id := identityFor(e, addr)
	if id == nil || id.SelfSignature == nil {
		return nil, errors.New("minimal key: no self-signed user id")
	}
	enc, ok := e.EncryptionKey(now)
	if !ok {
		return nil, errors.New("minimal key: no usable encryption key")
	}
	min := &openpgp.Entity{PrimaryKey: e.PrimaryKey,
		Identities: map[string]*openpgp.Identity{id.Name: {Name: id.Name, UserId: id.UserId,
			SelfSignature: id.SelfSignature, Signatures: []*packet.Signature{id.SelfSignature}}}}
	if e.SelfSignature != nil { // a direct-key self-signature (v6 keys)
		min.SelfSignature, min.Signatures = e.SelfSignature, []*packet.Signature{e.SelfSignature}
	}
	for _, sk := range e.Subkeys {
		if sk.PublicKey == enc.PublicKey {
			min.Subkeys = []openpgp.Subkey{{PublicKey: sk.PublicKey, Sig: sk.Sig}}
		}
	}
	var b bytes.Buffer
	if err := min.Serialize(&b); err != nil {
		return nil, fmt.Errorf("minimal key: %w", err)
	}
	return b.Bytes(), nil
}

// identityFor is the user id of e whose address is addr (any letter
// case), else the primary identity.
func identityFor(e *openpgp.Entity, addr string) *openpgp.Identity {
	for _, id := range e.Identities {
		if a, err := mail.ParseAddress(id.Name); err == nil && strings.EqualFold(a.Address, addr) {
			return id
		}
		if id.UserId != nil && strings.EqualFold(id.UserId.Email, addr) {
			return id
		}
	}
	return e.PrimaryIdentity()
}

// AutocryptHeader is the value of the Autocrypt header (Autocrypt Level
// 1, section 2.1) for mail from addr: addr, prefer-encrypt=mutual and the
// minimal key, base64 in runs of 72 each after a space, so that the
// header folds there into lines of at most 76 (go-message's limit), as
// Thunderbird writes it: readers drop the whitespace in keydata.
func AutocryptHeader(key *crypto.Key, addr string, now time.Time) (string, error) {
	data, err := MinimalKey(key, addr, now)
	if err != nil {
		return "", err
	}
	b64 := base64.StdEncoding.EncodeToString(data)
	var runs []string
	for len(b64) > 72 {
		runs, b64 = append(runs, b64[:72]), b64[72:]
	}
	return "addr=" + addr + "; prefer-encrypt=mutual; keydata= " + strings.Join(append(runs, b64), " "), nil
}
