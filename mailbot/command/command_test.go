package command

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zone names must not depend on the test machine
)

// canon returns the String of every command, one per element.
func canon(cs []Command) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.String())
	}
	return out
}

func TestParseKeywords(t *testing.T) {
	check := func(body string, want ...string) {
		t.Helper()
		r := Parse(body)
		if len(r.Errors) > 0 {
			t.Errorf("Parse(%q): errors %v", body, r.Errors)
			return
		}
		got := canon(r.Commands)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("Parse(%q):\n got %q\nwant %q", body, got, want)
		}
	}
	check("title Heap overflow in frob()", "title Heap overflow in frob()")
	check("TITLE   spaced   out  ", "title spaced   out")
	check("Title: colon style", "title colon style")

	check("affected 1.2.3", "affected 1.2.3")
	check("affected <1.4.2", "affected <1.4.2")
	check("affected <=1.4.1, >=2.0 <2.1.3", "affected <=1.4.1, >=2.0 <2.1.3")
	check("affected > 1.0", "affected >1.0")
	check("affected 1.0-1.4.1", "affected >=1.0 <=1.4.1")
	check("affected 1.0..1.4.1", "affected >=1.0 <=1.4.1")
	check("affected 1.0 - 1.4.1", "affected >=1.0 <=1.4.1")
	check("affected <1.4.2 >=1.0", "affected >=1.0 <1.4.2")
	check("affected 1.0.0-rc1, v2.0.0, 1.2.3-1", "affected 1.0.0-rc1, v2.0.0, 1.2.3-1")
	check("affected =1.0-1.4", "affected =1.0-1.4")
	check("affected clear", "affected clear")
	check("not-affected <1.0", "not-affected <1.0")
	check("notaffected <1.0", "not-affected <1.0")
	check("unchecked 0.9", "unchecked 0.9")
	check("not-checked 0.9", "unchecked 0.9")
	check("Unchecked CLEAR", "unchecked clear")

	check("type CWE-79", "type CWE-79")
	check("type cwe-079 cross-site scripting", "type CWE-79 cross-site scripting")
	check("type CWE-787: out-of-bounds write", "type CWE-787 out-of-bounds write")
	check("type use after free", "type use after free")
	check("type clear", "type clear")

	check("impact A remote attacker can crash the server.", "impact A remote attacker can crash the server.")
	check("impact clear", "impact clear")
	check("impact <<END\nclear\nEND", "impact <<END\nclear\nEND")
	check("severity moderate", "severity medium")
	check("severity Important", "severity high")
	check("severity none", "severity none")
	check("severity low", "severity low")
	check("severity critical cvss:3.1/av:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		"severity critical CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
	check("severity high CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:amber",
		"severity high CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:Amber")
	check("severity CVSS:4.0/VC:H/AV:N/AC:L/AT:N/PR:N/UI:N/VI:H/VA:H/SC:N/SI:N/SA:N",
		"severity critical CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
	check("severity cvss:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
		"severity medium CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N")
	check("severity clear", "severity clear")

	check("vuln 2", "vuln 2")
	check("Vuln #3", "vuln 3")
	check("vuln ADD", "vuln add")
	check("vuln drop 2.", "vuln drop 2")

	check("cve cve-2026-12345", "cve CVE-2026-12345")
	check("cve request", "cve request")
	check("CVE Request", "cve request")
	check("cve clear", "cve clear")
	check("cve CVE-2026-123456789", "cve CVE-2026-123456789") // the longest number atoi reads

	check("crd 2026-12-01", "crd 2026-12-01 14:00 UTC")
	check("crd 2026-12-01 09:30", "crd 2026-12-01 09:30 UTC")
	check("crd 2026-12-01 9:30 utc", "crd 2026-12-01 09:30 UTC")
	check("crd 2026-12-01 14:00 Europe/Berlin", "crd 2026-12-01 14:00 Europe/Berlin")
	check("crd 2026-12-01 Europe/Berlin", "crd 2026-12-01 14:00 Europe/Berlin")
	check("crd 2026-12-01 14:00 +02:00", "crd 2026-12-01 14:00 +02:00")
	check("crd 2026-12-01 14:00 -0530", "crd 2026-12-01 14:00 -05:30")
	check("crd 2026-12-01 14:00 +00:00", "crd 2026-12-01 14:00 UTC")
	check("crd 2026-12-01 14:00 UTC force", "crd 2026-12-01 14:00 UTC force")
	check("crd 2027-12-01 FORCE", "crd 2027-12-01 14:00 UTC force")
	check("crd clear", "crd clear")

	check("mitigation Only exposed with frob=on.", "mitigation Only exposed with frob=on.")
	check("workaround <<X\nSet frob=off.\nX", "workaround Set frob=off.")
	check("workaround clear", "workaround clear")

	check("credit Jane Doe", "credit Jane Doe as finder")
	check("credit Jane Doe <jane@example.org> as reporter", "credit Jane Doe <jane@example.org> as reporter")
	check("credit Jane Doe as Remediation Developer", "credit Jane Doe as remediation-developer")
	check("credit OSS-Fuzz as tool", "credit OSS-Fuzz as tool")
	check("credit Doe, Jane <jane@example.org> as remediation_reviewer",
		"credit Doe, Jane <jane@example.org> as remediation-reviewer")
	check("credit clear", "credit clear")

	check("reporter jane@example.org", "reporter jane@example.org")
	check("reporter Jane <jane@example.org>", "reporter Jane <jane@example.org>")
	check("reporter <jane@example.org>", "reporter jane@example.org")

	check("branch 1.4 1.4.3", "branch 1.4 1.4.3")
	check("branch release/2.x v2.0.7", "branch release/2.x v2.0.7")

	check("accept", "accept")
	check("reject not a vulnerability: needs local root", "reject not a vulnerability: needs local root")
	check("duplicate sec-2026-0001", "duplicate SEC-2026-0001")
	check("close\nreopen\nstatus\nreply", "close", "reopen", "status", "reply")
	check("patch", "patch")
	check("patch drop 0001-fix-frob.patch", "patch drop 0001-fix-frob.patch")
	check("Patch DROP x.diff", "patch drop x.diff")
	check("notify debian redhat", "notify debian redhat")
	check("notify Debian, suse,debian  distros.list", "notify debian suse distros.list")
	check("send\nprenotify\nadvisory\npublish\npublish now\nhold",
		"send", "prenotify", "advisory", "publish", "publish now", "hold")
}

func TestParseFields(t *testing.T) {
	r := Parse("credit Jane Doe <jane@example.org> as reporter\nreporter Joe <joe@example.org>\naffected >1.0 <=1.4\nseverity important\ncrd 2026-12-01 10:00 Europe/Berlin force\n")
	if len(r.Errors) > 0 || len(r.Commands) != 5 {
		t.Fatalf("got %v, errors %v", canon(r.Commands), r.Errors)
	}
	c := r.Commands
	if got, want := *c[0].Credit, (Credit{Name: "Jane Doe", Address: "jane@example.org", Kind: "reporter"}); got != want {
		t.Errorf("credit: got %+v, want %+v", got, want)
	}
	if c[1].Name != "Joe" || c[1].Address != "joe@example.org" {
		t.Errorf("reporter: got %q %q", c[1].Name, c[1].Address)
	}
	if got, want := c[2].Ranges, (VersionRange{After: "1.0", LastAffected: "1.4"}); len(got) != 1 || got[0] != want {
		t.Errorf("ranges: got %+v", got)
	}
	if c[3].Severity != "high" {
		t.Errorf("severity: got %q", c[3].Severity)
	}
	want := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) // CET is UTC+1 in December
	if !c[4].CRD.Equal(want) || !c[4].Force || c[4].Line != 5 || c[4].Raw != "crd 2026-12-01 10:00 Europe/Berlin force" {
		t.Errorf("crd: got %+v", c[4])
	}
}

