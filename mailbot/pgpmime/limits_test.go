package pgpmime

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
)

// TestKeyFileSizeLimit: a key file of exactly maxKeyFileSize bytes is read
// (and here refused as no key), one byte more is refused for its size.
func TestKeyFileSizeLimit(t *testing.T) {
	for _, tc := range []struct {
		size    int
		tooLong bool
	}{
		{maxKeyFileSize, false},
		{maxKeyFileSize + 1, true},
	} {
		path := filepath.Join(t.TempDir(), "key.asc")
		if err := os.WriteFile(path, bytes.Repeat([]byte("x"), tc.size), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadKeyFile(path)
		if err == nil || strings.Contains(err.Error(), "larger than") != tc.tooLong {
			t.Errorf("%d bytes: %v, want a size error: %v", tc.size, err, tc.tooLong)
		}
	}
}

// TestSessionKeyPacketLimit: a message with maxKeyPackets session key
// packets goes on to decryption, one with more is refused before any
// private-key operation.
func TestSessionKeyPacketLimit(t *testing.T) {
	k := newKey(t, "Recipient")
	encrypted := func(n int) []byte {
		to := make([]*openpgp.Entity, n)
		for i := range to {
			to[i] = publicOf(t, k).GetEntity()
		}
		var buf bytes.Buffer
		w, err := openpgp.Encrypt(&buf, to, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("text"))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for _, tc := range []struct {
		n       int
		refused bool
	}{
		{1, false},
		{maxKeyPackets, false},
		{maxKeyPackets + 1, true},
	} {
		err := checkKeyPackets(encrypted(tc.n))
		if (err != nil) != tc.refused || tc.refused && !errors.Is(err, ErrMalformed) {
			t.Errorf("%d session key packets: %v, want refused: %v", tc.n, err, tc.refused)
		}
	}
}

// TestOpenSizeLimit: a message of exactly MaxMessageSize bytes is opened,
// one byte more is refused (TestOpenMalformed has a far larger one).
func TestOpenSizeLimit(t *testing.T) {
	for _, tc := range []struct {
		size    int
		tooLong bool
	}{
		{MaxMessageSize, false},
		{MaxMessageSize + 1, true},
	} {
		msg := textMail("")
		msg = append(msg, bytes.Repeat([]byte("x"), tc.size-len(msg))...)
		_, err := Open(msg, nil, nil)
		if errors.Is(err, ErrTooLarge) != tc.tooLong || !tc.tooLong && err != nil {
			t.Errorf("%d bytes: %v, want too large: %v", tc.size, err, tc.tooLong)
		}
	}
}
