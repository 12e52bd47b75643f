package command

import (
	"strconv"
	"strings"
)

// String returns the command in canonical form, such that Parse of it
// yields an equal command: keywords in their main spelling, values
// normalised, defaults written out (the credit kind), and text that would
// not survive a single line (several lines, outer blanks, the word clear)
// written as a heredoc.
func (c Command) String() string {
	kw := string(c.Kind)
	if c.Clear {
		return kw + " clear"
	}
	if f, ok := FieldOf(c.Kind); ok {
		return f.format(c)
	}
	switch c.Kind {
	case KindReject:
		return textForm(kw, c.Text)
	case KindCVERequest:
		return "cve request"
	case KindReporter:
		if c.Name == "" {
			return kw + " " + c.Address
		}
		return joinWords(kw, c.Name, angle(c.Address))
	case KindReporterKey:
		return formatReporterKey(c)
	case KindDuplicate:
		return kw + " " + c.CaseID
	case KindShare:
		s := kw
		if c.Plain {
			s += " plain"
		}
		if c.WithPatches {
			s += " with patches"
		}
		return s
	case KindTell:
		if len(c.IDs) == 0 {
			return kw + " all"
		}
		return joinWords(kw, strings.Join(c.IDs, " "))
	case KindNotify:
		return joinWords(kw, strings.Join(c.IDs, " "))
	case KindPatch:
		if c.Drop != "" {
			return kw + " drop " + c.Drop
		}
	case KindVuln:
		return formatVuln(c)
	case KindPublish:
		if c.Now {
			return kw + " now"
		}
	}
	return kw
}

// textForm writes a text value on the command line when it survives that
// unchanged, and as a heredoc otherwise.
func textForm(kw, text string) string {
	if text != "" && !strings.ContainsAny(text, "\n\r") && text == strings.TrimSpace(text) &&
		!isClear(text) && !strings.HasPrefix(text, "<<") && len(kw)+1+len(text) <= MaxLineLen {
		return kw + " " + text
	}
	marker := "END"
	for i := 1; hasLine(text, marker); i++ {
		marker = "END" + strconv.Itoa(i)
	}
	return kw + " <<" + marker + "\n" + text + "\n" + marker
}

// hasLine reports whether a line of text would end a heredoc with marker.
func hasLine(text, marker string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimRight(l, " \t\r") == marker {
			return true
		}
	}
	return false
}

func angle(addr string) string {
	if addr == "" {
		return ""
	}
	return "<" + addr + ">"
}

// joinWords joins the non-empty words with spaces.
func joinWords(words ...string) string {
	var out []string
	for _, w := range words {
		if w != "" {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}