func TestParseErrors(t *testing.T) {
	check := func(body string, line int, want string) {
		t.Helper()
		r := Parse(body)
		if len(r.Errors) != 1 {
			t.Errorf("Parse(%q): want one error, got %v (commands %q)", body, r.Errors, canon(r.Commands))
			return
		}
		e := r.Errors[0]
		if e.Line != line || !strings.Contains(e.Error(), want) {
			t.Errorf("Parse(%q): got %q, want line %d and %q", body, e.Error(), line, want)
		}
	}
	check("tilte foo", 1, `unknown command "tilte"; did you mean "title"?`)
	check("accept\nacept", 2, `did you mean "accept"?`)
	check("hodl", 1, `did you mean "hold"?`)
	check("accept\nfrobnicate now", 2, `unknown command "frobnicate"`)
	check("tilte with argument", 1, `did you mean "title"?`)
	// Two edits reach a keyword of five letters or more, one a shorter
	// one; of equally close keywords the first in sort order is offered,
	// whichever the table or the map yields first.
	check("cxxse", 1, `did you mean "close"?`)
	check("naffected", 1, `did you mean "affected"?`)
	check("cvd", 1, `did you mean "crd"?`)
	check("title", 1, "missing argument")
	check("title <<END\nx\nEND", 1, "title takes no heredoc value")
	check("accept now", 1, "accept takes no argument")
	check("reject", 1, "missing argument")
	check("reject <<END\n\n  \nEND", 1, "reject needs text")

	check("affected", 1, "affected needs versions")
	check("affected 1.0,,2.0", 1, "empty item")
	check("affected 1.0 2.0", 1, "separate versions with commas")
	check("affected >=1.0 >=2.0", 1, "one lower and one upper")
	check("affected >=2.0 <1.0", 1, "empty")
	check("affected >=1.0 <1.0", 1, "empty")
	check("affected 2.0..1.0", 1, "empty")
	check("affected foo", 1, "must start with a digit")
	check("affected 1.0.", 1, `bad version "1.0."`)
	check("affected =1.0 <2.0", 1, "stands alone")
	check("affected 1.0 <2.0", 1, "expected <")

	check("type CWE-x", 1, "bad CWE id")
	check("type CWE-0", 1, "bad CWE id")
	check("severity urgent", 1, "bad severity")
	check("severity high CVSS:2.0/AV:N", 1, "want CVSS:3.1")
	check("severity high CVSS:3.1/AV:N/AC:L", 1, "base metric PR is not defined")
	check("severity high CVSS:3.1/AV:N/AV:N", 1, "given twice")
	check("severity high CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 1, "invalid metric value")
	check("severity high CVSS:3.1/XX:N", 1, "invalid metric abbreviation")
	check("severity CVSS:3.1/AV:N", 1, "not defined")
	check("vuln", 1, "want vuln N, vuln add or vuln drop N")
	check("vuln 0", 1, "bad vulnerability number")
	check("vuln -1", 1, "bad vulnerability number")
	check("vuln two", 1, "bad vulnerability number")
	check("vuln drop", 1, "bad vulnerability number")
	check("vuln drop 1 2", 1, "want vuln N")
	check("vuln add 2", 1, "want vuln N")
	check("severity high CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H extra", 1, `unexpected "extra"`)

	check("cve CVE-26-1234", 1, "want CVE-YYYY-NNNN")
	check("cve CVE-2026-123", 1, "four digits or more")
	check("cve CVE-1998-1234", 1, "year out of range")
	check("cve CVE-2101-1234", 1, "year out of range")
	check("cve CVE-2026-12a4", 1, "want CVE-YYYY-NNNN")
	check("cve 2026-1234", 1, "want CVE-YYYY-NNNN")
	check("cve CVE-2026-1234567890", 1, "want CVE-YYYY-NNNN")

	check("crd 2026-02-30", 1, `bad date "2026-02-30": day out of range`)
	check("crd 2026-13-01", 1, `line 1: "crd 2026-13-01": bad date "2026-13-01": month out of range`)
	check("crd 2026-1-01", 1, "want YYYY-MM-DD")
	check("crd 2026-12-01 24:00", 1, "bad time")
	check("crd 2026-12-01 12:60", 1, "bad time")
	check("crd 2026-12-01 12:00 Mars/Olympus", 1, "unknown time zone")
	check("crd 2026-12-01 12:00 Local", 1, "bad time zone")
	check("crd 2026-12-01 12:00 ../etc/passwd", 1, "bad time zone")
	check("crd 2026-12-01 12:00 +15:00", 1, "bad UTC offset")
	check("crd 2026-12-01 12:00 UTC tomorrow", 1, `unexpected "tomorrow"`)
	check("crd 2026-03-29 02:30 Europe/Berlin", 1, "does not exist")
	check("crd force", 1, "needs a date")
	check("crd", 1, "needs a date")

	check("credit <jane@example.org>", 1, "needs a name")
	check("credit Jane as boss", 1, `unknown credit kind "boss"`)
	check("credit Jane <jane> as finder", 1, "bad address")
	check("credit Jane <jane@example.org", 1, "write the address last")
	check("reporter Jane", 1, "bad address")
	check(`reporter <"a b"@example.org>`, 1, "bad address")
	check("reporter", 1, "needs an address")

	check("branch 1.4", 1, "want branch NAME FIXED-VERSION")
	check("branch -x 1.4.3", 1, "bad branch name")
	check("branch 1.4 next", 1, "must start with a digit")
	check("duplicate SEC-26-0001", 1, "bad case id")
	check("duplicate 1SEC-2026-0001", 1, "bad case id")
	check("duplicate", 1, "bad case id")
	check("patch drop", 1, "want patch")
	check("patch drop ../x", 1, "bad patch name")
	check("notify", 1, "needs one or more")
	check("notify deb/ian", 1, "bad contact id")
	check("publish later", 1, "publish now")

	check("title a\x00b", 1, "invalid character U+0000")
	check("title \xff", 1, "invalid UTF-8")
	check("impact <<END\nok\nbad\x1b[31m\nEND", 1, "invalid character U+001B")
	check("title "+strings.Repeat("x", MaxLineLen), 1, "line longer than")
	check("impact <<END\nnever ends\n", 1, "unterminated heredoc")
	check("affected "+strings.Repeat("1.0-1.1,", 110)+"1.0", 1, "when written in canonical form")
}

func TestErrorsKeepGoodCommands(t *testing.T) {
	r := Parse("title ok\ncrd 2026-02-30\nseverity high\nfoo\n")
	if got := canon(r.Commands); strings.Join(got, "|") != "title ok|severity high" {
		t.Errorf("commands: got %q", got)
	}
	if len(r.Errors) != 2 || r.Errors[0].Line != 2 || r.Errors[1].Line != 4 {
		t.Errorf("errors: got %v", r.Errors)
	}
	if err := r.Err(); err == nil || !errors.Is(err, ErrUnknownCommand) {
		t.Errorf("Err: got %v", err)
	}
	if Parse("title ok").Err() != nil {
		t.Errorf("Err of a clean result is not nil")
	}
}

func TestStop(t *testing.T) {
	check := func(body, stop string, ncmd int, rest string) {
		t.Helper()
		r := Parse(body)
		if r.Stop != stop || len(r.Commands) != ncmd || r.Rest != rest {
			t.Errorf("Parse(%q):\n got stop %q, %d commands %q, rest %q, errors %v\nwant stop %q, %d commands, rest %q",
				body, r.Stop, len(r.Commands), canon(r.Commands), r.Rest, r.Errors, stop, ncmd, rest)
		}
	}
	check("", StopEnd, 0, "")
	check("Hi all,\n\nI can reproduce it.\n\n> quoted\n", StopText, 0, "Hi all,\n\nI can reproduce it.")
	check("\n\nThanks for the report!\naccept\n", StopText, 0, "Thanks for the report!\naccept")
	check("# only a comment\n\nHi\n", StopBlank, 0, "Hi")
	check("\n\n  \naccept\n", StopEnd, 1, "")
	check("accept\n# a comment\n  # another\nclose", StopEnd, 2, "")
	check("accept\nthanks\nmore text", StopThanks, 1, "more text")
	check("accept\nThank you!\n", StopThanks, 1, "")
	check("accept\nTHANKS,\n", StopThanks, 1, "")
	check("accept\nquit\nclose", StopThanks, 1, "close")
	check("accept\nstop\n", StopThanks, 1, "")
	check("accept\n--\nclose", StopSignature, 1, "") // "-- " after clearsigning: a signature follows
	check("accept\n-- \nJane\n", StopSignature, 1, "")
	check("accept\n> quoted\n", StopQuote, 1, "")
	check("accept\n  > indented quote\n", StopQuote, 1, "")
	check("accept\nOn Mon, 1 Dec 2026, Jane <j@example.org> wrote:\n> hi\n", StopQuote, 1, "")
	check("accept\nOn Mon, 1 Dec 2026, Jane Doe\n<j@example.org> wrote:\n> hi\n", StopQuote, 1, "")
	check("accept\nJane Doe wrote:\n> hi\n", StopQuote, 1, "")
	check("accept\n-----Original Message-----\nFrom: x\n", StopQuote, 1, "")
	check("accept\n\nclose\n", StopEnd, 2, "")
	check("accept\n\n# comment\nclose\n", StopEnd, 2, "")
	check("reply\n\nHi Jane,\n\nwe confirmed it.\n\n\nOn Tue, Jane wrote:\n> report\n",
		StopBlank, 1, "Hi Jane,\n\nwe confirmed it.")
	check("reply\n\nHi Jane,\n-- \nsecurity team\n", StopBlank, 1, "Hi Jane,")
	check("reply\nthanks\n\n\nHi Jane,\n> quoted", StopThanks, 1, "Hi Jane,")
	check("accept\n\n> quoted", StopQuote, 1, "")
	check("accept\n\nthanks", StopThanks, 1, "")
	check("\n\nthanks\naccept", StopThanks, 0, "accept")
	check("accept\n\n\n", StopEnd, 1, "")
	// Heredoc content is verbatim: no stop rule applies inside.
	check("impact <<END\n> quoted\n-- \nthanks\n\nOn x wrote:\n--\nEND\nclose", StopEnd, 2, "")
}

// TestReplyEndsAtTheSignatureAsClearsigned: gpg --clearsign dash-escapes
// "-- " and the clearsign parser strips trailing blanks, so the signature
// separator arrives as "--"; the reply text must end there too.
func TestReplyEndsAtTheSignatureAsClearsigned(t *testing.T) {
	tests := []struct {
		name, body, stop, rest string
	}{
		{"clearsigned separator", "reply\n\nHi Jane,\nfixed.\n--\nMia\n", StopBlank, "Hi Jane,\nfixed."},
		{"standard separator", "reply\n\nHi Jane,\n-- \nMia\n", StopBlank, "Hi Jane,"},
		{"separator with more blanks", "reply\n\nHi Jane,\n--  \t\nMia\n", StopBlank, "Hi Jane,"},
		{"CRLF", "reply\r\n\r\nHi Jane,\r\n--\r\nMia\r\n", StopBlank, "Hi Jane,"},
		{"after a blank line", "reply\nthanks\nHi Jane,\n\n--\nMia\n\n> quoted\n", StopThanks, "Hi Jane,"},
		// "--" is the signature separator as clearsigning leaves it: what
		// follows it is never reply text, even right after the block.
		{"after a -- line", "reply\n--\nHi Jane,\n--\nMia\n", StopSignature, ""},
		{"right where the text starts", "reply\nthanks\n\n--\nMia\n", StopThanks, ""},
		{"three dashes are text", "reply\n\nHi Jane,\n---\nmore\n", StopBlank, "Hi Jane,\n---\nmore"},
		{"block runs into a clearsigned signature", "reply\n--\nMia\n", StopSignature, ""},
		{"block runs into a signature", "reply\n-- \nMia\n", StopSignature, ""},
		{"dashes and words are text", "reply\n\nHi Jane,\n-- x\n  --\nmore\n", StopBlank, "Hi Jane,\n-- x\n  --\nmore"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Parse(tc.body)
			if r.Stop != tc.stop || r.Rest != tc.rest || len(r.Commands) != 1 || len(r.Errors) != 0 {
				t.Errorf("Parse(%q): stop %q, rest %q, %d commands, errors %v; want stop %q, rest %q",
					tc.body, r.Stop, r.Rest, len(r.Commands), r.Errors, tc.stop, tc.rest)
			}
		})
	}
}

