package command

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// keyword describes how one keyword parses.
type keyword struct {
	kind    Kind
	parse   func(c *Command, arg string) error
	heredoc bool // the value may be given as a heredoc
}

// actions maps the keywords of the commands that are no advisory field,
// lower-cased, to their parsers. The field keywords are in Fields.
var actions = map[string]keyword{
	"reporter":     {KindReporter, parseReporter, false},
	"reporter-key": {KindReporterKey, parseReporterKey, false},
	"accept":       {KindAccept, noArgument, false},
	"reject":       {KindReject, parseReason, true},
	"duplicate":    {KindDuplicate, parseDuplicate, false},
	"close":        {KindClose, noArgument, false},
	"reopen":       {KindReopen, noArgument, false},
	"status":       {KindStatus, noArgument, false},
	"reply":        {KindReply, noArgument, false},
	"patch":        {KindPatch, parsePatch, false},
	"notify":       {KindNotify, parseNotify, false},
	"send":         {KindSend, noArgument, false},
	"prenotify":    {KindPrenotify, noArgument, false},
	"advisory":     {KindAdvisory, noArgument, false},
	"publish":      {KindPublish, parsePublish, false},
	"hold":         {KindHold, noArgument, false},
	"tell":         {KindTell, parseTell, false},
	"share":        {KindShare, parseShare, false},
	"vuln":         {KindVuln, parseVuln, false},
}

// suggest returns the keyword closest to an unknown word, or "" when none
// is close: within edit distance 1 for keywords under five letters, 2
// otherwise, so that short prose words do not look like typos. Of equally
// close keywords it takes the first in sort order, so that suggestions do
// not depend on map order.
func suggest(word string) string {
	if len(word) > 20 {
		return ""
	}
	best, bestDist := "", 3
	try := func(k string) {
		max := 2
		if len(k) < 5 {
			max = 1
		}
		if d := editDistance(word, k); d <= max && (d < bestDist || d == bestDist && k < best) {
			best, bestDist = k, d
		}
	}
	for _, f := range Fields {
		try(string(f.Kind))
		for _, a := range f.Aliases {
			try(a)
		}
	}
	for k := range actions {
		try(k)
	}
	return best
}

// editDistance is the optimal string alignment distance: Levenshtein with
// transposition of neighbours, so "hodl" is one edit from "hold".
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

func noArgument(c *Command, arg string) error {
	if arg != "" {
		return fmt.Errorf("%s takes no argument", c.Kind)
	}
	return nil
}

func isClear(arg string) bool { return strings.EqualFold(arg, "clear") }

// parseLine parses a SyntaxLine field (title): one line of text, where
// "clear" is text too.
func parseLine(c *Command, arg string) error {
	return setText(c, arg, false)
}

// parseClearableText parses a SyntaxText field (impact, mitigation,
// workaround): text, or "clear". A heredoc value is always text, even when it reads "clear".
func parseClearableText(c *Command, arg string) error {
	if isClear(arg) {
		c.Clear = true
		return nil
	}
	return setText(c, arg, false)
}

func parseReason(c *Command, arg string) error {
	return setText(c, arg, false)
}

// setText sets c.Text: a trimmed single line, or a verbatim heredoc value.
func setText(c *Command, s string, heredoc bool) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("%w: %s needs text", ErrMissingArgument, c.Kind)
	}
	if heredoc {
		for _, l := range strings.Split(s, "\n") {
			if err := checkChars(l); err != nil {
				return err
			}
		}
	}
	c.Text = s
	return nil
}

// checkChars refuses invalid UTF-8 and control characters other than tab.
// Values end up in mail headers, advisories and terminal transcripts.
func checkChars(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: invalid UTF-8", ErrBadCharacter)
	}
	for _, r := range s {
		switch {
		case r < 0x20 && r != '\t', r == 0x7f, r >= 0x80 && r < 0xa0:
			return fmt.Errorf("%w %U", ErrBadCharacter, r)
		case r == '\u2028' || r == '\u2029':
			return fmt.Errorf("%w %U", ErrBadCharacter, r)
		}
	}
	return nil
}
