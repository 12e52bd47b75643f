package command

import (
	"fmt"
	"strings"
)

// Parse reads the command block at the top of a reply body. It never fails
// as a whole: commands that parse are in Result.Commands, lines that do not
// are in Result.Errors. Bodies may use CRLF or LF line endings. Only the
// block (and, for Rest, the text up to the first quoted line) is looked at.
func Parse(body string) Result {
	p := &parser{src: body}
	p.run()
	return p.res
}

type parser struct {
	src  string
	pos  int // offset of the next line in src
	line int // number of lines read so far
	ncmd int // command lines seen, for MaxLines
	res  Result
}

// next returns the next line without its line ending.
func (p *parser) next() (string, bool) {
	if p.pos >= len(p.src) {
		return "", false
	}
	rest := p.src[p.pos:]
	l := rest
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		l = rest[:i]
		p.pos += i + 1
	} else {
		p.pos = len(p.src)
	}
	p.line++
	// All carriage returns go, not only one: a lone CR is no line break
	// we honour, and a stray one must not survive into a heredoc value.
	return strings.TrimRight(l, "\r"), true
}

// peek returns the line after the current one without consuming it.
func (p *parser) peek() string {
	pos, line := p.pos, p.line
	l, _ := p.next()
	p.pos, p.line = pos, line
	return l
}

func (p *parser) run() {
	begun := false      // a non-blank line of the block was seen
	afterBlank := false // and blank lines followed it
	for p.res.Stop == "" {
		start := p.pos
		l, ok := p.next()
		switch {
		case !ok:
			p.res.Stop = StopEnd
		case isBlank(l):
			afterBlank = begun
		case p.ends(l, start, begun, afterBlank):
		default:
			begun, afterBlank = true, false
			if isComment(l) {
				p.res.Comments = append(p.res.Comments, strings.TrimSpace(l))
			} else {
				p.command(l)
			}
		}
	}
}

// ends reports whether the line l, which starts at offset start, ends the
// block; if so it records why, and the text that follows for Rest.
func (p *parser) ends(l string, start int, begun, afterBlank bool) bool {
	stop, restFrom := p.stopLine(l), -1
	switch {
	case stop == StopThanks:
		restFrom = p.pos // the text after the stop line
	case stop != "":
	case !begun && !continuesBlock(l, true):
		stop, restFrom = StopText, start
	case afterBlank && !continuesBlock(l, false):
		stop, restFrom = StopBlank, start
	default:
		return false
	}
	p.res.Stop = stop
	if restFrom >= 0 {
		p.res.Rest = p.rest(restFrom)
	}
	return true
}

// stopLine reports whether l ends the block, and why.
func (p *parser) stopLine(l string) string {
	if isSignatureSeparator(l) {
		// "-- " (RFC 3676 section 4.3), or "--" as clearsigning leaves
		// it: the two cannot be told apart, so neither is a stop line
		// that reply text may follow. What comes after is a signature.
		return StopSignature
	}
	if isQuoteStart(l, p.peek()) {
		return StopQuote
	}
	t := strings.TrimRight(strings.TrimSpace(l), ".,!")
	for _, w := range []string{"thanks", "thank you", "quit", "stop"} {
		if strings.EqualFold(t, w) {
			return StopThanks
		}
	}
	return ""
}

