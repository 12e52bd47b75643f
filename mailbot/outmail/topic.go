package outmail

import (
	"regexp"
	"strings"
)

// replyPrefix is a reply or forward marker as clients write them, in
// English and in the common European forms (AW/WG German, SV Nordic,
// VS Finnish, Antw Dutch), with an optional counter (Re[2]:).
var replyPrefix = regexp.MustCompile(`(?i)^(re|fwd?|aw|wg|sv|vs|antw)(\[\d+\])?\s*:\s*`)

// placeholders are the subjects clients show instead of a hidden one:
// secbot's own, and those of Thunderbird, neomutt and others.
var placeholders = map[string]bool{"": true, "encrypted message": true, "...": true, "…": true,
	"[...]": true, "encrypted subject": true}

// Topic is the subject a mail answers, as secbot's own subject shows it
// after its single case tag: the Re:/Fwd: chain at the front and every
// tag of case caseID are gone, and spaces are collapsed. It is "" when
// what is left is a placeholder for a hidden subject ("encrypted
// message", "..."): the caller then names the case's own subject.
func Topic(subject, caseID string) string {
	s := removeFold(subject, "["+caseID+"]")
	for {
		s = strings.TrimSpace(s)
		rest := replyPrefix.ReplaceAllString(s, "")
		if rest == s {
			break
		}
		s = rest
	}
	s = strings.Join(strings.Fields(s), " ")
	if placeholders[strings.ToLower(s)] {
		return ""
	}
	return s
}

// removeFold removes every occurrence of sub from s, in any letter case.
func removeFold(s, sub string) string {
	lower, lsub := strings.ToLower(s), strings.ToLower(sub)
	var b strings.Builder
	for {
		i := strings.Index(lower, lsub)
		if i < 0 || len(lower) != len(s) {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s, lower = s[i+len(sub):], lower[i+len(sub):]
	}
}

// topicOr is Topic, or the topic of the case's own subject when the mail's
// subject says nothing, or "(no subject)".
func topicOr(subject, caseSubject, caseID string) string {
	if t := Topic(subject, caseID); t != "" {
		return t
	}
	if t := Topic(caseSubject, caseID); t != "" {
		return t
	}
	return "(no subject)"
}
