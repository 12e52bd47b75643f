package pgpmime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
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

// TestReadAtMost: the one size check of decoded, decrypted and
// decompressed content. Exactly limit bytes are read whole, one more is
// ErrTooLarge, as is go-crypto's decompression limit; another read
// failure is ErrMalformed.
func TestReadAtMost(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    io.Reader
		want error
	}{
		{"empty", strings.NewReader(""), nil},
		{"below the limit", strings.NewReader("abc"), nil},
		{"at the limit", strings.NewReader("abcd"), nil},
		{"one byte over", strings.NewReader("abcde"), ErrTooLarge},
		{"far over", strings.NewReader(strings.Repeat("x", 1000)), ErrTooLarge},
		{"go-crypto's decompression limit", iotest.ErrReader(pgperrors.ErrMessageTooLarge), ErrTooLarge},
		{"broken stream", iotest.ErrReader(errors.New("bad checksum")), ErrMalformed},
	} {
		var in []byte
		if sr, ok := tc.r.(*strings.Reader); ok {
			in = make([]byte, sr.Len())
			sr.ReadAt(in, 0)
		}
		got, err := readAtMost(tc.r, 4)
		if !errors.Is(err, tc.want) || tc.want == nil && !bytes.Equal(got, in) || tc.want != nil && got != nil {
			t.Errorf("%s: %q, %v; want %q, %v", tc.name, got, err, in, tc.want)
		}
	}
}

// TestDecompressionLimit: a compressed message that inflates past
// MaxMessageSize is refused as too large, whether the bulk is the
// plaintext itself or packets that go-crypto skips before it.
func TestDecompressionLimit(t *testing.T) {
	compressed := func(write func(w io.Writer)) []byte {
		var buf bytes.Buffer
		w, err := packet.SerializeCompressed(nopCloser{&buf}, packet.CompressionZLIB, nil)
		if err != nil {
			t.Fatal(err)
		}
		write(w)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	literal := func(w io.Writer, size int) {
		lw, err := packet.SerializeLiteral(nopCloser{w}, true, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		lw.Write(make([]byte, size))
		lw.Close()
	}
	zeros := make([]byte, MaxMessageSize)
	for name, data := range map[string][]byte{
		"plaintext": compressed(func(w io.Writer) { literal(w, MaxMessageSize+1) }),
		"skipped packet": compressed(func(w io.Writer) {
			// Tag 60 is a non-critical unknown packet: go-crypto skips it.
			w.Write([]byte{0xc0 | 60, 0xff})
			binary.Write(w, binary.BigEndian, uint32(len(zeros)))
			w.Write(zeros)
			literal(w, 2)
		}),
	} {
		_, err := decryptMessage(data, nil, nil, time.Now())
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: %v, want %v", name, err, ErrTooLarge)
		}
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
