package outmail

import (
	"testing"
	"time"
)

func TestSpacedFP(t *testing.T) {
	for fp, want := range map[string]string{
		"":          "",
		"ABC":       "ABC",
		"ABCD":      "ABCD",
		"ABCDE":     "ABCD E",
		"ABCDEFGH":  "ABCD EFGH",
		"ABCDEFGHI": "ABCD EFGH I",
	} {
		if got := SpacedFP(fp); got != want {
			t.Errorf("SpacedFP(%q) = %q, want %q", fp, got, want)
		}
	}
}

func TestFmtDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		24 * time.Hour:      "1 day",
		14 * 24 * time.Hour: "14 days",
		time.Hour:           "1 hour",
		36 * time.Hour:      "36 hours",
		90 * time.Minute:    "1h30m0s",
		time.Minute:         "1m0s",
		0:                   "0s",
		-24 * time.Hour:     "-24h0m0s",
	} {
		if got := FmtDuration(d); got != want {
			t.Errorf("FmtDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestDigestSpans: the digest counts whole days, then whole hours, then
// says "less than an hour"; a CRD is left or passed.
func TestDigestSpans(t *testing.T) {
	for d, want := range map[time.Duration]string{
		48 * time.Hour:             "2 days",
		24 * time.Hour:             "1 day",
		24*time.Hour - time.Second: "23 hours",
		2 * time.Hour:              "2 hours",
		time.Hour:                  "1 hour",
		time.Hour - time.Second:    "less than an hour",
		0:                          "less than an hour",
	} {
		if got := ago(d); got != want {
			t.Errorf("ago(%v) = %q, want %q", d, got, want)
		}
	}
	now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	for crd, want := range map[time.Time]string{
		{}:                       "(none)",
		now.Add(26 * time.Hour):  "Tue 2026-03-03 11:30 UTC, 1 day left",
		now:                      "Mon 2026-03-02 09:30 UTC, passed less than an hour ago",
		now.Add(-50 * time.Hour): "Sat 2026-02-28 07:30 UTC, passed 2 days ago",
	} {
		if got := crdLeft(crd, now); got != want {
			t.Errorf("crdLeft(%v) = %q, want %q", crd, got, want)
		}
	}
}
