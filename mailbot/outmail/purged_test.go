package outmail

import (
	"errors"
	"testing"

	"github.com/secbot/secbot/store"
)

// TestPurgedMessageIsNeverRelayed: once retention purged a message's
// body, a relay of it, to a maintainer or from a downstream contact, is
// refused for good instead of going out without its body.
func TestPurgedMessageIsNeverRelayed(t *testing.T) {
	f := newFixture(t)
	rcpt, to := f.recipient(Maintainer, true)
	for _, k := range []Kind{Relay, DownstreamRelay} {
		if _, err := f.render(t, kinds, k, rcpt, to, f.specFor(t, k)); err != nil {
			t.Fatalf("%s before the purge: %v", k, err)
		}
	}
	if err := f.st.Update(func(tx *store.Tx) error { _, err := tx.PurgeMessages([]uint64{f.msg}, f.now); return err }); err != nil {
		t.Fatal(err)
	}
	for _, k := range []Kind{Relay, DownstreamRelay} {
		if _, err := f.render(t, kinds, k, rcpt, to, f.specFor(t, k)); !errors.As(err, new(PermanentError)) {
			t.Errorf("%s of a purged message: %v, want a permanent refusal", k, err)
		}
	}
}
