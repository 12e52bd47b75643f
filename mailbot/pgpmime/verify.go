package pgpmime

import (
	"bytes"
	stdcrypto "crypto"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// acceptedHashes are the signature hashes we trust; SHA-1 and older are
// refused as forgeable.
func acceptedHashes() []stdcrypto.Hash {
	return []stdcrypto.Hash{
		stdcrypto.SHA224, stdcrypto.SHA256, stdcrypto.SHA384, stdcrypto.SHA512,
		stdcrypto.SHA3_256, stdcrypto.SHA3_512,
	}
}

// sigResult is the outcome of checking the signatures over one content.
type sigResult struct {
	signed      bool
	valid       bool
	fingerprint string    // primary key of the verifying entity
	created     time.Time // creation time of the reported signature
	err         error     // why it is not valid
}

// verifyDetached checks the binary signature packets in sigData over data.
func verifyDetached(data, sigData []byte, verify openpgp.EntityList, now time.Time) sigResult {
	sigs, err := readSignatures(sigData)
	if err != nil {
		return sigResult{signed: true, err: fmt.Errorf("read signature: %w: %w", ErrBadSignature, err)}
	}
	return verifySignatures(data, sigs, verify, now)
}

// readSignatures parses up to maxSignatures signature packets.
func readSignatures(sigData []byte) ([]*packet.Signature, error) {
	var sigs []*packet.Signature
	packets := packet.NewReader(bytes.NewReader(sigData))
	for len(sigs) < maxSignatures {
		p, err := packets.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		sig, ok := p.(*packet.Signature)
		if !ok {
			return nil, fmt.Errorf("unexpected %T packet", p)
		}
		sigs = append(sigs, sig)
	}
	if len(sigs) == 0 {
		return nil, errors.New("no signature packet")
	}
	return sigs, nil
}

// verifySignatures reports the first signature that verifies with a key of
// verify; otherwise the failure of the first one made by a known key, or
// ErrUnknownKey.
func verifySignatures(data []byte, sigs []*packet.Signature, verify openpgp.EntityList, now time.Time) sigResult {
	if len(sigs) == 0 {
		return sigResult{signed: true, err: fmt.Errorf("%w: no signature packet", ErrBadSignature)}
	}
	var first *sigResult
	var unknown []string
	for _, sig := range sigs {
		if sig.IssuerKeyId == nil || len(verify.KeysByIdUsage(*sig.IssuerKeyId, packet.KeyFlagSign)) == 0 {
			unknown = append(unknown, issuerString(sig))
			continue
		}
		r := verifyOne(data, sig, verify, now)
		if r.valid {
			return r
		}
		if first == nil {
			first = &r
		}
	}
	if first != nil {
		return *first
	}
	return sigResult{signed: true, created: sigs[0].CreationTime,
		err: fmt.Errorf("%w: issuer %v", ErrUnknownKey, unknown)}
}

// verifyOne checks one signature whose issuer is in verify. The key must have
// been valid when the signature was made (so a key that expired later still
// counts; callers bound the signature age) and must not be revoked now.
func verifyOne(data []byte, sig *packet.Signature, verify openpgp.EntityList, now time.Time) sigResult {
	res := sigResult{signed: true, created: sig.CreationTime}
	if sig.CreationTime.After(now.Add(maxClockSkew)) {
		res.err = fmt.Errorf("%w: %s", ErrSignatureTime, sig.CreationTime.UTC().Format(time.RFC3339))
		return res
	}
	var raw bytes.Buffer
	if err := sig.Serialize(&raw); err != nil {
		res.err = fmt.Errorf("%w: %w", ErrBadSignature, err)
		return res
	}
	atSigning := &packet.Config{Time: func() time.Time { return sig.CreationTime }}
	_, signer, err := openpgp.VerifyDetachedSignatureAndHash(verify, bytes.NewReader(data), &raw, acceptedHashes(), atSigning)
	if err != nil {
		res.err = classifyVerifyError(err)
		return res
	}
	if signer == nil {
		res.err = fmt.Errorf("%w: no signer", ErrBadSignature)
		return res
	}
	fp := fingerprint(signer)
	if signingKeyRevoked(signer, *sig.IssuerKeyId, now) {
		res.err = fmt.Errorf("signing key %s: %w", fp, ErrKeyRevoked)
		return res
	}
	res.valid, res.fingerprint = true, fp
	return res
}

// classifyVerifyError maps go-crypto's verification errors onto ours.
func classifyVerifyError(err error) error {
	switch {
	case errors.Is(err, pgperrors.ErrKeyExpired):
		return fmt.Errorf("signing key not valid at signature time: %w: %w", ErrKeyExpired, err)
	case errors.Is(err, pgperrors.ErrKeyRevoked):
		return fmt.Errorf("signing key revoked at signature time: %w: %w", ErrKeyRevoked, err)
	default:
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
}

// signingKeyRevoked checks revocation at now: a key revoked since it
// signed may be compromised, so its signatures no longer count.
func signingKeyRevoked(e *openpgp.Entity, keyID uint64, now time.Time) bool {
	if entityRevoked(e, now) {
		return true
	}
	for _, sk := range e.Subkeys {
		if sk.PublicKey.KeyId == keyID && sk.Revoked(now) {
			return true
		}
	}
	return false
}

func issuerString(sig *packet.Signature) string {
	switch {
	case sig.IssuerFingerprint != nil:
		return fmt.Sprintf("%X", sig.IssuerFingerprint)
	case sig.IssuerKeyId != nil:
		return fmt.Sprintf("%016X", *sig.IssuerKeyId)
	}
	return "none"
}
