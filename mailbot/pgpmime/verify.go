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
func verifyDetached(data, sigData []byte, verify openpgp.EntityList, arrived time.Time) sigResult {
	sigs, err := readSignatures(sigData)
	if err != nil {
		return sigResult{signed: true, err: fmt.Errorf("read signature: %w: %w", ErrBadSignature, err)}
	}
	return verifySignatures(data, sigs, verify, arrived)
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
func verifySignatures(data []byte, sigs []*packet.Signature, verify openpgp.EntityList, arrived time.Time) sigResult {
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
		r := verifyOne(data, sig, verify, arrived)
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

// verifyOne checks one signature whose issuer is in verify, for a mail that
// arrived at arrived. The signing key must have been valid both at the
// signature's own time and at arrived: the signature time is whatever the
// signer's clock said (gpg --faked-system-time backdates it at will), the
// arrival is not the signer's to choose. A revocation that verify holds
// counts whatever its date and the signature's: see revokedAtAnyTime.
func verifyOne(data []byte, sig *packet.Signature, verify openpgp.EntityList, arrived time.Time) sigResult {
	res := sigResult{signed: true, created: sig.CreationTime}
	if sig.CreationTime.After(arrived.Add(maxClockSkew)) {
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
	if signer == nil {
		// The signature itself did not verify.
		if err == nil {
			err = errors.New("no signer")
		}
		res.err = classifyVerifyError(err)
		return res
	}
	if err := judgeSigner(signer, *sig.IssuerKeyId, err, arrived); err != nil {
		res.err = err
		return res
	}
	res.valid, res.fingerprint = true, fingerprint(signer)
	return res
}

// judgeSigner decides on a signature that verified cryptographically, made
// by (sub)key keyID of signer: verifyErr is what go-crypto found wrong with
// the key at the signature time. A revocation comes first, as the strongest
// reason.
func judgeSigner(signer *openpgp.Entity, keyID uint64, verifyErr error, arrived time.Time) error {
	switch {
	case revokedAtAnyTime(signer, keyID):
		return fmt.Errorf("signing key %s is revoked: %w", fingerprint(signer), ErrKeyRevoked)
	case verifyErr != nil:
		return classifyVerifyError(verifyErr)
	default:
		return checkAtArrival(signer, keyID, arrived)
	}
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

// revokedAtAnyTime reports whether the verify ring's copy of e carries a
// revocation of the primary key, of its primary user ID, or of the
// (sub)key keyID. go-crypto's Revoked(t) ignores a revocation dated after
// t unless its reason is "key compromised"; here the date does not matter:
// whoever revoked the key also chose that date, and a signature made
// "before" it is as easy to backdate as any other. go-crypto keeps only
// revocations that verify against the primary key.
func revokedAtAnyTime(e *openpgp.Entity, keyID uint64) bool {
	if len(e.Revocations) > 0 {
		return true
	}
	if _, id := e.PrimarySelfSignature(); id != nil && len(id.Revocations) > 0 {
		return true
	}
	for _, sk := range e.Subkeys {
		if sk.PublicKey.KeyId == keyID && len(sk.Revocations) > 0 {
			return true
		}
	}
	return false
}

// checkAtArrival refuses a signing key (the primary key, and the subkey
// keyID when a subkey signed) that had expired when the mail arrived,
// as the verify ring knows the key: its newest self-signatures decide.
func checkAtArrival(e *openpgp.Entity, keyID uint64, arrived time.Time) error {
	selfSig, _ := e.PrimarySelfSignature()
	if selfSig == nil {
		return fmt.Errorf("signing key %s has no valid self-signature: %w", fingerprint(e), ErrBadSignature)
	}
	end := validUntil(e.PrimaryKey, selfSig)
	for _, sk := range e.Subkeys {
		if sk.PublicKey.KeyId == keyID && keyID != e.PrimaryKey.KeyId {
			end = earliest(end, validUntil(sk.PublicKey, sk.Sig))
		}
	}
	if !end.IsZero() && arrived.Unix() > end.Unix() {
		return fmt.Errorf("signing key %s expired at %s, before the mail arrived at %s: %w", fingerprint(e),
			end.UTC().Format(time.RFC3339), arrived.UTC().Format(time.RFC3339), ErrKeyExpired)
	}
	return nil
}

// validUntil is when a key bound by the self-signature sig stops being
// valid: the end of the key's lifetime or of the signature's, whichever
// comes first (RFC 9580 sections 5.2.3.13 and 5.2.3.18). Zero means never.
func validUntil(pk *packet.PublicKey, sig *packet.Signature) time.Time {
	var end time.Time
	if sig.KeyLifetimeSecs != nil && *sig.KeyLifetimeSecs != 0 {
		end = pk.CreationTime.Add(time.Duration(*sig.KeyLifetimeSecs) * time.Second)
	}
	if sig.SigLifetimeSecs != nil && *sig.SigLifetimeSecs != 0 {
		end = earliest(end, sig.CreationTime.Add(time.Duration(*sig.SigLifetimeSecs)*time.Second))
	}
	return end
}

// earliest is the earlier of two ends, where zero means never.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
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
