package outmail

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

// mayGoPlain is the rule the table must give: a mail leaves without
// encryption only when its row allows it and its recipient may have no
// key (a reporter whose key we do not know, or a public list).
func mayGoPlain(row Row, c Class) bool {
	return row.Clear != Never && (c == Reporter || c == Public)
}

// TestEveryKindRefusedWithoutKeyUnlessItsRowAllows walks every kind and
// every class of recipient its row names. Without a key the mail is
// refused unless the row allows it, and then it is signed, not encrypted.
// With a key it is encrypted to that key and no other, unless the row
// says the kind is never encrypted, which refuses it.
func TestEveryKindRefusedWithoutKeyUnlessItsRowAllows(t *testing.T) {
	f := newFixture(t)
	for _, k := range Kinds() {
		row := kinds[k]
		if len(row.To) == 0 {
			t.Errorf("%s: the row names no recipient", k)
		}
		for _, c := range row.To {
			sp := f.specFor(t, k)
			rcpt, to := f.recipient(c, false)
			out, err := f.render(t, kinds, k, rcpt, to, sp)
			switch {
			case mayGoPlain(row, c) && err != nil:
				t.Errorf("%s to %s without a key: %v, want it signed", k, c, err)
			case mayGoPlain(row, c) && !strings.Contains(topHeader(out), "multipart/signed"):
				t.Errorf("%s to %s without a key is not signed:\n%s", k, c, topHeader(out))
			case !mayGoPlain(row, c) && !errors.As(err, new(PermanentError)):
				t.Errorf("%s to %s without a key: %v (%d bytes), want a permanent refusal", k, c, err, len(out))
			}
			if c == Public {
				continue
			}
			rcpt, to = f.recipient(c, true)
			out, err = f.render(t, kinds, k, rcpt, to, sp)
			if row.Clear == Always {
				if !errors.As(err, new(PermanentError)) {
					t.Errorf("%s to %s with a key: %v, want a refusal (the kind is never encrypted)", k, c, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s to %s with a key: %v", k, c, err)
				continue
			}
			for other, key := range f.private {
				if _, ok := decrypts(t, out, key); ok != (other == c) {
					t.Errorf("%s to %s: the %s key decrypts it: %v", k, c, other, ok)
				}
			}
		}
	}
}

// TestOnlyTheseKindsMayGoPlain pins the list the README gives: the
// acknowledgement, mail to a reporter whose key we do not know, the key
// confirmation, and the public announcement.
func TestOnlyTheseKindsMayGoPlain(t *testing.T) {
	want := map[Kind]Clear{Ack: WithoutKey, Reply: WithoutKey, CRDNotice: WithoutKey, EmbargoEnd: WithoutKey, KeyConfirm: Always, Announce: Always,
		CreditConfirm: WithoutKey, SharePlain: WithoutKey}
	for _, k := range Kinds() {
		if got := kinds[k].Clear; got != want[k] {
			t.Errorf("%s: clear = %d, want %d", k, got, want[k])
		}
	}
}

// TestANewKindIsClosedByDefault: a kind with no row is refused with or
// without a key; one whose row says nothing of Clear never goes out in
// the clear. The same kind with a key renders from its row and its
// template alone: that is all a new kind needs (see the package doc).
func TestANewKindIsClosedByDefault(t *testing.T) {
	f := newFixture(t)
	const poll Kind = "poll" // a kind no row has
	sp := Spec{Text: "Three cases are open."}
	for _, c := range []Class{Maintainer, Reporter} {
		for _, withKey := range []bool{false, true} {
			rcpt, to := f.recipient(c, withKey)
			if out, err := f.render(t, kinds, poll, rcpt, to, sp); !errors.As(err, new(PermanentError)) || !strings.Contains(err.Error(), "unknown mail kind") {
				t.Errorf("a kind with no row, to %s (key %v): %v (%d bytes), want it refused", c, withKey, err, len(out))
			}
		}
	}

	// The recipe: one row, one template.
	tb := maps.Clone(kinds)
	tb[poll] = Row{Template: "poll.tmpl", To: []Class{Maintainer, Reporter}}
	if err := f.tmpl.Add("poll.tmpl", "Subject: [{{.Case}}] Poll of {{.Project}}\n\n{{.Text}}\n"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []Class{Maintainer, Reporter} {
		rcpt, to := f.recipient(c, false)
		if out, err := f.render(t, tb, poll, rcpt, to, sp); !errors.As(err, new(PermanentError)) {
			t.Errorf("a new kind to %s without a key: %v, want it refused:\n%s", c, err, out)
		}
		rcpt, to = f.recipient(c, true)
		out, err := f.render(t, tb, poll, rcpt, to, sp)
		if err != nil {
			t.Fatalf("a new kind to %s with a key: %v", c, err)
		}
		plain, ok := decrypts(t, out, f.private[c])
		if !ok || !strings.Contains(string(plain), "Subject: [SEC-2026-0001] Poll of frob") || !strings.Contains(string(plain), "Three cases are open.") {
			t.Errorf("a new kind to %s: decrypted %v:\n%s", c, ok, plain)
		}
	}
}

// TestRecipientOutsideItsRowIsRefused: a kind goes only to the classes
// its row names, so a pre-notification can never be queued to a reporter.
func TestRecipientOutsideItsRowIsRefused(t *testing.T) {
	f := newFixture(t)
	for _, k := range Kinds() {
		for _, c := range []Class{Maintainer, Reporter, Downstream, CNA, Public} {
			if slices.Contains(kinds[k].To, c) {
				continue
			}
			rcpt, to := f.recipient(c, true)
			if _, err := f.render(t, kinds, k, rcpt, to, f.specFor(t, k)); err == nil || !strings.Contains(err.Error(), "may not go to") {
				t.Errorf("%s to %s: %v, want it refused", k, c, err)
			}
		}
	}
}
