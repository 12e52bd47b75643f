package outmail

import (
	"strings"
	"testing"

	"github.com/secbot/secbot/mailbot/policy"
)

// TestEmbargoOverAsksOnlyDistrosToPostPublicly: the end of an embargo
// asks a contact of the distros list, and only such a contact, to post
// the details to oss-security (the list's own rule); a vendor and the
// reporter are not asked.
func TestEmbargoOverAsksOnlyDistrosToPostPublicly(t *testing.T) {
	f := newFixture(t)
	vendor := f.keys.Downstream[0]
	vendor.ID, vendor.Kind = "vendor", policy.KindVendor
	f.keys.Downstream = append(f.keys.Downstream, vendor)
	if f.keys.Downstream[0].Kind != policy.KindDistros {
		t.Fatalf("the fixture's contact is %q, want %q", f.keys.Downstream[0].Kind, policy.KindDistros)
	}
	reporter, _ := f.recipient(Reporter, true)
	for _, tc := range []struct {
		name string
		to   Recipient
		want bool
	}{
		{"distros contact", ToDownstream("acme", vendor.FP), true},
		{"vendor contact", ToDownstream("vendor", vendor.FP), false},
		{"reporter", reporter, false},
	} {
		out := string(f.plainTo(t, EmbargoEnd, tc.to, f.specFor(t, EmbargoEnd)))
		if got := strings.Contains(out, "oss-security"); got != tc.want {
			t.Errorf("%s: asked to post to oss-security %v, want %v:\n%s", tc.name, got, tc.want, out)
		}
	}
}
