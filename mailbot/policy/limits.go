package policy

import (
	"fmt"
	"sort"
	"strings"
)

// The downstream contact kinds. The distros list has its own, short embargo
// rules (Openwall); vendors and individuals are held to oCERT's.
const (
	KindDistros    = "distros"
	KindVendor     = "vendor"
	KindIndividual = "individual"
)

// Kinds are the downstream contact kinds that DefaultLimits covers.
var Kinds = []string{KindDistros, KindVendor, KindIndividual}

// Limits is the embargo policy for one kind of downstream contact. A value
// of 0 or less disables that check.
type Limits struct {
	MaxDays  int // an embargo longer than this is refused unless forced
	WarnDays int // an embargo longer than this gets a warning
}

// DefaultLimits returns a new map of the default limits per kind:
//   - distros {14, 7}: Openwall's distros list accepts at most 14 days and
//     prefers shorter than 7;
//   - vendor and individual {60, 30}: oCERT's absolute maximum is 2 months,
//     and 30 days is for critical, complex issues when all parties agree.
func DefaultLimits() map[string]Limits {
	return map[string]Limits{
		KindDistros:    {MaxDays: 14, WarnDays: 7},
		KindVendor:     {MaxDays: 60, WarnDays: 30},
		KindIndividual: {MaxDays: 60, WarnDays: 30},
	}
}

// kindLabel names the recipients of a kind for a sentence.
func kindLabel(kind string) string {
	switch kind {
	case KindDistros:
		return "the distros list"
	case KindVendor:
		return "vendor contacts"
	case KindIndividual:
		return "individual contacts"
	}
	return fmt.Sprintf("contacts of kind %q", kind)
}

// maxSource cites where a maximum comes from. A limit that differs from the
// default is the operator's choice, and the message says so rather than
// attributing it to Openwall or oCERT.
func maxSource(kind string, l Limits) string {
	if d, ok := DefaultLimits()[kind]; !ok || d.MaxDays != l.MaxDays {
		return "(configured)"
	}
	if kind == KindDistros {
		return "(Openwall: 14 days is the maximum acceptable embargo)"
	}
	return "(oCERT: 2 months is the absolute maximum)"
}

// warnSource cites where a warning threshold comes from, as maxSource does.
func warnSource(kind string, l Limits) string {
	if d, ok := DefaultLimits()[kind]; !ok || d.WarnDays != l.WarnDays {
		return "(configured)"
	}
	if kind == KindDistros {
		return "(Openwall: shorter than 7 days is preferred)"
	}
	return "(oCERT: 30 days only for critical, complex issues when all parties agree)"
}

// lookupKinds returns the limits of each kind, in order, and a refusal for
// each kind without limits: an unknown kind is a configuration error, and
// an embargo that nobody checked must not go out.
func lookupKinds(kinds []string, limits map[string]Limits, f *Findings) (known []string) {
	seen := map[string]bool{}
	for _, k := range kinds {
		if seen[k] {
			continue
		}
		seen[k] = true
		if _, ok := limits[k]; !ok {
			f.refuse(fmt.Sprintf("no embargo limits are configured for contact kind %q (known: %s)", k, knownKinds(limits)))
			continue
		}
		known = append(known, k)
	}
	return known
}

func knownKinds(limits map[string]Limits) string {
	ks := make([]string, 0, len(limits))
	for k := range limits {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}
