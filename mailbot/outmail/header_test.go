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
