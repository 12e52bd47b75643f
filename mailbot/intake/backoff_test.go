package intake

import (
	"slices"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

func TestBackoff(t *testing.T) {
	b := &backoff{min: 100 * time.Millisecond, max: time.Second}
	ceilings := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, c := range ceilings {
		c *= time.Millisecond
		d := b.next()
		if d < c/2 || d > c {
			t.Errorf("attempt %d: delay %v outside [%v, %v]", i, d, c/2, c)
		}
	}
	b.reset()
	if d := b.next(); d > b.min {
		t.Errorf("after reset: delay %v, want <= %v", d, b.min)
	}
}

// TestBackoffSmallestSteps: the delay is uniform in [cur/2, cur], both
// ends included, also where that range holds one or two values.
func TestBackoffSmallestSteps(t *testing.T) {
	b := &backoff{min: 1, max: 2}
	for i, want := range [][2]time.Duration{{0, 1}, {1, 2}, {1, 2}} {
		if d := b.next(); d < want[0] || d > want[1] {
			t.Errorf("attempt %d: delay %v outside [%v, %v]", i, d, want[0], want[1])
		}
	}
}

func TestSplitBySize(t *testing.T) {
	check := func(sizes []int64, max int64, want []int) {
		t.Helper()
		var metas []meta
		for i, s := range sizes {
			metas = append(metas, meta{uid: imap.UID(i + 1), size: s})
		}
		var got []int
		for _, b := range splitBySize(metas, max) {
			got = append(got, len(b))
		}
		if !slices.Equal(got, want) {
			t.Errorf("splitBySize(%v, %d) = %v, want %v", sizes, max, got, want)
		}
	}
	check(nil, 10, nil)
	check([]int64{5, 5, 5}, 10, []int{2, 1})
	check([]int64{20, 1, 1}, 10, []int{1, 2}) // an oversized message goes alone
	check([]int64{3, 3, 3}, 100, []int{3})
}
