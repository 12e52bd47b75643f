package policy

import (
	"fmt"
	"time"
)

// CheckCRD checks a proposed coordinated release date:
//   - it must be after now, else it is refused;
//   - a weekday other than Monday to Wednesday gets a warning: the seed
//     prefers those days so that administrators need not install updates
//     over the weekend;
//   - a date on a holiday gets a warning naming it (the seed: avoid major
//     holidays); holidays maps "YYYY-MM-DD" to a name and is compared with
//     the crd's date in the crd's own zone;
//   - the embargo, from embargoStart (the first downstream notification; a
//     zero time or one after now means now) to crd, longer than the
//     strictest MaxDays among recipientKinds is refused, or only warned
//     about when force is set; longer than the strictest WarnDays gets a
//     warning. A kind missing from limits is refused. A nil limits means
//     DefaultLimits.
//
// A zero crd is refused as unset.
func CheckCRD(crd, now, embargoStart time.Time, recipientKinds []string, limits map[string]Limits, holidays map[string]string, force bool) Findings {
	var f Findings
	if crd.IsZero() {
		f.refuse(noCRD)
		return f
	}
	if limits == nil {
		limits = DefaultLimits()
	}
	checkFuture(&f, crd, now)
	checkWeekday(&f, crd)
	checkHoliday(&f, crd, holidays)
	checkEmbargo(&f, crd, effectiveStart(embargoStart, now), recipientKinds, limits, force)
	return f
}

// noCRD is the refusal for an unset crd; the seed requires one in the
// advisory and wants it told to the reporter and downstream.
const noCRD = "no crd is set: a coordinated release date must be agreed and told to the reporter and downstream (minimal security response process)"

// checkFuture refuses a crd that is not after now: the embargo would
// already be over, and the date told to downstream would be wrong.
func checkFuture(f *Findings, crd, now time.Time) {
	if !crd.After(now) {
		f.refuse(fmt.Sprintf("crd %s is not in the future (now %s)", formatTime(crd), formatTime(now.In(crd.Location()))))
	}
}

// checkWeekday warns about a crd outside Monday to Wednesday, in the crd's
// own zone. The seed prefers those days so that system administrators do
// not have to deal with security updates over the weekend.
func checkWeekday(f *Findings, crd time.Time) {
	switch crd.Weekday() {
	case time.Monday, time.Tuesday, time.Wednesday:
		return
	}
	f.warn(fmt.Sprintf("crd %s: a release on Monday to Wednesday is preferred, so that administrators need not install updates over the weekend (minimal security response process)", formatDay(crd)))
}

// checkHoliday warns about a crd on a configured holiday, by the crd's date
// in its own zone. The seed: "try to avoid major holidays if possible".
func checkHoliday(f *Findings, crd time.Time, holidays map[string]string) {
	name, ok := holidays[crd.Format(time.DateOnly)]
	if !ok {
		return
	}
	if name == "" {
		name = "a holiday"
	}
	f.warn(fmt.Sprintf("crd %s is on %s: major holidays should be avoided (minimal security response process)", formatDay(crd), name))
}
