// Package export writes a case's advisory in the formats the ecosystem
// consumes: a CVE JSON 5 record (or a CNA container when the flaw has no
// CVE id yet), an OSV 1.x entry and a CSAF 2.0 security advisory. Every
// export is built from the typed advisory (mailbot/advisory), never from
// rendered text: version lists map bound by bound, credits and CWE ids
// keep their types. Each export iterates the views of Vulns, the one
// place that knows how a case holds its vulnerabilities. It is pure: it
// writes no file and reads no store.
package export
