package mailbot

import (
	"fmt"
	"time"

	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// queueCRDNotices tells the reporters (encrypted when their key is known)
// and every downstream contact already pre-notified (always encrypted)
// that the CRD was set, moved or withdrawn.
func (b *Bot) queueCRDNotices(tx *store.Tx, c *store.Case, told []string, old time.Time, now time.Time) (int, error) {
	tag := fmt.Sprintf("crd.%s.%d", c.ID, now.UnixNano())
	sp := outmail.Spec{Previous: outmail.FmtCRD(old)}
	n, err := b.queueToReporters(tx, c, outmail.CRDNotice, tag, sp, now)
	if err != nil {
		return 0, err
	}
	k, err := b.queueToContacts(tx, c, told, outmail.CRDNotice, tag, sp, now)
	return n + k, err
}

// queueToReporters queues a mail to each reporter, encrypted to their key
// when the case holds one mail may be encrypted to (store.Case.UsableKey),
// else signed. tag.rN is its Message-ID.
func (b *Bot) queueToReporters(tx *store.Tx, c *store.Case, kind outmail.Kind, tag string, sp outmail.Spec, now time.Time) (int, error) {
	n := 0
	for i, addr := range c.Reporters {
		s := sp
		s.For = outmail.ToReporter(addr, "")
		if k := c.UsableKey(addr); k != nil {
			s.For.FP = k.Fingerprint
		}
		ok, err := b.enqueue(tx, c.ID, kind, fmt.Sprintf("%s.r%d", tag, i), []string{addr}, s, false, now)
		if err != nil {
			return 0, err
		}
		n += boolInt(ok)
	}
	return n, nil
}

// queueToContacts queues a mail to each downstream contact in ids, each
// encrypted to the key it has now; tag.ID is its Message-ID. A contact
// without a usable key gets nothing, and the log says so.
func (b *Bot) queueToContacts(tx *store.Tx, c *store.Case, ids []string, kind outmail.Kind, tag string, sp outmail.Spec, now time.Time) (int, error) {
	n := 0
	for _, id := range ids {
		d, ok := b.keys.DownstreamByID(id)
		if !ok || d.Err != nil {
			b.log.Error("mail NOT sent: downstream contact has no usable key", "kind", kind, "case", c.ID, "downstream", id)
			continue
		}
		s := sp
		s.For = outmail.ToDownstream(id, d.FP)
		ok, err := b.enqueue(tx, c.ID, kind, tag+"."+id, []string{d.Address}, s, false, now)
		if err != nil {
			return 0, err
		}
		n += boolInt(ok)
	}
	return n, nil
}

func (b *Bot) queuePrenotify(tx *store.Tx, c *store.Case, d keyring.ContactKey, count int, update bool, changes []string, now time.Time) (int, error) {
	sp := outmail.Spec{For: outmail.ToDownstream(d.ID, d.FP), Update: update, Changes: changes}
	if prev, ok := c.Embargo.Sent[d.ID]; ok && update {
		sp.Previous = prev.At.UTC().Format("2006-01-02")
	}
	ok, err := b.enqueue(tx, c.ID, outmail.Prenotify, fmt.Sprintf("prenotify.%s.%s.%d", c.ID, d.ID, count), []string{d.Address}, sp, false, now)
	return boolInt(ok), err
}

// queueCVERequest asks the CNA for ids for the vulnerabilities numbered
// vulns; tag is the mail's Message-ID.
func (b *Bot) queueCVERequest(tx *store.Tx, c *store.Case, cna keyring.ContactKey, tag string, vulns []int, now time.Time) (int, error) {
	sp := outmail.Spec{For: outmail.ToCNA(cna.FP), Vulns: vulns}
	ok, err := b.enqueue(tx, c.ID, outmail.CVERequest, tag, []string{cna.Address}, sp, false, now)
	return boolInt(ok), err
}

// publishCase ends the embargo: the signed announcement goes to the
// announce addresses, the reporters and every pre-notified contact are
// told, and the case is marked published. Putting the published case
// marks its public pages, which the site writer writes once this
// commits (site.go).
func (b *Bot) publishCase(tx *store.Tx, c *store.Case, now time.Time) (int, error) {
	c.State, c.Embargo.Published, c.Embargo.Armed = store.StatePublished, now, false
	for _, k := range []string{store.TimerPublish, store.TimerRemind} {
		if err := tx.DeleteTimer(c.ID, k); err != nil {
			return 0, err
		}
	}
	if err := tx.Audit(store.AuditEntry{Time: now, Case: c.ID, Actor: "secbot", Action: "published"}); err != nil {
		return 0, err
	}
	n := 0
	for i, addr := range b.cfg.Announce.Addresses {
		sp := outmail.Spec{For: outmail.ToPublic()}
		ok, err := b.enqueue(tx, c.ID, outmail.Announce, fmt.Sprintf("announce.%s.%d", c.ID, i), []string{addr}, sp, false, now)
		if err != nil {
			return 0, err
		}
		n += boolInt(ok)
	}
	tag := "embargo-over." + c.ID
	k, err := b.queueToReporters(tx, c, outmail.EmbargoEnd, tag, outmail.Spec{}, now)
	if err != nil {
		return 0, err
	}
	n += k
	k, err = b.queueToContacts(tx, c, notifiedIDs(c), outmail.EmbargoEnd, tag, outmail.Spec{}, now)
	if err != nil {
		return 0, err
	}
	n += k
	tx.OnCommit(func() {
		b.log.Info("case published", "case", c.ID, "announcements", len(b.cfg.Announce.Addresses))
	})
	return n, nil
}