func TestBlankThenTypo(t *testing.T) {
	// A lone word close to a keyword after a blank line is reported, not
	// sent on as reply text: a mistyped hold must not pass unnoticed.
	r := Parse("crd 2026-12-01\n\nhodl\n")
	if r.Stop != StopEnd || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Error(), `did you mean "hold"`) {
		t.Errorf("got stop %q, errors %v", r.Stop, r.Errors)
	}
	// Prose is not.
	r = Parse("accept\n\nHi,\nthanks for the report.\n")
	if r.Stop != StopBlank || len(r.Errors) != 0 || r.Rest != "Hi,\nthanks for the report." {
		t.Errorf("got stop %q, errors %v, rest %q", r.Stop, r.Errors, r.Rest)
	}
}

func TestHeredoc(t *testing.T) {
	check := func(body, wantText string, wantStop string) {
		t.Helper()
		r := Parse(body)
		if len(r.Errors) > 0 || len(r.Commands) == 0 {
			t.Errorf("Parse(%q): errors %v", body, r.Errors)
			return
		}
		if got := r.Commands[0].Text; got != wantText || r.Stop != wantStop {
			t.Errorf("Parse(%q): got text %q stop %q, want %q %q", body, got, r.Stop, wantText, wantStop)
		}
	}
	check("impact <<END\nline one\n\n> not a quote\n-- \n  indented\nEND\n", "line one\n\n> not a quote\n-- \n  indented", StopEnd)
	check("impact << EOT_2\nx\nEOT_2   \nthanks", "x", StopThanks)
	check("mitigation <<END\nEND is not the marker\n END\nEND", "END is not the marker\n END", StopEnd)
	check("reject <<X\nout of scope\nX\n", "out of scope", StopEnd)
	check("impact <<END\r\na\r\n\r\nb\r\nEND\r\n", "a\n\nb", StopEnd)
	check("impact <<END\n\nleading blank\nEND", "\nleading blank", StopEnd)
	check("impact <<notamarker!\n", "<<notamarker!", StopEnd) // not a heredoc: plain text

	r := Parse("impact <<END\n" + strings.Repeat("x\n", MaxHeredocBytes) + "END\n")
	if r.Stop != StopLimit || len(r.Errors) != 1 || !errors.Is(r.Errors[0].Err, ErrHeredocTooLong) {
		t.Errorf("long heredoc: stop %q, errors %v", r.Stop, r.Errors)
	}
	r = Parse("title ok\nimpact <<END\nx\n> quoted\n")
	if r.Stop != StopEnd || len(r.Commands) != 1 || len(r.Errors) != 1 || r.Errors[0].Line != 2 ||
		!errors.Is(r.Errors[0].Err, ErrUnterminatedHeredoc) {
		t.Errorf("unterminated: stop %q, commands %q, errors %v", r.Stop, canon(r.Commands), r.Errors)
	}
	// An unknown keyword's heredoc is skipped whole, not read as commands.
	r = Parse("imapct <<END\naccept\nEND\nclose")
	if got := canon(r.Commands); len(r.Errors) != 1 || len(got) != 1 || got[0] != "close" {
		t.Errorf("unknown heredoc: commands %q, errors %v", got, r.Errors)
	}
}

