package export

import (
	"github.com/secbot/secbot/mailbot/versions"
)

// The version lists map onto each format bound by bound. What a format
// cannot say exactly (an exclusive lower bound ">1.0" in CVE and OSV, a
// list an old store kept as unparsed text) is returned as unmapped, for
// the export to carry in its extension field: never dropped, never
// approximated.

// CVE statuses (CVE JSON 5 "status").
const (
	cveAffected   = "affected"
	cveUnaffected = "unaffected"
	cveUnknown    = "unknown"
)

// cveVersion is one item of CVE JSON 5 "versions": a single version
// (only Version and Status) or a range from Version (inclusive) up to
// LessThan or LessThanOrEqual, "*" meaning no upper end.
type cveVersion struct {
	Version         string `json:"version"`
	Status          string `json:"status"`
	VersionType     string `json:"versionType,omitempty"`
	LessThan        string `json:"lessThan,omitempty"`
	LessThanOrEqual string `json:"lessThanOrEqual,omitempty"`
}

// cveVersions maps list l, of the given status, onto CVE's version
// model. A range without a lower bound starts at "0", CVE's way to say
// "every version before".
func cveVersions(l versions.List, status, versionType string) (out []cveVersion, unmapped []string) {
	for _, r := range l {
		switch {
		case r.Unparsed != "" || r.After != "":
			unmapped = append(unmapped, r.String())
		case r.Exact != "":
			out = append(out, cveVersion{Version: r.Exact, Status: status})
		default:
			v := cveVersion{Version: or(r.Introduced, "0"), Status: status, VersionType: versionType,
				LessThan: r.Fixed, LessThanOrEqual: r.LastAffected}
			if v.LessThan == "" && v.LessThanOrEqual == "" {
				v.LessThan = "*"
			}
			out = append(out, v)
		}
	}
	return out, unmapped
}

// osvEvent is one OSV range event; exactly one field is set.
type osvEvent struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
}

// osvAffected maps the affected list onto OSV: one range (its events)
// per item with bounds, since OSV forbids fixed and last_affected in one
// range, and the single versions in "versions". An item without a lower
// bound is introduced at "0", OSV's "every version before".
func osvAffected(l versions.List) (ranges [][]osvEvent, single, unmapped []string) {
	for _, r := range l {
		switch {
		case r.Unparsed != "" || r.After != "":
			unmapped = append(unmapped, r.String())
		case r.Exact != "":
			single = append(single, r.Exact)
		default:
			ev := []osvEvent{{Introduced: or(r.Introduced, "0")}}
			switch {
			case r.Fixed != "":
				ev = append(ev, osvEvent{Fixed: r.Fixed})
			case r.LastAffected != "":
				ev = append(ev, osvEvent{LastAffected: r.LastAffected})
			}
			ranges = append(ranges, ev)
		}
	}
	return ranges, single, unmapped
}

// csafVersion is one product version of the CSAF product tree: a single
// version (category product_version) or a range written as a vers
// string (product_version_range), which says every bound exactly.
type csafVersion struct {
	Category string // "product_version" or "product_version_range"
	Name     string
}

// csafVersions maps a list onto CSAF product versions. A list an old
// store kept as unparsed text becomes a range named by that text, which
// CSAF allows (its "vls" form).
func csafVersions(l versions.List, semver bool) []csafVersion {
	scheme := "vers:generic/"
	if semver {
		scheme = "vers:semver/"
	}
	var out []csafVersion
	for _, r := range l {
		switch {
		case r.Unparsed != "":
			out = append(out, csafVersion{"product_version_range", r.Unparsed})
		case r.Exact != "":
			out = append(out, csafVersion{"product_version", r.Exact})
		default:
			out = append(out, csafVersion{"product_version_range", scheme + versConstraints(r)})
		}
	}
	return out
}

// versConstraints writes a range's bounds in vers syntax: lower first,
// joined by "|" (the order vers requires for one range).
func versConstraints(r versions.Range) string {
	s := ""
	if b, ok := r.Lower(); ok {
		s = string(b.Op) + b.Version
	}
	if b, ok := r.Upper(); ok {
		if s != "" {
			s += "|"
		}
		s += string(b.Op) + b.Version
	}
	return s
}