// isQuoteStart reports whether l starts quoted text: a quoted line, an
// attribution line ("On <date>, <who> wrote:", possibly wrapped onto the
// next line), or Outlook's "-----Original Message-----". It looks at the
// ends of the lines only, so that a huge line costs no more than a short one.
func isQuoteStart(l, next string) bool {
	t := strings.TrimSpace(l)
	if strings.HasPrefix(t, ">") || hasPrefixFold(t, "-----original message") {
		return true
	}
	wrote := func(s string) bool { return hasSuffixFold(strings.TrimSpace(s), "wrote:") }
	if hasPrefixFold(t, "on ") && (wrote(t) || wrote(next)) {
		return true
	}
	return wrote(t) && strings.HasPrefix(strings.TrimSpace(next), ">")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// continuesBlock reports whether a line belongs to the block when it is
// the first line (first) or follows a blank line: a comment, a known
// keyword, or a typo of one, which is then reported rather than passed on
// as text (a mistyped hold must not go unnoticed). After a blank line only
// a lone word counts as a typo; prose often follows the commands there.
func continuesBlock(l string, first bool) bool {
	if isComment(l) {
		return true
	}
	kw, arg := splitKeyword(l)
	if _, ok := lookup(kw); ok {
		return true
	}
	return (first || arg == "") && suggest(kw) != ""
}

// rest returns the text from offset pos up to the first quoted line,
// attribution or signature separator, without leading and trailing blank
// lines, with LF line endings.
func (p *parser) rest(pos int) string {
	q := &parser{src: p.src, pos: pos}
	var lines []string
	for {
		l, ok := q.next()
		if !ok || isSignatureSeparator(l) || isQuoteStart(l, q.peek()) {
			break
		}
		if len(lines) == 0 && isBlank(l) {
			continue
		}
		lines = append(lines, l)
	}
	for len(lines) > 0 && isBlank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

// isSignatureSeparator reports whether l ends the reply text as a
// signature separator: "-- " (RFC 3676 section 4.3), or "--" alone with or
// without other trailing blanks. A clearsigned mail never shows "-- ": gpg
// dash-escapes it as "- -- ", and the clearsign parser strips trailing
// blanks from every line, so it arrives as "--". The two cannot be told
// apart, so a line "--" ends the reply text in every form of mail.
func isSignatureSeparator(l string) bool {
	return strings.TrimRight(l, " \t") == "--"
}

// command parses one command line, with its heredoc if it has one.
func (p *parser) command(l string) {
	lineNo := p.line
	fail := func(err error) {
		p.res.Errors = append(p.res.Errors, LineError{Line: lineNo, Raw: l, Err: err})
	}
	p.ncmd++
	if p.ncmd > MaxLines {
		fail(ErrTooManyLines)
		p.res.Stop = StopLimit
		return
	}
	if len(l) > MaxLineLen {
		fail(ErrLineTooLong)
		return
	}
	kw, arg := splitKeyword(l)
	var doc *string
	if marker, ok := heredocMarker(arg); ok {
		text, err := p.heredoc(marker)
		if err != nil {
			fail(err)
			p.res.Stop = StopEnd
			if err == ErrHeredocTooLong {
				p.res.Stop = StopLimit
			}
			return
		}
		doc = &text
	}
	c, err := parseCommand(kw, arg, doc)
	if err != nil {
		fail(err)
		return
	}
	c.Line, c.Raw = lineNo, l
	p.res.Commands = append(p.res.Commands, c)
}

// heredoc reads lines up to the marker line. The content is verbatim; the
// marker line may carry trailing blanks, which some mailers add.
func (p *parser) heredoc(marker string) (string, error) {
	var b strings.Builder
	for n := 0; ; n++ {
		l, ok := p.next()
		if !ok {
			return "", ErrUnterminatedHeredoc
		}
		if strings.TrimRight(l, " \t") == marker {
			return b.String(), nil
		}
		if n > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
		if b.Len() > MaxHeredocBytes {
			return "", ErrHeredocTooLong
		}
	}
}

// heredocMarker reports whether arg opens a heredoc, "<<END" or "<< END",
// and returns the marker word.
func heredocMarker(arg string) (string, bool) {
	rest, ok := strings.CutPrefix(arg, "<<")
	if !ok {
		return "", false
	}
	m := strings.TrimLeft(rest, " \t")
	if m == "" || len(m) > 32 {
		return "", false
	}
	for _, r := range m {
		if !isWordRune(r) {
			return "", false
		}
	}
	return m, true
}

func isWordRune(r rune) bool {
	return r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// splitKeyword splits a command line into its lower-cased keyword, without
// a trailing colon ("Title: x" works), and the trimmed argument.
func splitKeyword(l string) (kw, arg string) {
	l = strings.TrimSpace(l)
	kw, arg = l, ""
	if i := strings.IndexAny(l, " \t"); i >= 0 {
		kw, arg = l[:i], strings.TrimSpace(l[i+1:])
	}
	if len(kw) > 64 {
		return kw, arg // no keyword is this long; spare the work
	}
	return strings.ToLower(strings.TrimSuffix(kw, ":")), arg
}

func isBlank(l string) bool { return strings.TrimSpace(l) == "" }

func isComment(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "#") }

// parseCommand parses a keyword and its argument; doc is the heredoc value
// when the line opened one.
func parseCommand(kw, arg string, doc *string) (Command, error) {
	k, ok := lookup(kw)
	if !ok {
		if s := suggest(kw); s != "" {
			return Command{}, fmt.Errorf("%w %q; did you mean %q?", ErrUnknownCommand, kw, s)
		}
		return Command{}, fmt.Errorf("%w %q", ErrUnknownCommand, kw)
	}
	c := Command{Kind: k.kind}
	if doc != nil {
		if !k.heredoc {
			return c, fmt.Errorf("%s takes no heredoc value", kw)
		}
		return c, setText(&c, *doc, true)
	}
	if err := checkChars(arg); err != nil {
		return c, err
	}
	if err := k.parse(&c, arg); err != nil {
		return c, err
	}
	// Normalising can lengthen a line ("1.0-1.4.1" becomes ">=1.0
	// <=1.4.1"); refuse what could not be written back within the limit.
	if first, _, _ := strings.Cut(c.String(), "\n"); len(first) > MaxLineLen {
		return c, fmt.Errorf("%w when written in canonical form", ErrLineTooLong)
	}
	return c, nil
}

// words splits s at spaces and tabs, the separators of command arguments.
// (strings.Fields would also split at no-break spaces, which cutWords and
// splitKeyword do not.)
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' })
}
