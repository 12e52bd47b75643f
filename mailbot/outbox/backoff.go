package outbox

import (
	"math"
	"math/rand/v2"
	"time"
)

// Backoff returns the delay before attempt number attempt (1-based) may be
// followed by the next one: MinBackoff*2^(attempt-1) scaled by a random factor
// in [0.5, 1.5), capped at MaxBackoff. The jitter keeps many entries that
// failed together from retrying in lockstep. A nil rnd uses the global
// source. Zero durations in cfg take their defaults.
func Backoff(cfg Config, attempt int, rnd *rand.Rand) time.Duration {
	cfg = cfg.withDefaults()
	if attempt < 1 {
		attempt = 1
	}
	jitter := rand.Float64
	if rnd != nil {
		jitter = rnd.Float64
	}
	// Float math cannot overflow: a huge attempt gives +Inf, which the cap
	// below handles.
	base := float64(cfg.MinBackoff) * math.Pow(2, float64(attempt-1))
	d := base * (0.5 + jitter())
	if d >= float64(cfg.MaxBackoff) {
		return cfg.MaxBackoff
	}
	return time.Duration(d)
}
