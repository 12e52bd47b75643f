// Package wkd writes a Web Key Directory (draft-koch-openpgp-webkey-
// service, section 3.1) for one address, so that `gpg --locate-keys`
// finds the robot's key once the directory is served over https.
package wkd

import (
	"crypto/sha1"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// zbase32 is the z-base-32 alphabet (RFC 6189 section 5.1.6).
const zbase32 = "ybndrfg8ejkmcpqxot1uwisza345h769"

// Hash is the WKD hash of an address's local part: the SHA-1 of the
// local part in lower case (ASCII only, as GnuPG does), z-base-32
// encoded: 32 characters.
func Hash(local string) string {
	sum := sha1.Sum([]byte(strings.ToLower(local)))
	var b strings.Builder
	var acc, bits uint
	for _, c := range sum {
		acc, bits = acc<<8|uint(c), bits+8
		for bits >= 5 {
			bits -= 5
			b.WriteByte(zbase32[acc>>bits&31])
		}
	}
	if bits > 0 { // 160 bits are 32 groups of five: never, kept for clarity
		b.WriteByte(zbase32[acc<<(5-bits)&31])
	}
	return b.String()
}

// Write lays out dir for addr and the binary key: the advanced method
// (.well-known/openpgpkey/DOMAIN/hu/HASH, served from openpgpkey.DOMAIN)
// and the direct one (.well-known/openpgpkey/hu/HASH, served from
// DOMAIN), each with its empty policy file, which a client asks for
// first. It returns the files written, relative to dir.
func Write(dir, addr string, key []byte) ([]string, error) {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(domain, `/\`) {
		return nil, fmt.Errorf("wkd: %q is not an address", addr)
	}
	domain = strings.ToLower(domain)
	base, hash := filepath.Join(".well-known", "openpgpkey"), Hash(local)
	files := []struct {
		name string
		data []byte
	}{
		{filepath.Join(base, domain, "hu", hash), key},
		{filepath.Join(base, domain, "policy"), nil},
		{filepath.Join(base, "hu", hash), key},
		{filepath.Join(base, "policy"), nil},
	}
	var written []string
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return written, fmt.Errorf("wkd: %w", err)
		}
		// Public data, to be served: readable by the web server.
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			return written, fmt.Errorf("wkd: %w", err)
		}
		written = append(written, f.name)
	}
	return written, nil
}
