package outmail

import (
	"fmt"
	"slices"
	"testing"

	gomail "github.com/emersion/go-message/mail"

	"github.com/secbot/secbot/store"
)

// TestLongReferencesKeepTheRoot: a long References field is cut in the
// middle, keeping the thread's root (RFC 5322 section 3.6.4) and the
// latest ancestors, so that the mail still threads under the case.
func TestLongReferencesKeepTheRoot(t *testing.T) {
	var refs []string
	for i := range 30 {
		refs = append(refs, fmt.Sprintf("m%d@x", i))
	}
	f := newFixture(t)
	r := &renderer{Env: Env{Config: f.cfg, Keys: f.keys}}
	h := r.header(&store.OutMail{ID: "a@x"}, "s", Spec{References: refs})
	got, err := (&gomail.Header{Header: h.Header}).MsgIDList("References")
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{"m0@x"}, refs[11:]...)
	if !slices.Equal(got, want) {
		t.Errorf("References %v\nwant %v", got, want)
	}
}

// TestThreadingHeadersOnlyWhenGiven: a mail that answers nothing has no
// In-Reply-To and no References field, not even an empty one; a
// reference list of exactly the limit is kept whole.
func TestThreadingHeadersOnlyWhenGiven(t *testing.T) {
	f := newFixture(t)
	r := &renderer{Env: Env{Config: f.cfg, Keys: f.keys}}
	var refs []string
	for i := range 20 {
		refs = append(refs, fmt.Sprintf("m%d@x", i))
	}
	for _, tc := range []struct {
		name       string
		sp         Spec
		inReplyTo  bool
		references []string
	}{
		{"a new thread", Spec{}, false, nil},
		{"a reply without references", Spec{InReplyTo: "p@x"}, true, nil},
		{"twenty references", Spec{InReplyTo: "p@x", References: refs}, true, refs},
	} {
		h := r.header(&store.OutMail{ID: "a@x"}, "s", tc.sp)
		if got := h.Has("In-Reply-To"); got != tc.inReplyTo {
			t.Errorf("%s: In-Reply-To present %v, want %v", tc.name, got, tc.inReplyTo)
		}
		if got := h.Has("References"); got != (tc.references != nil) {
			t.Errorf("%s: References present %v, want %v", tc.name, got, tc.references != nil)
		}
		got, err := (&gomail.Header{Header: h.Header}).MsgIDList("References")
		if err != nil || !slices.Equal(got, tc.references) {
			t.Errorf("%s: References %v (%v), want %v", tc.name, got, err, tc.references)
		}
	}
}
