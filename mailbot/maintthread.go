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

// relayTag is the tag of the relays of message msg; relayTag.K is the
// Message-ID (before the domain) of the copy for the maintainer whose
// key id is K (see copyName).
func relayTag(msg uint64) string { return fmt.Sprintf("relay.%d", msg) }

// copyName is what a maintainer's copy of a mail adds to its tag: the
// key id (the fingerprint's last 16 hex digits) of the key it is
// encrypted to. Not the maintainer's place in the config, which moves
// when maintainers are added or reordered, and would then thread a
// maintainer's mail under another's copy, which they never got.
func copyName(fp string) string {
	return strings.ToLower(fp[max(0, len(fp)-16):])
}

// spec returns sp threaded for the maintainer whose copy is named own
// (copyName), in a mail whose Message-ID is id. The root relay itself
// answers nothing the maintainer has.
func (mt maintainerThread) spec(sp outmail.Spec, own string, id string) outmail.Spec {
	if mt.first == 0 {
		return sp
	}
	root := fmt.Sprintf("%s.%s@%s", relayTag(mt.first), own, mt.domain)
	if id == root {
		sp.InReplyTo, sp.References = "", nil
		return sp
	}
	refs := []string{root}
	for _, r := range sp.References {
		if r = mt.copyFor(r, own); !slices.Contains(refs, r) {
			refs = append(refs, r)
		}
	}
	sp.InReplyTo, sp.References = mt.copyFor(sp.InReplyTo, own), refs
	return sp
}

// copyFor returns the copy named own of the relay or transcript ref
// names (relay.M.K@domain, transcript.M.K@domain: another maintainer's
// copy), when secbot made one; any other ref is returned as it is.
func (mt maintainerThread) copyFor(ref string, own string) string {
	local, ok := strings.CutSuffix(ref, "@"+mt.domain)
	parts := strings.Split(local, ".")
	if !ok || len(parts) != 3 || parts[0] != "relay" && parts[0] != "transcript" {
		return ref
	}
	if _, err := strconv.ParseUint(parts[1], 10, 64); err != nil {
		return ref
	}
	mine := fmt.Sprintf("%s.%s.%s@%s", parts[0], parts[1], own, mt.domain)
	if _, ok := mt.tx.LookupMessageID(mine); !ok {
		return ref
	}
	return mine
}
