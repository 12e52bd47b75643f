package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// PrenotifyCheck applies the rules that must hold before embargoed mail (the
// draft advisory and patches) goes to a downstream recipient of kind.
//
// For every kind:
//   - a kind missing from limits is refused (nil limits means DefaultLimits);
//   - a missing required advisory field is refused, naming each (the seed's
//     advisory list: downstream needs them to act);
//   - an unset crd, or one not after now, is refused (the seed: the crd must
//     be told to downstream);
//   - the embargo from embargoStart (zero or after now means now) to the
//     crd is checked against the kind's limits as in CheckCRD: over MaxDays
//     is refused unless force, over WarnDays is warned about.
//
// For "distros" also, after the seed and the Openwall list policy:
//   - at least one current patch is required (the seed: pre-notify the
//     distros list only when working patches exist);
//   - publicFix is refused: an issue whose fix is in a public repository is
//     public and belongs on oss-security.
func PrenotifyCheck(kind string, f Fields, patches int, publicFix bool, now, embargoStart time.Time, limits map[string]Limits, force bool) Findings {
	var out Findings
	if limits == nil {
		limits = DefaultLimits()
	}
	if _, ok := limits[kind]; !ok {
		lookupKinds([]string{kind}, limits, &out)
		return out
	}
	if kind == KindDistros {
		checkDistros(&out, patches, publicFix)
	}
	checkRequired(&out, f)
	if f.CRD.IsZero() {
		out.refuse(noCRDFor(kind))
		return out
	}
	checkFuture(&out, f.CRD, now)
	checkEmbargo(&out, f.CRD, effectiveStart(embargoStart, now), []string{kind}, limits, force)
	return out
}

// checkDistros applies the distros list's own preconditions.
func checkDistros(out *Findings, patches int, publicFix bool) {
	if patches < 1 {
		out.refuse("no current patch is attached: pre-notify the distros list only when working patches exist (minimal security response process)")
	}
	if publicFix {
		out.refuse("the fix is already public: a public issue belongs on oss-security, not the distros list, and a fix in a public repository counts as public (Openwall)")
	}
}

// checkRequired refuses an advisory without its required fields. The crd is
// left out here: an unset crd gets its own, more specific refusal.
func checkRequired(out *Findings, f Fields) {
	req, _ := Missing(f)
	req = slices.DeleteFunc(req, func(s string) bool { return s == FieldCRD })
	if len(req) > 0 {
		out.refuse(fmt.Sprintf("the advisory lacks required fields: %s (minimal security response process)", strings.Join(req, ", ")))
	}
}

// noCRDFor is the refusal for an unset crd before pre-notifying kind; the
// distros list requires a proposed disclosure date with every report.
func noCRDFor(kind string) string {
	if kind == KindDistros {
		return noCRD + "; a report to the distros list must carry a proposed public disclosure date (Openwall)"
	}
	return noCRD
}
