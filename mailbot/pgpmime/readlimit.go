package pgpmime

import (
	"errors"
	"fmt"
	"io"

	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
)

// readAtMost reads r to its end, holding at most limit bytes: more is
// ErrTooLarge, and so is go-crypto's own limit on decompression (see
// decryptMessage). A read that fails otherwise (bad armor, transfer
// encoding, packet or integrity check) is ErrMalformed. Every size limit
// on decoded, decrypted or decompressed content goes through here.
func readAtMost(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	switch {
	case errors.Is(err, pgperrors.ErrMessageTooLarge), err == nil && int64(len(b)) > limit:
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return b, nil
}