func TestStringHeredoc(t *testing.T) {
	check := func(c Command, want string) {
		t.Helper()
		if got := c.String(); got != want {
			t.Errorf("String: got %q, want %q", got, want)
		}
	}
	check(Command{Kind: KindImpact, Text: "one line"}, "impact one line")
	check(Command{Kind: KindImpact, Text: "two\nlines"}, "impact <<END\ntwo\nlines\nEND")
	check(Command{Kind: KindImpact, Text: " padded"}, "impact <<END\n padded\nEND")
	check(Command{Kind: KindImpact, Text: "END\nEND1 \nx"}, "impact <<END2\nEND\nEND1 \nx\nEND2")
	check(Command{Kind: KindReject, Text: "<<END"}, "reject <<END\n<<END\nEND")
	long := strings.Repeat("x", MaxLineLen)
	check(Command{Kind: KindReject, Text: long}, "reject <<END\n"+long+"\nEND")
	fits := long[len("reject "):] // the line is MaxLineLen bytes
	check(Command{Kind: KindReject, Text: fits}, "reject "+fits)
}

func TestCaseInsensitive(t *testing.T) {
	a := canon(Parse("TITLE X\nAffected <1.0\nSEVERITY HIGH\nCVE cve-2026-0001\nCRD 2026-12-01 14:00 utc FORCE\nCREDIT J AS REPORTER\nDuplicate sec-2026-0001\nPUBLISH NOW\nPATCH DROP a\nNotify DEBIAN").Commands)
	b := canon(Parse("title X\naffected <1.0\nseverity high\ncve CVE-2026-0001\ncrd 2026-12-01 14:00 UTC force\ncredit J as reporter\nduplicate SEC-2026-0001\npublish now\npatch drop a\nnotify debian").Commands)
	if strings.Join(a, "|") != strings.Join(b, "|") || len(a) != 10 {
		t.Errorf("got\n%q\n%q", a, b)
	}
}

