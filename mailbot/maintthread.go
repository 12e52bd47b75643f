package mailbot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// maintainerThread threads a maintainer's mail on a case where that
// maintainer reads the case. Maintainers never get the reporter's mail
// or the acknowledgement, only copies made for them: so every mail a
// maintainer gets about a case references, first, the first relay of
// the case that maintainer got (the root of the case's thread in their
// mailbox), and the copies made for them of the relays and transcripts
// the answered mail names. RFC 5322 section 3.6.4: References lists the
// ancestors, root first.
type maintainerThread struct {
	tx     *store.Tx
	domain string
	// first is the case's first message, whose relay is the root; 0 when
	// the case is not stored yet (a notice in the transaction that opens
	// it), and the mail is left as it is.
	first uint64
}

func (b *Bot) maintainerThread(tx *store.Tx, caseID string) maintainerThread {
	mt := maintainerThread{tx: tx, domain: b.cfg.Robot.Domain}
	if caseID == "" {
		return mt
	}
	if c, err := tx.Case(caseID); err == nil && len(c.Messages) > 0 {
		mt.first = c.Messages[0]
	}
	return mt
}

// relayTag is the tag of the relays of message msg; relayTag.N is the
// Message-ID (before the domain) of maintainer N's copy.
func relayTag(msg uint64) string { return fmt.Sprintf("relay.%d", msg) }

// spec returns sp threaded for maintainer i, in a mail whose Message-ID
// is id. The root relay itself answers nothing the maintainer has.
func (mt maintainerThread) spec(sp outmail.Spec, i int, id string) outmail.Spec {
	if mt.first == 0 {
		return sp
	}
	root := fmt.Sprintf("%s.%d@%s", relayTag(mt.first), i, mt.domain)
	if id == root {
		sp.InReplyTo, sp.References = "", nil
		return sp
	}
	refs := []string{root}
	for _, r := range sp.References {
		if r = mt.copyFor(r, i); !slices.Contains(refs, r) {
			refs = append(refs, r)
		}
	}
	sp.InReplyTo, sp.References = mt.copyFor(sp.InReplyTo, i), refs
	return sp
}

// copyFor returns maintainer i's copy of the relay or transcript ref
// names (relay.M.J@domain, transcript.M.J@domain: another maintainer's
// copy), when secbot made one; any other ref is returned as it is.
func (mt maintainerThread) copyFor(ref string, i int) string {
	local, ok := strings.CutSuffix(ref, "@"+mt.domain)
	parts := strings.Split(local, ".")
	if !ok || len(parts) != 3 || parts[0] != "relay" && parts[0] != "transcript" {
		return ref
	}
	if _, err := strconv.ParseUint(parts[1], 10, 64); err != nil {
		return ref
	}
	own := fmt.Sprintf("%s.%s.%d@%s", parts[0], parts[1], i, mt.domain)
	if _, ok := mt.tx.LookupMessageID(own); !ok {
		return ref
	}
	return own
}
