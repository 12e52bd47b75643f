package pgpmime

import (
	"bytes"
	stdcrypto "crypto"
	"fmt"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/armor"
	"github.com/ProtonMail/gopenpgp/v2/constants"
	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

// Sign wraps msg as PGP/MIME multipart/signed (RFC 3156 section 5). Header
// fields other than Content-* stay outside; the first part is the entity made
// of the Content-* fields and body in CRLF canonical form, written byte for
// byte as it was signed. micalg names the hash the signature really uses.
//
// RFC 3156 section 5 wants the signed entity 7-bit clean; msg should use
// quoted-printable or base64 for anything else (go-message does by default).
func Sign(msg []byte, signer *crypto.Key) ([]byte, error) {
	if signer == nil {
		return nil, fmt.Errorf("sign: no signer key")
	}
	e, err := parseEntity(toCRLF(msg))
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	signed := contentEntity(e)
	sig, err := detachSign(signed, signer, time.Now())
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	micalg, err := micalgOf(sig)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	armored, err := armor.ArmorWithTypeAndCustomHeaders(sig, constants.PGPSignatureHeader, "", "")
	if err != nil {
		return nil, fmt.Errorf("sign: armor: %w", err)
	}
	return writeSigned(outerHeader(e.header, nil), signed, toCRLF([]byte(armored)), micalg)
}

// micalgOf reads the hash from the signature packet itself, so micalg can
// never disagree with it (RFC 3156 section 5).
func micalgOf(sig []byte) (string, error) {
	sigs, err := readSignatures(sig)
	if err != nil {
		return "", fmt.Errorf("micalg: %w", err)
	}
	names := map[stdcrypto.Hash]string{
		stdcrypto.SHA1: "pgp-sha1", stdcrypto.SHA224: "pgp-sha224", stdcrypto.SHA256: "pgp-sha256",
		stdcrypto.SHA384: "pgp-sha384", stdcrypto.SHA512: "pgp-sha512",
		stdcrypto.SHA3_256: "pgp-sha3-256", stdcrypto.SHA3_512: "pgp-sha3-512",
	}
	name, ok := names[sigs[0].Hash]
	if !ok {
		return "", fmt.Errorf("micalg: unknown hash %v", sigs[0].Hash)
	}
	return name, nil
}

// writeSigned lays out RFC 3156 section 5. The line break after the signed
// part belongs to the delimiter (RFC 2046 section 5.1.1), so the part reads
// back exactly as signed.
func writeSigned(outer, signed, armoredSig []byte, micalg string) ([]byte, error) {
	boundary, err := newBoundary(signed)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	var b bytes.Buffer
	b.Write(outer)
	fmt.Fprintf(&b, "Content-Type: multipart/signed; micalg=%s;\r\n protocol=\"application/pgp-signature\";\r\n boundary=\"%s\"\r\n\r\n", micalg, boundary)
	b.WriteString("This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n")
	fmt.Fprintf(&b, "--%s\r\n", boundary)
	b.Write(signed)
	fmt.Fprintf(&b, "\r\n--%s\r\n", boundary)
	b.WriteString("Content-Type: application/pgp-signature; name=\"signature.asc\"\r\n")
	b.WriteString("Content-Description: OpenPGP digital signature\r\n")
	b.WriteString("Content-Disposition: attachment; filename=\"signature.asc\"\r\n\r\n")
	b.Write(armoredSig)
	if !bytes.HasSuffix(armoredSig, []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "\r\n--%s--\r\n", boundary)
	return b.Bytes(), nil
}