func TestCRLF(t *testing.T) {
	lf := "title X\nimpact <<END\na\n\nb\nEND\ncrd 2026-12-01\n\nHi, some text\n\n> quote\n"
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	a, b := Parse(lf), Parse(crlf)
	if strings.Join(canon(a.Commands), "|") != strings.Join(canon(b.Commands), "|") ||
		a.Rest != b.Rest || a.Stop != b.Stop || len(b.Errors) != 0 || b.Rest != "Hi, some text" {
		t.Errorf("LF: %q %q %q\nCRLF: %q %q %q %v", canon(a.Commands), a.Rest, a.Stop, canon(b.Commands), b.Rest, b.Stop, b.Errors)
	}
	if b.Commands[0].Raw != "title X" {
		t.Errorf("Raw keeps CR: %q", b.Commands[0].Raw)
	}
}

func TestMaxLines(t *testing.T) {
	body := strings.Repeat("status\n# comment\n", MaxLines) + "status\nclose\n"
	r := Parse(body)
	if len(r.Commands) != MaxLines || r.Stop != StopLimit || len(r.Errors) != 1 ||
		r.Errors[0].Line != 2*MaxLines+1 || !errors.Is(r.Errors[0].Err, ErrTooManyLines) {
		t.Errorf("got %d commands, stop %q, errors %v", len(r.Commands), r.Stop, r.Errors)
	}
	r = Parse(strings.Repeat("status\n", MaxLines))
	if len(r.Commands) != MaxLines || len(r.Errors) != 0 || r.Stop != StopEnd {
		t.Errorf("exactly MaxLines: got %d commands, stop %q, errors %v", len(r.Commands), r.Stop, r.Errors)
	}
}

