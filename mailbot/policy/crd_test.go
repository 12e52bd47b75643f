package policy

import (
	"testing"
	"time"
)

func TestCheckCRD(t *testing.T) {
	plus2 := time.FixedZone("", 2*3600)
	minus5 := time.FixedZone("", -5*3600)
	custom := map[string]Limits{"distros": {MaxDays: 10}, "a": {14, 10}, "b": {20, 5}, "open": {}}
	holidays := map[string]string{"2026-06-16": "Test Day", "2026-06-23": ""}

	type tc struct {
		name   string
		crd    time.Time
		start  time.Time
		kinds  []string
		limits map[string]Limits
		force  bool
		want   []string
	}
	check := func(c tc) {
		t.Helper()
		t.Run(c.name, func(t *testing.T) {
			t.Helper()
			matchFindings(t, CheckCRD(c.crd, now, c.start, c.kinds, c.limits, holidays, c.force), c.want)
		})
	}
	distros := []string{"distros"}

	// Future.
	check(tc{name: "unset", want: []string{"refuse: no crd is set"}})
	check(tc{name: "past", crd: at(-6, 0), want: []string{"refuse: crd 2026-05-26 14:00 UTC is not in the future (now 2026-06-01 14:00 UTC)"}})
	check(tc{name: "now", crd: now, want: []string{"refuse: not in the future"}})
	check(tc{name: "now in another zone", crd: now.In(plus2), want: []string{"refuse: crd 2026-06-01 16:00 +0200 is not in the future (now 2026-06-01 16:00 +0200)"}})
	check(tc{name: "a minute ahead", crd: at(0, 1), want: nil})
	check(tc{name: "past, on a Sunday, reports all", crd: at(-8, 0), kinds: distros,
		want: []string{"refuse: not in the future", "warn: (Sunday)"}})

	// Weekday, in the crd's own zone.
	check(tc{name: "Monday", crd: at(14, 0)})
	check(tc{name: "Tuesday", crd: at(1, 0)})
	check(tc{name: "Wednesday", crd: at(2, 0)})
	check(tc{name: "Thursday", crd: at(17, 0), want: []string{"warn: crd 2026-06-18 (Thursday): a release on Monday to Wednesday is preferred, so that administrators need not install updates over the weekend (minimal security response process)"}})
	check(tc{name: "Friday", crd: at(18, 0), want: []string{"warn: (Friday)"}})
	check(tc{name: "Saturday", crd: at(19, 0), want: []string{"warn: (Saturday)"}})
	check(tc{name: "Sunday", crd: at(20, 0), want: []string{"warn: (Sunday)"}})
	check(tc{name: "Wednesday UTC is Thursday at +02:00", crd: time.Date(2026, 6, 18, 1, 30, 0, 0, plus2),
		want: []string{"warn: crd 2026-06-18 (Thursday)"}})
	check(tc{name: "Thursday UTC is Wednesday at -05:00", crd: time.Date(2026, 6, 17, 23, 30, 0, 0, minus5)})

	// Holidays, by the date in the crd's own zone.
	check(tc{name: "holiday", crd: at(15, 0), want: []string{"warn: crd 2026-06-16 (Tuesday) is on Test Day: major holidays should be avoided (minimal security response process)"}})
	check(tc{name: "holiday without a name", crd: at(22, 0), want: []string{"warn: crd 2026-06-23 (Tuesday) is on a holiday"}})
	check(tc{name: "holiday at -05:00, next day in UTC", crd: time.Date(2026, 6, 16, 23, 30, 0, 0, minus5), want: []string{"warn: is on Test Day"}})
	check(tc{name: "holiday in UTC, next day at +02:00", crd: time.Date(2026, 6, 17, 1, 0, 0, 0, plus2)})

	// Embargo length against the distros list.
	check(tc{name: "7 days", crd: at(7, 0), kinds: distros})
	check(tc{name: "7 days and a minute", crd: at(7, 1), kinds: distros,
		want: []string{"warn: the embargo would last 7 days and 1 minute (until 2026-06-08 14:01 UTC), over the 7 days preferred for the distros list (Openwall: shorter than 7 days is preferred)"}})
	check(tc{name: "exactly 14 days", crd: at(14, 0), kinds: distros, want: []string{"warn: would last 14 days (until"}})
	check(tc{name: "14 days and a minute", crd: at(14, 1), kinds: distros,
		want: []string{`refuse: the embargo would last 14 days and 1 minute (until 2026-06-15 14:01 UTC), over the 14-day maximum for the distros list (Openwall: 14 days is the maximum acceptable embargo); add "force" to override`}})
	check(tc{name: "14 days and a second", crd: at(14, 0).Add(time.Second), kinds: distros, want: []string{"refuse: would last 14 days and 1 minute"}})
	check(tc{name: "forced", crd: at(14, 1), kinds: distros, force: true,
		want: []string{"warn: forced past the 14-day maximum for the distros list (Openwall: 14 days is the maximum acceptable embargo): the embargo will last 14 days and 1 minute (until 2026-06-15 14:01 UTC)"}})
	check(tc{name: "force within limits changes nothing", crd: at(2, 0), kinds: distros, force: true})
	check(tc{name: "crd in another zone", crd: time.Date(2026, 6, 16, 1, 0, 0, 0, plus2), kinds: distros,
		want: []string{"warn: is on Test Day", "refuse: would last 14 days and 9 hours (until 2026-06-16 01:00 +0200)"}})

	// Embargo start.
	check(tc{name: "start in the past counts", crd: at(2, 0), start: at(-12, 0), kinds: distros, want: []string{"warn: would last 14 days (until"}})
	check(tc{name: "start in the past, over", crd: at(2, 0), start: at(-12, -1), kinds: distros, want: []string{"refuse: would last 14 days and 1 minute"}})
	check(tc{name: "start in the future means now", crd: at(15, 0), start: at(10, 0), kinds: distros,
		want: []string{"warn: Test Day", "refuse: would last 15 days"}})
	check(tc{name: "start equal to now", crd: at(2, 0), start: now, kinds: distros})

	// oCERT limits, and mixes of kinds.
	check(tc{name: "vendor 30 days", crd: at(30, 0), kinds: []string{"vendor"}})
	check(tc{name: "vendor 31 days", crd: at(30, 1), kinds: []string{"vendor"},
		want: []string{"warn: over the 30 days preferred for vendor contacts (oCERT: 30 days only for critical, complex issues when all parties agree)"}})
	check(tc{name: "individual 60 days", crd: at(60, 0), kinds: []string{"individual"}, want: []string{"warn: (Friday)", "warn: would last 60 days"}})
	check(tc{name: "individual 60 days and a minute", crd: at(60, 1), kinds: []string{"individual"},
		want: []string{"warn: (Friday)", "refuse: over the 60-day maximum for individual contacts (oCERT: 2 months is the absolute maximum)"}})
	check(tc{name: "strictest kind decides", crd: at(20, 0).Add(-time.Hour), kinds: []string{"vendor", "distros"},
		want: []string{"warn: (Sunday)", "refuse: over the 14-day maximum for the distros list"}})
	check(tc{name: "duplicate kinds", crd: at(14, 1), kinds: []string{"distros", "distros"}, want: []string{"refuse: 14-day maximum"}})
	check(tc{name: "no recipients, no embargo check", crd: at(100, 0)})

	// Limits from the caller.
	check(tc{name: "unknown kind", crd: at(2, 0), kinds: []string{"distros", "press"},
		want: []string{`refuse: no embargo limits are configured for contact kind "press" (known: distros, individual, vendor)`}})
	check(tc{name: "configured maximum", crd: at(10, 1), limits: custom, kinds: distros,
		want: []string{"warn: (Thursday)", "refuse: over the 10-day maximum for the distros list (configured)"}})
	check(tc{name: "warning disabled", crd: at(9, 0), limits: custom, kinds: distros})
	check(tc{name: "no limits at all", crd: at(364, 0), limits: custom, kinds: []string{"open"}})
	check(tc{name: "strictest warning of a mix", crd: at(8, 0), limits: custom, kinds: []string{"a", "b"},
		want: []string{`warn: over the 5 days preferred for contacts of kind "b" (configured)`}})
	check(tc{name: "strictest maximum of a mix", crd: at(16, 0), limits: custom, kinds: []string{"b", "a"},
		want: []string{`refuse: over the 14-day maximum for contacts of kind "a" (configured)`}})
}
