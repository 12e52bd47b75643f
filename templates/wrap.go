package templates

import (
	"regexp"
	"strings"
)

// Width is the column mail text is wrapped at. RFC 5322 section 2.1.1
// asks for lines of at most 78 characters; 72 leaves room for a level or
// two of "> " quoting in a reply.
const Width = 72

// slack is how far past the width a line may run and be kept as it is
// (to 78 columns for Width): an aligned row is not broken for a few
// characters.
const slack = 6

// hanging is what a continuation line is indented under: a bullet
// ("- ", "* ", "1. ") or a short label ("Reason: ", "error: ",
// "Last reply: ") at the start of a line.
var hanging = regexp.MustCompile(`^(?:[-*] |\d{1,2}\. |[A-Za-z][A-Za-z ()-]{0,22}: +)`)

// Wrap wraps every line of text longer than width (and its slack) at
// spaces, to width. A line keeps
// its indentation, and its continuation lines are indented under its
// bullet or label. A word longer than the width (a URL, a token) goes on
// a line of its own, unbroken. A line quoted with ">" (quoted text, a
// server's reply) or indented with a tab (code) is left as it is.
func Wrap(text string, width int) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		lines[i] = wrapLine(line, width)
	}
	return strings.Join(lines, "\n")
}

func wrapLine(line string, width int) string {
	if len(line) <= width+slack || strings.HasPrefix(strings.TrimLeft(line, " "), ">") || strings.HasPrefix(line, "\t") {
		return line
	}
	rest := strings.TrimLeft(line, " ")
	indent := line[:len(line)-len(rest)]
	head := hanging.FindString(rest) // kept as written: its spaces align
	cont := indent + strings.Repeat(" ", len(head))
	if len(cont) > width/2 {
		cont = indent
	}
	var b strings.Builder
	b.WriteString(indent + head)
	col := len(indent) + len(head)
	for i, word := range strings.Fields(rest[len(head):]) {
		switch {
		case i == 0 && head != "" && col+len(word) > width+slack:
			// A word too long for the label's line (a URL) goes on its own.
			b.Reset()
			b.WriteString(indent + strings.TrimRight(head, " ") + "\n" + cont + word)
			col = len(cont) + len(word)
		case i == 0:
			b.WriteString(word)
			col += len(word)
		case col+1+len(word) > width:
			b.WriteString("\n" + cont + word)
			col = len(cont) + len(word)
		default:
			b.WriteString(" " + word)
			col += 1 + len(word)
		}
	}
	return b.String()
}
