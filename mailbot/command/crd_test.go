package command

import (
	"strings"
	"testing"
	"time"
)

// TestCRDInstant checks the instant a crd line names, in UTC, at the
// bounds of each part: the latest hour and minute of a day, the widest
// UTC offsets, and offsets on both sides of UTC. A sign or an arithmetic
// slip here moves the end of an embargo by hours.
func TestCRDInstant(t *testing.T) {
	tests := []struct {
		line string
		want string // the instant in UTC, RFC 3339
	}{
		{"crd 2026-12-01 23:59", "2026-12-01T23:59:00Z"},
		{"crd 2026-12-01 23:00 UTC", "2026-12-01T23:00:00Z"},
		{"crd 2026-12-01 0:00", "2026-12-01T00:00:00Z"},
		{"crd 2027-01-01", "2027-01-01T14:00:00Z"},
		{"crd 2026-12-31", "2026-12-31T14:00:00Z"},
		{"crd 2028-02-29", "2028-02-29T14:00:00Z"},
		{"crd 2026-12-01 14:00 -05:30", "2026-12-01T19:30:00Z"},
		{"crd 2026-12-01 14:00 -0530", "2026-12-01T19:30:00Z"},
		{"crd 2026-12-01 14:00 +05:30", "2026-12-01T08:30:00Z"},
		{"crd 2026-12-01 14:00 +05:59", "2026-12-01T08:01:00Z"},
		{"crd 2026-12-01 14:00 +14:00", "2026-12-01T00:00:00Z"},
		{"crd 2026-12-01 14:00 -14:00", "2026-12-02T04:00:00Z"},
		{"crd 2026-12-01 14:00 -00:00", "2026-12-01T14:00:00Z"},
		{"crd 2026-12-01 14:00 Asia/Kolkata", "2026-12-01T08:30:00Z"},
	}
	for _, tc := range tests {
		r := Parse(tc.line)
		if len(r.Errors) > 0 || len(r.Commands) != 1 {
			t.Errorf("Parse(%q): errors %v", tc.line, r.Errors)
			continue
		}
		if got := r.Commands[0].CRD.UTC().Format(time.RFC3339); got != tc.want {
			t.Errorf("Parse(%q): crd %s, want %s", tc.line, got, tc.want)
		}
	}
}

// TestCRDRefusedPastItsBounds: one step past each bound of a crd line is
// refused, with the reason.
func TestCRDRefusedPastItsBounds(t *testing.T) {
	for line, want := range map[string]string{
		"crd 2026-12-32":                 "day out of range",
		"crd 2027-02-29":                 "day out of range",
		"crd 2026-12-00":                 "day out of range",
		"crd 2026-00-01":                 "month out of range",
		"crd 2026-13-01":                 "month out of range",
		"crd 2026-12-01 24:00":           "bad time",
		"crd 2026-12-01 14:60":           "bad time",
		"crd 2026-12-01 100:00":          "bad time",
		"crd 2026-12-01 14:00 +15:00":    "bad UTC offset",
		"crd 2026-12-01 14:00 -15:00":    "bad UTC offset",
		"crd 2026-12-01 14:00 +05:60":    "bad UTC offset",
		"crd 2026-12-01 14:00 +5:30":     "bad UTC offset",
		"crd 2026-12-01 14:00 _x/Berlin": "bad time zone",
	} {
		r := Parse(line)
		if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Error(), want) {
			t.Errorf("Parse(%q): errors %v, want one with %q", line, r.Errors, want)
		}
	}
}

// TestZoneNameSyntax checks the syntax an IANA zone name must have before
// it is looked up: parts of word runes, '-', '+' and '.', the first part
// starting with an ASCII letter, at most 64 bytes, and not "Local".
func TestZoneNameSyntax(t *testing.T) {
	long := "A" + strings.Repeat("/b", 31) // 63 bytes
	for _, s := range []string{
		"A", "Z", "a", "z", "Zulu", "Europe/Berlin", "Etc/GMT+5", "Etc/GMT-14",
		"America/Port-au-Prince", "x/1y", "x/_y", "x.y", long + "c",
	} {
		if !isZoneName(s) {
			t.Errorf("isZoneName(%q) = false, want true", s)
		}
	}
	for _, s := range []string{
		"", "@", "[", "`", "{", "1x", "_x", "-x", "x/", "/x", "x//y", "x/../y", "Local",
		"x@y", "x y", "x:y", "x~y", "x*y", long + "cd",
	} {
		if isZoneName(s) {
			t.Errorf("isZoneName(%q) = true, want false", s)
		}
	}
}
