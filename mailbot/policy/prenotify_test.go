package policy

import (
	"testing"
	"time"
)

func TestPrenotifyCheck(t *testing.T) {
	type tc struct {
		name      string
		kind      string
		f         Fields
		patches   int
		publicFix bool
		start     time.Time
		limits    map[string]Limits
		force     bool
		want      []string
	}
	check := func(c tc) {
		t.Helper()
		t.Run(c.name, func(t *testing.T) {
			t.Helper()
			matchFindings(t, PrenotifyCheck(c.kind, c.f, c.patches, c.publicFix, now, c.start, c.limits, c.force), c.want)
		})
	}
	with := func(edit func(*Fields)) Fields {
		f := complete()
		edit(&f)
		return f
	}
	crdAt := func(days, minutes int) Fields { return with(func(f *Fields) { f.CRD = at(days, minutes) }) }

	check(tc{name: "distros ready", kind: "distros", f: complete(), patches: 1})
	check(tc{name: "vendor without patches", kind: "vendor", f: complete()})
	check(tc{name: "individual, recommended fields missing", kind: "individual",
		f: with(func(f *Fields) { f.CVE, f.Credits, f.Workaround = "", nil, "" })})

	// The distros list's preconditions.
	check(tc{name: "distros without patches", kind: "distros", f: complete(),
		want: []string{"refuse: no current patch is attached: pre-notify the distros list only when working patches exist (minimal security response process)"}})
	check(tc{name: "distros, negative patch count", kind: "distros", f: complete(), patches: -1, want: []string{"refuse: no current patch"}})
	check(tc{name: "distros, public fix", kind: "distros", f: complete(), patches: 2, publicFix: true,
		want: []string{"refuse: the fix is already public: a public issue belongs on oss-security, not the distros list, and a fix in a public repository counts as public (Openwall)"}})
	check(tc{name: "vendor, public fix", kind: "vendor", f: complete(), publicFix: true})
	check(tc{name: "distros without crd", kind: "distros", f: with(func(f *Fields) { f.CRD = time.Time{} }), patches: 1,
		want: []string{"refuse: no crd is set: a coordinated release date must be agreed and told to the reporter and downstream (minimal security response process); a report to the distros list must carry a proposed public disclosure date (Openwall)"}})
	check(tc{name: "distros, everything wrong", kind: "distros", f: Fields{}, publicFix: true,
		want: []string{"refuse: no current patch", "refuse: already public",
			"refuse: the advisory lacks required fields: project name, project URL, title, versions affected, type of vulnerability, impact (minimal security response process)",
			"refuse: no crd is set"}})

	// Any kind.
	check(tc{name: "vendor without crd", kind: "vendor", f: with(func(f *Fields) { f.CRD = time.Time{} }),
		want: []string{"refuse: no crd is set: a coordinated release date must be agreed and told to the reporter and downstream (minimal security response process)"}})
	check(tc{name: "required fields missing", kind: "vendor", f: with(func(f *Fields) { f.Title, f.Type = "", " " }),
		want: []string{"refuse: the advisory lacks required fields: title, type of vulnerability (minimal security response process)"}})
	check(tc{name: "crd past", kind: "vendor", f: crdAt(-1, 0), want: []string{"refuse: crd 2026-05-31 14:00 UTC is not in the future"}})
	check(tc{name: "crd now", kind: "distros", f: crdAt(0, 0), patches: 1, want: []string{"refuse: is not in the future"}})
	check(tc{name: "unknown kind", kind: "press", f: Fields{},
		want: []string{`refuse: no embargo limits are configured for contact kind "press"`}})
	check(tc{name: "kind missing from given limits", kind: "distros", f: complete(), patches: 1, limits: map[string]Limits{"vendor": {60, 30}},
		want: []string{`refuse: contact kind "distros" (known: vendor)`}})

	// Embargo length, per kind.
	check(tc{name: "distros 14 days", kind: "distros", f: crdAt(14, 0), patches: 1, want: []string{"warn: over the 7 days preferred for the distros list"}})
	check(tc{name: "distros 14 days and a minute", kind: "distros", f: crdAt(14, 1), patches: 1,
		want: []string{`refuse: the embargo would last 14 days and 1 minute (until 2026-06-15 14:01 UTC), over the 14-day maximum for the distros list (Openwall: 14 days is the maximum acceptable embargo); add "force" to override`}})
	check(tc{name: "distros forced", kind: "distros", f: crdAt(14, 1), patches: 1, force: true, want: []string{"warn: forced past the 14-day maximum"}})
	check(tc{name: "distros, start in the past", kind: "distros", f: crdAt(1, 0), start: at(-13, -1), patches: 1,
		want: []string{"refuse: would last 14 days and 1 minute"}})
	check(tc{name: "distros, start in the future means now", kind: "distros", f: crdAt(1, 0), start: at(1, 0), patches: 1})
	check(tc{name: "vendor 21 days", kind: "vendor", f: crdAt(21, 0)})
	check(tc{name: "vendor 60 days and a minute", kind: "vendor", f: crdAt(60, 1),
		want: []string{"refuse: over the 60-day maximum for vendor contacts (oCERT: 2 months is the absolute maximum)"}})
	check(tc{name: "configured limits", kind: "vendor", f: crdAt(3, 0), limits: map[string]Limits{"vendor": {2, 1}},
		want: []string{"refuse: would last 3 days (until 2026-06-04 14:00 UTC), over the 2-day maximum for vendor contacts (configured)"}})
}
