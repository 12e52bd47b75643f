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
	enc, ok := key.GetEntity().EncryptionKey(now)
	if !ok {
		return nil, errors.New("minimal key: no usable encryption key")
	}
	return keyFor(key, addr, func(sk openpgp.Subkey) bool { return sk.PublicKey == enc.PublicKey })
}

// AddressKey is the public key of key with the user id naming addr
// alone (else the primary one), every subkey, and self-signatures only:
// what a Web Key Directory serves for addr. It is binary.
func AddressKey(key *crypto.Key, addr string) ([]byte, error) {
	return keyFor(key, addr, func(openpgp.Subkey) bool { return true })
}

// keyFor serializes the public primary key of key, its direct-key self-
// signature and revocations, the user id for addr with its self-
// signature, and the subkeys keep takes with their binding signatures.
func keyFor(key *crypto.Key, addr string, keep func(openpgp.Subkey) bool) ([]byte, error) {
	e := key.GetEntity()
	id := identityFor(e, addr)
	if id == nil || id.SelfSignature == nil {
		return nil, errors.New("export key: no self-signed user id")
	}
	out := &openpgp.Entity{PrimaryKey: e.PrimaryKey, Revocations: e.Revocations,
		Identities: map[string]*openpgp.Identity{id.Name: {Name: id.Name, UserId: id.UserId,
			SelfSignature: id.SelfSignature, Signatures: []*packet.Signature{id.SelfSignature}}}}
	if e.SelfSignature != nil { // a direct-key self-signature (v6 keys)
		out.SelfSignature, out.Signatures = e.SelfSignature, []*packet.Signature{e.SelfSignature}
	}
	for _, sk := range e.Subkeys {
		if keep(sk) {
			out.Subkeys = append(out.Subkeys, openpgp.Subkey{PublicKey: sk.PublicKey, Sig: sk.Sig, Revocations: sk.Revocations})
		}
	}
	var b bytes.Buffer
	if err := out.Serialize(&b); err != nil {
		return nil, fmt.Errorf("export key: %w", err)
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