func TestLargeBody(t *testing.T) {
	quoted := strings.Repeat("> some quoted text of a long thread\n", 300_000) // about 10 MB
	start := time.Now()
	r := Parse("accept\n\nOn Mon, x wrote:\n" + quoted)
	if r.Stop != StopQuote || len(r.Commands) != 1 {
		t.Errorf("got stop %q, %d commands", r.Stop, len(r.Commands))
	}
	r = Parse(strings.Repeat("x", 10<<20))
	if r.Stop != StopText || len(r.Rest) != 10<<20 {
		t.Errorf("one huge line of text: stop %q", r.Stop)
	}
	r = Parse("title " + strings.Repeat("x", 10<<20))
	if len(r.Errors) != 1 || !errors.Is(r.Errors[0].Err, ErrLineTooLong) || len(r.Errors[0].Error()) > 200 {
		t.Errorf("one huge line: errors %v", r.Errors)
	}
	r = Parse("accept\nclose " + strings.Repeat("\xc0é", 4<<20))
	if len(r.Errors) != 1 || !errors.Is(r.Errors[0].Err, ErrLineTooLong) {
		t.Errorf("huge invalid line: errors %v", r.Errors)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("parsing 32 MB took %v", d)
	}
}

func TestValidate(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	check := func(line string, wantErr error) {
		t.Helper()
		r := Parse(line)
		if len(r.Commands) != 1 {
			t.Fatalf("Parse(%q): %v", line, r.Errors)
		}
		if err := Validate(r.Commands[0], now); !errors.Is(err, wantErr) {
			t.Errorf("Validate(%q): got %v, want %v", line, err, wantErr)
		}
	}
	check("crd 2026-06-02", nil)
	check("crd 2026-06-01 13:00", nil)
	check("crd 2026-06-01 12:59", ErrCRDTooSoon)
	check("crd 2026-06-01 14:30 +02:00", ErrCRDTooSoon) // 12:30 UTC
	check("crd 2026-05-01", ErrCRDTooSoon)
	check("crd 2026-05-01 force", ErrCRDTooSoon)
	check("crd 2027-06-01", nil)
	check("crd 2027-06-03", ErrCRDTooFar)
	check("crd 2027-06-03 force", nil)
	check("crd clear", nil)
	check("title x", nil)
}

