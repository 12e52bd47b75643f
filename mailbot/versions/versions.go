// Package versions holds the version lists of an advisory (affected, not
// affected, not checked) as ranges of bounds, each an operator and a
// version, so that an exporter maps them onto OSV's introduced, fixed and
// last_affected, or CVE JSON 5's version, lessThan and lessThanOrEqual,
// without parsing text. Parse reads the command language's list syntax;
// String writes the canonical text users see. It is pure: the command
// parser and the store (which stores the ranges, and parses the text
// older stores kept) both use it.
package versions

import (
	"strings"
)

// Op is the operator of a bound.
type Op string

// The operators, as written in the canonical text.
const (
	OpEqual   Op = "="  // this version only
	OpAtLeast Op = ">=" // lower bound, inclusive (OSV introduced)
	OpAfter   Op = ">"  // lower bound, exclusive
	OpBelow   Op = "<"  // upper bound, exclusive (OSV fixed, CVE lessThan)
	OpAtMost  Op = "<=" // upper bound, inclusive (OSV last_affected, CVE lessThanOrEqual)
)

// Bound is one side of a range: an operator and a version.
type Bound struct {
	Op      Op
	Version string
}

// Range is one item of a version list. Either Exact is set, or at least
// one bound is, or (only in a list an older secbot stored as text that
// does not parse) Unparsed. The bound names follow OSV (introduced,
// fixed, last_affected), whose ranges are the target of the affected
// list; for the not-affected and unchecked lists they are simply the
// bounds of the set.
type Range struct {
	Exact        string `json:"exact,omitempty"`         // "1.2.3": this version only
	Introduced   string `json:"introduced,omitempty"`    // ">=1.0": lower bound, inclusive
	After        string `json:"after,omitempty"`         // ">1.0": lower bound, exclusive
	Fixed        string `json:"fixed,omitempty"`         // "<1.4.2": upper bound, exclusive
	LastAffected string `json:"last_affected,omitempty"` // "<=1.4.1": upper bound, inclusive
	// Unparsed is a list a store before schema 4 kept as text and that
	// the parser refuses: it is shown as it was, and maps onto no range.
	Unparsed string `json:"unparsed,omitempty"`
}

// Lower returns the lower bound, if the range has one.
func (r Range) Lower() (Bound, bool) {
	switch {
	case r.Introduced != "":
		return Bound{OpAtLeast, r.Introduced}, true
	case r.After != "":
		return Bound{OpAfter, r.After}, true
	}
	return Bound{}, false
}

// Upper returns the upper bound, if the range has one.
func (r Range) Upper() (Bound, bool) {
	switch {
	case r.Fixed != "":
		return Bound{OpBelow, r.Fixed}, true
	case r.LastAffected != "":
		return Bound{OpAtMost, r.LastAffected}, true
	}
	return Bound{}, false
}

// String returns the canonical text: "1.2.3", or the bounds with operators,
// lower first, as in ">=1.0 <1.4.2".
func (r Range) String() string {
	if r.Unparsed != "" {
		return r.Unparsed
	}
	if r.Exact != "" {
		if isDashSpan(r.Exact) {
			return "=" + r.Exact // from "=1.0-1.4.1", which must stay one version
		}
		return r.Exact
	}
	var parts []string
	if b, ok := r.Lower(); ok {
		parts = append(parts, string(b.Op)+b.Version)
	}
	if b, ok := r.Upper(); ok {
		parts = append(parts, string(b.Op)+b.Version)
	}
	return strings.Join(parts, " ")
}

// List is a version list, in the order it was given.
type List []Range

// String returns the canonical text of the list, its items separated by
// ", "; "" for an empty list.
func (l List) String() string {
	parts := make([]string, len(l))
	for i, r := range l {
		parts[i] = r.String()
	}
	return strings.Join(parts, ", ")
}
