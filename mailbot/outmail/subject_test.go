package outmail

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"

	"github.com/emersion/go-message/textproto"

	"github.com/secbot/secbot/store"
)

// TestSubjectsCarryOneCaseTag: relays and transcripts name the case once,
// drop the Re:/Fwd: chain of the mail they are about, and name the case's
// subject where that mail's own is a placeholder ("encrypted message").
func TestSubjectsCarryOneCaseTag(t *testing.T) {
	f := newFixture(t)
	check := func(k Kind, msgSubject, want string) {
		t.Helper()
		sp := f.specFor(t, k)
		sp.Msg = f.addMessage(t, msgSubject)
		if got := f.subject(t, k, sp); got != want {
			t.Errorf("%s about %q: subject %q, want %q", k, msgSubject, got, want)
		}
	}
	check(Relay, "Re: [SEC-2026-0001] Heap overflow in frob()", "[SEC-2026-0001] Heap overflow in frob()")
	check(Relay, "Re: [SEC-2026-0001] encrypted message", "[SEC-2026-0001] Heap overflow")
	check(Relay, "...", "[SEC-2026-0001] Heap overflow")
	check(Transcript, "Re: Fwd: [SEC-2026-0001] Heap overflow", "[SEC-2026-0001] Processed: Heap overflow")
	check(Transcript, "Re: [SEC-2026-0001] encrypted message", "[SEC-2026-0001] Processed: Heap overflow")
}

// addMessage stores one more message of the case, with subject.
func (f *fixture) addMessage(t *testing.T, subject string) uint64 {
	t.Helper()
	var key uint64
	err := f.st.Update(func(tx *store.Tx) error {
		var err error
		key, err = tx.AddMessage(&store.Message{Case: caseID, MessageID: subject + "@x", From: "rita@reporter.example",
			Subject: subject, Received: f.now}, []byte("Subject: x\r\n\r\nx\r\n"), nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// subject is the Subject of kind k rendered from sp, before sealing.
func (f *fixture) subject(t *testing.T, k Kind, sp Spec) string {
	t.Helper()
	plain := f.plain(t, k, sp)
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(plain)))
	if err != nil {
		t.Fatal(err)
	}
	return h.Get("Subject")
}

// plain renders kind k from sp to its first recipient class, unsealed.
func (f *fixture) plain(t *testing.T, k Kind, sp Spec) []byte {
	t.Helper()
	rcpt, _ := f.recipient(kinds[k].To[0], true)
	return f.plainTo(t, k, rcpt, sp)
}

// plainTo renders kind k from sp to rcpt, unsealed.
func (f *fixture) plainTo(t *testing.T, k Kind, rcpt Recipient, sp Spec) []byte {
	t.Helper()
	row := kinds[k]
	sp.For = rcpt
	raw, err := json.Marshal(sp)
	if err != nil {
		t.Fatal(err)
	}
	om := &store.OutMail{ID: string(k) + ".test@demo.example", Case: caseID, Kind: string(k), Spec: raw,
		From: f.cfg.Robot.Address, To: []string{"x@example.org"}, Queued: f.now}
	render := row.render
	if render == nil {
		render = renderSimple
	}
	var out []byte
	err = f.st.View(func(tx *store.Tx) error {
		r := &renderer{Env: Env{Tx: tx, Config: f.cfg, Keys: f.keys, Templates: f.tmpl, Now: f.now}, row: row}
		var err error
		out, err = render(r, om, sp)
		return err
	})
	if err != nil {
		t.Fatalf("render %s: %v", k, err)
	}
	return out
}
