package mailbot

import (
	"fmt"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
)

// The conversation with downstream contacts during an embargo. A mail
// from a contact joins its case by thread like any other. It counts as
// the contact's when it comes from a contact pre-notified on that case:
// verified when the contact's configured key signed it, and only claimed
// when its From header is the contact's address (anyone can write that).
// It is relayed to the maintainers alone, marked either way, and nobody
// is acknowledged. Maintainers answer with `tell` (tell.go).

// identifyContact notes the downstream contact a mail is from: by the
// contact key that signed it, else by its From address (a claim).
func (b *Bot) identifyContact(p *prepared) {
	if p.signer != "" || len(b.keys.Downstream) == 0 {
		return
	}
	if p.opened != nil && p.opened.Signed && !p.opened.SignatureValid {
		op, err := pgpmime.OpenAt(p.msg.Raw, b.keys.RobotRing, b.keys.DownstreamRing(), p.arrived)
		if err == nil && op.SignatureValid {
			if d, ok := b.keys.DownstreamBySigner(op.SignerFingerprint); ok {
				p.contact, p.contactSigned = d.ID, true
				return
			}
		}
	}
	if d, ok := b.keys.DownstreamByAddress(p.env.From); ok {
		p.contact = d.ID
	}
}

// fromContact marks the fan-out of a contact's mail on a case that
// pre-notified that contact, and records it in the case's Talk and audit.
// A contact's mail on any other case is an ordinary mail (but is not
// acknowledged: see queueForMessage).
func (b *Bot) fromContact(tx *store.Tx, c *store.Case, m *store.Message, p *prepared, f *store.Fanout, isNew bool, now time.Time) error {
	if p.contact == "" || isNew {
		return nil
	}
	if _, told := c.Embargo.Sent[p.contact]; !told {
		return nil
	}
	f.Contact, f.ContactSigned = p.contact, p.contactSigned
	c.Talk = append(c.Talk, store.Talk{At: now, Dir: store.TalkFrom, Contacts: []string{p.contact}, Signed: p.contactSigned, Msg: m.Key})
	how := "signed with the contact's key"
	if !p.contactSigned {
		how = "unsigned: claims to be the contact"
	}
	return tx.Audit(store.AuditEntry{Time: now, Case: c.ID, Actor: "downstream " + p.contact, Action: "downstream-reply",
		Detail: fmt.Sprintf("message %d, %s", m.Key, how)})
}

// TalkLines are a case's Talk entries, one line each, for `case show`.
func TalkLines(c *store.Case) []string {
	var out []string
	for _, t := range c.Talk {
		when := t.At.UTC().Format("2006-01-02 15:04 UTC")
		switch t.Dir {
		case store.TalkTo:
			out = append(out, fmt.Sprintf("%s  told %s (message %d): %s", when, strings.Join(t.Contacts, ", "), t.Msg, oneLine(t.Text)))
		case store.TalkFrom:
			v := "signed"
			if !t.Signed {
				v = "UNSIGNED, claims to be"
			}
			out = append(out, fmt.Sprintf("%s  from %s (%s; message %d)", when, strings.Join(t.Contacts, ", "), v, t.Msg))
		}
	}
	return out
}
