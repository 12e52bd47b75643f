package policy

import "testing"

// TestStrictest: the smallest positive value wins, the first kind on a
// tie (so that the message names the kind listed first), and a kind that
// does not set the field takes no part.
func TestStrictest(t *testing.T) {
	limits := map[string]Limits{"a": {MaxDays: 90}, "b": {MaxDays: 90}, "c": {MaxDays: 14}, "none": {}}
	maxDays := func(l Limits) int { return l.MaxDays }
	for _, tc := range []struct {
		kinds []string
		want  string
		ok    bool
	}{
		{[]string{"a", "b"}, "a", true},
		{[]string{"b", "a"}, "b", true},
		{[]string{"a", "c", "b"}, "c", true},
		{[]string{"none", "b"}, "b", true},
		{[]string{"none"}, "", false},
		{nil, "", false},
	} {
		if got, ok := strictest(tc.kinds, limits, maxDays); got != tc.want || ok != tc.ok {
			t.Errorf("strictest(%v) = %q, %v; want %q, %v", tc.kinds, got, ok, tc.want, tc.ok)
		}
	}
}
