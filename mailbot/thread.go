package mailbot

import (
	"regexp"
	"strings"
)

// Threader finds the case a message belongs to. Its lookups are passed
// in, so that the rules can be tested and fuzzed without a store.
type Threader struct {
	Prefix string // case id prefix, such as SEC
	Local  string // local part of the robot address, such as security
	Domain string // domain of the robot address
	// ByMessageID returns the case a Message-ID is indexed under.
	ByMessageID func(id string) (string, bool)
	// Exists reports whether a case id exists.
	Exists func(id string) bool

	tag *regexp.Regexp
}

// Thread-join reasons: how Find found the case (logged at debug level).
const (
	JoinReference = "references"
	JoinPlus      = "plus-address"
	JoinSubject   = "subject-tag"
)

func (t *Threader) tagRE() *regexp.Regexp {
	if t.tag == nil {
		t.tag = regexp.MustCompile(`(?i)\[(` + regexp.QuoteMeta(t.Prefix) + `-\d{4}-\d{4,6})\]`)
	}
	return t.tag
}

// Find returns the existing case env belongs to and how it was found, or
// "" for a new case. The order is strongest evidence first: a reference to
// a message already in a case, then the plus address, then the subject tag.
func (t *Threader) Find(env *Envelope) (caseID, how string) {
	refs := append(append([]string{}, env.InReplyTo...), reverse(env.References)...)
	for _, id := range refs {
		if c, ok := t.ByMessageID(id); ok && c != "" {
			return c, JoinReference
		}
	}
	for _, rcpt := range env.Recipients {
		if c := t.plusCase(rcpt); c != "" && t.Exists(c) {
			return c, JoinPlus
		}
	}
	for _, m := range t.tagRE().FindAllStringSubmatch(env.Subject, 4) {
		if c := strings.ToUpper(m[1]); t.Exists(c) {
			return c, JoinSubject
		}
	}
	return "", ""
}

// plusCase returns the case id in security+SEC-2026-0001@domain, or "".
func (t *Threader) plusCase(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || !strings.EqualFold(addr[at+1:], t.Domain) {
		return ""
	}
	local, tag, ok := strings.Cut(addr[:at], "+")
	if !ok || !strings.EqualFold(local, t.Local) {
		return ""
	}
	tag = strings.ToUpper(tag)
	if !strings.HasPrefix(tag, strings.ToUpper(t.Prefix)+"-") {
		return ""
	}
	return tag
}

func reverse(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