func TestAllOrNothing(t *testing.T) {
	for _, k := range []Kind{KindReject, KindDuplicate, KindClose, KindPublish, KindAccept, KindSend, KindPrenotify, KindCVERequest} {
		if !AllOrNothing(k) {
			t.Errorf("AllOrNothing(%s) = false", k)
		}
	}
	for _, k := range []Kind{KindTitle, KindCRD, KindStatus, KindHold, KindAdvisory, KindAffected} {
		if AllOrNothing(k) {
			t.Errorf("AllOrNothing(%s) = true", k)
		}
	}
}

func TestEveryKeywordHasKind(t *testing.T) {
	// Every keyword parses to a kind whose String starts with a keyword
	// that maps back to it.
	for _, kw := range keywordNames() {
		k, _ := lookup(kw)
		c := Command{Kind: k.kind}
		first := strings.Fields(c.String())[0]
		if back, _ := lookup(first); back.kind != k.kind && k.kind != KindCVERequest {
			t.Errorf("keyword %q: String %q does not lead back", kw, c.String())
		}
	}
}

func TestLineError(t *testing.T) {
	e := LineError{Line: 3, Raw: "crd 2026-13-01", Err: errors.New("bad date")}
	if got, want := e.Error(), `line 3: "crd 2026-13-01": bad date`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e.Raw = strings.Repeat("é", 100)
	if got := e.Error(); !strings.Contains(got, `é..."`) || len(got) > 120 {
		t.Errorf("long raw: got %q", got)
	}
}

// TestShorten cuts at most n bytes, never inside a rune, and survives a
// string of nothing but continuation bytes (a raw line of invalid UTF-8).
func TestShorten(t *testing.T) {
	for _, tc := range []struct{ s, want string }{
		{"abc", "abc"},
		{"abcd", "abc..."},
		{"abé", "ab..."},            // byte 3, the first cut off, is inside é
		{"aéb", "aé..."},            // byte 3 starts a rune
		{"\x80\x80\x80\x80", "..."}, // no rune starts at or before byte 3
	} {
		if got := shorten(tc.s, 3); got != tc.want {
			t.Errorf("shorten(%q, 3) = %q, want %q", tc.s, got, tc.want)
		}
	}
}

// TestParseKeepsComments: the block's comment lines are kept (a case pin
// is read from them); heredoc content and text after the block are not
// comments.
func TestParseKeepsComments(t *testing.T) {
	r := Parse("# SEC-2026-0001\r\ntitle x\r\n  #  second\r\nimpact <<END\r\n# content\r\nEND\r\nthanks\r\n# after the block\r\n")
	want := []string{"# SEC-2026-0001", "#  second"}
	if !slices.Equal(r.Comments, want) {
		t.Errorf("comments %q, want %q", r.Comments, want)
	}
}
