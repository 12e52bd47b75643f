package mailbot

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// queueForMessage queues what a recorded message causes, an
// acknowledgement for a new report and a relay to every maintainer, as
// one fan-out record that the sender expands (see ExpandFanouts).
func (b *Bot) queueForMessage(tx *store.Tx, c *store.Case, m *store.Message, isNew bool, p *prepared, now time.Time) (int, error) {
	f := &store.Fanout{Case: c.ID, Msg: m.Key, New: isNew, Problem: p.reason, InReplyTo: p.env.MessageID,
		References: append(slices.Clip(p.env.References), p.env.MessageID), Queued: now}
	if isNew && !c.Internal && !p.env.Auto && p.contact == "" {
		f.AckTo = c.Reporters
	}
	if err := b.fromContact(tx, c, m, p, f, isNew, now); err != nil {
		return 0, err
	}
	if err := tx.AddFanout(f); err != nil {
		return 0, err
	}
	return 1, nil
}

// queueNotice tells every maintainer something, encrypted to each.
// Notices never cause notices of their own when they fail.
// tag makes the notice's Message-ID unique and stable.
func (b *Bot) queueNotice(tx *store.Tx, caseID, tag, title, text string, msg uint64, now time.Time) (int, error) {
	sp := outmail.Spec{Msg: msg, Title: title, Text: text}
	return b.toMaintainers(tx, caseID, outmail.Notice, "notice."+strings.ReplaceAll(tag, "@", "="), sp, true, now)
}

// toMaintainers queues one mail of kind to every maintainer, each
// encrypted to that maintainer's pinned key, and threaded under the first
// relay of the case that maintainer got; tag.K is its Message-ID, K
// naming the maintainer's key (copyName). A
// maintainer without a usable key gets nothing, and every such mail logs
// an error naming them (and, on a case, an audit entry).
func (b *Bot) toMaintainers(tx *store.Tx, caseID string, kind outmail.Kind, tag string, sp outmail.Spec, noFailNotice bool, now time.Time) (int, error) {
	n := 0
	thread := b.maintainerThread(tx, caseID)
	for _, mk := range b.keys.Maintainers {
		if mk.Err != nil {
			b.log.Error("mail NOT sent: maintainer has no usable key", "kind", kind, "maintainer", mk.Name, "case", caseID, "err", mk.Err)
			if caseID != "" {
				if err := tx.Audit(store.AuditEntry{Time: now, Case: caseID, Actor: "secbot", Action: string(kind) + "-refused", Detail: "maintainer " + mk.Name + " has no usable key"}); err != nil {
					return 0, err
				}
			}
			continue
		}
		own := copyName(mk.FP)
		local := tag + "." + own
		s := thread.spec(sp, own, local+"@"+b.cfg.Robot.Domain)
		s.For = outmail.ToMaintainer(mk.FP)
		ok, err := b.enqueue(tx, caseID, kind, local, []string{mk.Address}, s, noFailNotice, now)
		if err != nil {
			return 0, err
		}
		n += boolInt(ok)
	}
	return n, nil
}

// enqueue writes one outbox entry, and indexes its Message-ID under the
// case so that replies to it thread. It is the one door to the outbox, so
// it drops the robot's own addresses from the recipients, and queues
// nothing when none is left.
func (b *Bot) enqueue(tx *store.Tx, caseID string, kind outmail.Kind, local string, to []string, sp outmail.Spec, noFailNotice bool, now time.Time) (bool, error) {
	if to = b.withoutRobot(to); len(to) == 0 {
		tx.OnCommit(func() { b.log.Warn("mail not queued: its recipient is the robot itself", "kind", kind, "case", caseID) })
		return false, nil
	}
	raw, err := json.Marshal(sp)
	if err != nil {
		return false, fmt.Errorf("encode %s spec: %w", kind, err)
	}
	id := local + "@" + b.cfg.Robot.Domain
	om := &store.OutMail{ID: id, Case: caseID, Kind: string(kind), Spec: raw, From: b.cfg.Robot.Address,
		To: to, Queued: now, NoFailNotice: noFailNotice}
	ok, err := tx.Enqueue(om)
	if err != nil || !ok {
		return ok, err
	}
	if caseID == "" {
		return true, nil
	}
	// Our own mail owns its Message-ID, so that replies to it thread here.
	// An incoming mail that forged the id first loses it, but keeps its
	// dedupe entry: the Message-ID entry was all that said it was seen.
	if old, ok := tx.LookupMessageID(id); ok && old.Digest != nil {
		if err := tx.IndexMessageID(dedupeKey(old.Digest), store.ThreadRef{Case: old.Case, Msg: old.Msg}); err != nil {
			return false, err
		}
	}
	return true, tx.IndexMessageID(id, store.ThreadRef{Case: caseID})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
