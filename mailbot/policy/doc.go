// Package policy holds the rules secbot applies before a case's embargo,
// coordinated release date (crd), advisory or patch attachment reaches
// anyone outside the security team.
//
// The rules come from three sources, which each finding names:
//
//   - the seed, Florian Weimer's "A minimal security response process"
//     (Red Hat, 2013): the advisory fields, a crd on Monday to Wednesday
//     away from major holidays, pre-notifying the distros list only with
//     working patches, and patch file names carrying base name, summary and
//     revision;
//   - the Openwall (linux-)distros list policy: at most 14 days of embargo,
//     shorter than 7 preferred, a proposed disclosure date with every
//     report, and no already-public issue (a fix in a public repository
//     counts as public);
//   - the oCERT disclosure policy: 2 months is the absolute maximum embargo,
//     30 days only for critical, complex issues when all parties agree.
//
// The package is pure: it uses only the standard library, does no I/O and
// reads no clock; the caller passes the current time. Days are 24-hour
// spans of absolute time, so an embargo crossing a daylight-saving change
// is measured in real hours, not in calendar days.
package policy
