// Package command parses the command block at the top of a maintainer's
// reply mail and validates the values it sets on a vulnerability case.
//
// The package is pure: it does no I/O (apart from the time zone database that
// time.LoadLocation reads for crd zone names), reads no clock, and depends
// only on the standard library, the pure mailbot/versions and mailbot/cvss
// (which scores vectors with go-cvss). The caller verifies the OpenPGP signature,
// extracts the text/plain body and passes it to Parse; it then passes the
// current time to Validate for the rules that depend on it, and uses
// AllOrNothingCommand to decide whether a mail with errors may run in part.
//
// The language, in short (the README's "Maintainer commands" is the user reference):
//
//	title Heap overflow in the frobnicator
//	affected >=1.0 <1.4.2, 2.0.0
//	impact <<END
//	A remote attacker can ...
//	END
//	crd 2026-12-01 14:00 Europe/Berlin
//	thanks
//
// Commands stand one per line at the top of the body; the block ends at a
// stop word, a quoted line, an attribution line, a signature separator, or a
// blank line followed by text that is not a command.
package command
