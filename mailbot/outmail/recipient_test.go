package outmail

import (
	"errors"
	"strings"
	"testing"
)

// TestRecipientCheck: a recipient must be of a class its kind's row
// names, and carry what its class needs: a key for a maintainer, a
// downstream contact, the CNA and the escalation address; a contact id
// for a downstream contact; an address for a reporter with a key; and
// no key for a public list. A reporter without a key needs no address
// (the acknowledgement goes to every reporter of a new case).
func TestRecipientCheck(t *testing.T) {
	tests := []struct {
		kind Kind
		to   Recipient
		want string // "" for none
	}{
		{Relay, ToMaintainer("FP"), ""},
		{Relay, ToMaintainer(""), "maintainer mail has no key"},
		{Prenotify, ToDownstream("acme", "FP"), ""},
		{Prenotify, ToDownstream("acme", ""), "downstream mail has no key"},
		{Prenotify, ToDownstream("", "FP"), "names no contact"},
		{CVERequest, ToCNA("FP"), ""},
		{CVERequest, ToCNA(""), "cna mail has no key"},
		{FirstReply, ToEscalation("FP"), ""},
		{FirstReply, ToEscalation(""), "escalation mail has no key"},
		{Reply, ToReporter("rita@reporter.example", "FP"), ""},
		{Reply, ToReporter("rita@reporter.example", ""), ""},
		{Ack, ToReporter("", ""), ""},
		{Reply, ToReporter("", "FP"), "pins a key but names no reporter"},
		{Announce, ToPublic(), ""},
		{Announce, Recipient{Class: Public, FP: "FP"}, "a public list has no key"},
		{Prenotify, ToReporter("rita@reporter.example", "FP"), "may not go to"},
	}
	for _, tc := range tests {
		err := tc.to.check(tc.kind, kinds[tc.kind])
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s to %+v: %v, want %q", tc.kind, tc.to, err, tc.want)
		}
	}
}

// TestPinnedMaintainerKeyIsNeverReplaced: a maintainer mail pinned to a
// key the configuration no longer has is refused for good, saying
// whether the maintainer's key changed or the maintainer is gone.
func TestPinnedMaintainerKeyIsNeverReplaced(t *testing.T) {
	f := newFixture(t)
	old := ToMaintainer(f.keys.RobotFP) // a key no maintainer has
	for to, want := range map[string]string{
		"alice@demo.example": "the key of maintainer Alice changed",
		"ALICE@demo.example": "the key of maintainer Alice changed",
		"carol@demo.example": "no configured maintainer has the usable key",
	} {
		_, err := f.render(t, kinds, Relay, old, to, f.specFor(t, Relay))
		if !errors.As(err, new(PermanentError)) || !strings.Contains(err.Error(), want) {
			t.Errorf("a relay for %s pinned to a key no maintainer has: %v, want a refusal with %q", to, err, want)
		}
	}
}
