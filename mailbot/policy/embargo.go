package policy

import (
	"fmt"
	"strings"
	"time"
)

// day is the unit of the embargo limits: 24 hours of absolute time.
const day = 24 * time.Hour

// effectiveStart returns when the embargo began: the first downstream
// notification, or now when there was none yet (a zero start) or when start
// lies after now, since mail going out now starts the embargo now at the
// latest.
func effectiveStart(start, now time.Time) time.Time {
	if start.IsZero() || start.After(now) {
		return now
	}
	return start
}

// checkEmbargo applies the limits of kinds to an embargo from start to crd.
// The strictest maximum among the kinds decides a refusal; the strictest
// warning threshold decides a warning when nothing was refused, so that a
// mix of kinds is held to each kind's rule. Exactly MaxDays is allowed.
func checkEmbargo(f *Findings, crd, start time.Time, kinds []string, limits map[string]Limits, force bool) {
	known := lookupKinds(kinds, limits, f)
	length := crd.Sub(start)
	if k, ok := strictest(known, limits, func(l Limits) int { return l.MaxDays }); ok {
		l := limits[k]
		if length > time.Duration(l.MaxDays)*day {
			if force {
				f.warn(fmt.Sprintf("forced past the %d-day maximum for %s %s: the embargo will last %s (until %s)",
					l.MaxDays, kindLabel(k), maxSource(k, l), formatLength(length), formatTime(crd)))
			} else {
				f.refuse(fmt.Sprintf("the embargo would last %s (until %s), over the %d-day maximum for %s %s; add \"force\" to override",
					formatLength(length), formatTime(crd), l.MaxDays, kindLabel(k), maxSource(k, l)))
			}
			return
		}
	}
	if k, ok := strictest(known, limits, func(l Limits) int { return l.WarnDays }); ok {
		l := limits[k]
		if length > time.Duration(l.WarnDays)*day {
			f.warn(fmt.Sprintf("the embargo would last %s (until %s), over the %d days preferred for %s %s",
				formatLength(length), formatTime(crd), l.WarnDays, kindLabel(k), warnSource(k, l)))
		}
	}
}

// strictest returns the kind with the smallest positive value of field, the
// first one on a tie; ok is false when no kind sets field.
func strictest(kinds []string, limits map[string]Limits, field func(Limits) int) (kind string, ok bool) {
	best := 0
	for _, k := range kinds {
		v := field(limits[k])
		if v > 0 && (!ok || v < best) {
			kind, best, ok = k, v, true
		}
	}
	return kind, ok
}

// formatLength writes a duration as days, hours and minutes, rounded up to
// the minute so that an embargo one second over a limit does not read as
// exactly the limit.
func formatLength(d time.Duration) string {
	if d <= 0 {
		return "0 minutes"
	}
	mins := int64((d + time.Minute - 1) / time.Minute)
	parts := []string{}
	add := func(n int64, unit string) {
		if n == 1 {
			parts = append(parts, "1 "+unit)
		} else if n > 1 {
			parts = append(parts, fmt.Sprintf("%d %ss", n, unit))
		}
	}
	add(mins/(24*60), "day")
	add(mins/60%24, "hour")
	add(mins%60, "minute")
	if len(parts) > 1 {
		return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	return parts[0]
}

// formatTime writes an instant in its own zone, with the zone, as the crd
// command accepts it.
func formatTime(t time.Time) string {
	return t.Format("2006-01-02 15:04 MST")
}

// formatDay writes the calendar date and weekday of t in its own zone.
func formatDay(t time.Time) string {
	return t.Format("2006-01-02 (Monday)")
}
