package outbox

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	cfg := Config{MinBackoff: 30 * time.Second, MaxBackoff: time.Hour}
	rnd := rand.New(rand.NewPCG(1, 2))
	check := func(attempt int, lo, hi time.Duration) {
		t.Helper()
		seen := map[time.Duration]bool{}
		for range 200 {
			d := Backoff(cfg, attempt, rnd)
			if d < lo || d > hi {
				t.Fatalf("attempt %d: %v not in [%v, %v]", attempt, d, lo, hi)
			}
			seen[d] = true
		}
		if lo != hi && len(seen) < 10 {
			t.Errorf("attempt %d: only %d distinct delays, want jitter", attempt, len(seen))
		}
	}
	check(0, 15*time.Second, 45*time.Second) // treated as the first attempt
	check(1, 15*time.Second, 45*time.Second)
	check(2, 30*time.Second, 90*time.Second)
	check(3, time.Minute, 3*time.Minute)
	check(7, 16*time.Minute, time.Hour) // 32m base: the cap cuts the top
	check(8, 32*time.Minute, time.Hour) // 64m base: 32m..96m, capped
	check(9, time.Hour, time.Hour)      // 128m base: always over the cap
	check(1000, time.Hour, time.Hour)   // no overflow
	if d := Backoff(Config{}, 1, nil); d < 15*time.Second || d > 45*time.Second {
		t.Errorf("defaults: attempt 1 gave %v, want 15s..45s", d)
	}
}
