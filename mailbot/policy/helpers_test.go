package policy

import (
	"strings"
	"testing"
	"time"
)

// now is a Monday, 14:00 UTC, the default crd time of day.
var now = time.Date(2026, 6, 1, 14, 0, 0, 0, time.UTC)

// at returns now moved by days and minutes.
func at(days, minutes int) time.Time {
	return now.Add(time.Duration(days)*day + time.Duration(minutes)*time.Minute)
}

// matchFindings checks that got has exactly one finding per want, in order,
// each want written "refuse: SUBSTRING" or "warn: SUBSTRING".
func matchFindings(t *testing.T, got Findings, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d:\n%s", len(got), len(want), dump(got))
	}
	for i, w := range want {
		kind, sub, _ := strings.Cut(w, ": ")
		if (kind == "warn") != got[i].Warning || !strings.Contains(got[i].Text, sub) {
			t.Errorf("finding %d: got %s, want %s", i, dump(got[i:i+1]), w)
		}
	}
}

func dump(f Findings) string {
	var b strings.Builder
	for _, x := range f {
		if x.Warning {
			b.WriteString("  warn: ")
		} else {
			b.WriteString("  refuse: ")
		}
		b.WriteString(x.Text + "\n")
	}
	return b.String()
}
