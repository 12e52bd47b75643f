package mailbot

import (
	"fmt"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/mailbot/policy"
	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// queueCRDNotices tells the reporters (encrypted when their key is known)
// and every downstream contact already pre-notified (always encrypted)
// that the CRD was set, moved or withdrawn.
func (b *Bot) queueCRDNotices(tx *store.Tx, c *store.Case, told []string, old time.Time, now time.Time) (int, error) {
	tag := fmt.Sprintf("crd.%s.%d", c.ID, now.UnixNano())
	n, err := b.queueToReporters(tx, c, KindCRDNotice, tag, spec{Previous: fmtCRD(old)}, now)
	if err != nil {
		return 0, err
	}
	for _, id := range told {
		d, ok := b.keys.DownstreamByID(id)
		if !ok || d.Err != nil {
			b.log.Error("CRD notice NOT sent: downstream contact has no usable key", "case", c.ID, "downstream", id)
			continue
		}
		sp := spec{Previous: fmtCRD(old), Downstream: id, EncryptFP: d.FP}
		ok, err := b.enqueue(tx, c.ID, KindCRDNotice, tag+"."+id, []string{d.Address}, sp, false, now)
		if err != nil {
			return 0, err
		}
		n += boolInt(ok)
	}
	return n, nil
}

// queueToReporters queues a mail to each reporter, encrypted to their key
// when the case holds one mail may be encrypted to (store.Case.UsableKey),
// else signed. tag.rN is its Message-ID.
func (b *Bot) queueToReporters(tx *store.Tx, c *store.Case, kind, tag string, sp spec, now time.Time) (int, error) {
	n := 0
	for i, addr := range c.Reporters {
		s := sp
		if k := c.UsableKey(addr); k != nil {
			s.EncryptFP, s.Recipient = k.Fingerprint, addr
		}
		ok, err := b.enqueue(tx, c.ID, kind, fmt.Sprintf("%s.r%d", tag, i), []string{addr}, s, false, now)
		if err != nil {
			return 0, err
		}
		n += boolInt(ok)
	}
	return n, nil
}

func (b *Bot) queuePrenotify(tx *store.Tx, c *store.Case, d keyring.ContactKey, count int, update bool, changes []string, now time.Time) (int, error) {
	sp := spec{Downstream: d.ID, EncryptFP: d.FP, Update: update, Changes: changes}
	if prev, ok := c.Embargo.Sent[d.ID]; ok && update {
		sp.Previous = prev.At.UTC().Format("2006-01-02")
	}
	ok, err := b.enqueue(tx, c.ID, KindPrenotify, fmt.Sprintf("prenotify.%s.%s.%d", c.ID, d.ID, count), []string{d.Address}, sp, false, now)
	return boolInt(ok), err
}

func (b *Bot) queueCVERequest(tx *store.Tx, c *store.Case, cna keyring.ContactKey, now time.Time) (int, error) {
	sp := spec{CNA: true, EncryptFP: cna.FP}
	ok, err := b.enqueue(tx, c.ID, KindCVERequest, "cve-request."+c.ID, []string{cna.Address}, sp, false, now)
	return boolInt(ok), err
}

// publishCase ends the embargo: the signed announcement goes to the
// announce addresses, the reporters and every pre-notified contact are
// told, and the case is marked published.
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
		ok, err := b.enqueue(tx, c.ID, KindAnnounce, fmt.Sprintf("announce.%s.%d", c.ID, i), []string{addr}, spec{Public: true}, false, now)
		if err != nil {
			return 0, err
		}
		n += boolInt(ok)
	}
	k, err := b.queueToReporters(tx, c, KindEmbargoEnd, "embargo-over."+c.ID, spec{}, now)
	if err != nil {
		return 0, err
	}
	n += k
	for _, id := range notifiedIDs(c) {
		d, ok := b.keys.DownstreamByID(id)
		if !ok || d.Err != nil {
			b.log.Error("end-of-embargo notice NOT sent: downstream contact has no usable key", "case", c.ID, "downstream", id)
			continue
		}
		sp := spec{Downstream: id, EncryptFP: d.FP}
		ok, err := b.enqueue(tx, c.ID, KindEmbargoEnd, "embargo-over."+c.ID+"."+id, []string{d.Address}, sp, false, now)
		if err != nil {
			return 0, err
		}
		n += boolInt(ok)
	}
	tx.OnCommit(func() { b.log.Info("case published", "case", c.ID, "announcements", len(b.cfg.Announce.Addresses)) })
	return n, nil
}

// advisoryAttachments renders the advisory and returns its subject, its
// text, and the attachments: the advisory itself, then every patch.
func (b *Bot) advisoryAttachments(tx *store.Tx, c *store.Case, draft bool) (string, []byte, []attachment, error) {
	a, err := b.advisoryOf(tx, c)
	if err != nil {
		return "", nil, nil, errPermanent{err}
	}
	subj, adv, err := a.Render(b.tmpl, draft)
	if err != nil {
		return "", nil, nil, errPermanent{err}
	}
	name := c.ID + "-advisory.txt"
	if draft {
		name = c.ID + "-advisory-DRAFT.txt"
	}
	atts := []attachment{{Name: name, ContentType: "text/plain", Data: adv}}
	for _, p := range a.Patches {
		atts = append(atts, attachment{Name: p.Name, ContentType: "text/x-diff", Data: tx.PatchData(p.SHA256)})
	}
	return subj, adv, atts, nil
}

func (b *Bot) renderDisclosure(tx *store.Tx, om *store.OutMail, sp spec) ([]byte, error) {
	c, err := tx.Case(om.Case)
	if err != nil {
		return nil, errPermanent{err}
	}
	base := map[string]any{"Case": c.ID, "Project": b.projectName(), "ProjectURL": b.cfg.Robot.ProjectURL,
		"CVE": c.Fields.CVE, "Title": c.Fields.Title, "CRD": orNone(fmtCRD(c.Fields.CRD)), "Robot": b.cfg.Robot.Name}
	switch om.Kind {
	case KindAdvisory:
		subj, adv, atts, err := b.advisoryAttachments(tx, c, true)
		if err != nil {
			return nil, err
		}
		return multipartMail(b.header(om, subj, sp), adv, atts[1:])
	case KindPrenotify:
		return b.renderPrenotify(tx, om, sp, c, base)
	case KindCRDNotice:
		base["Cleared"], base["Previous"] = c.Fields.CRD.IsZero(), sp.Previous
		return b.renderSimple(om, sp, templates.CRD, base)
	case KindCVERequest:
		a, err := b.advisoryOf(tx, c)
		if err != nil {
			return nil, errPermanent{err}
		}
		return b.renderSimple(om, sp, templates.CVERequest, advisory.CVERequest{Advisory: a, Robot: b.cfg.Robot.Name})
	case KindAnnounce:
		_, adv, atts, err := b.advisoryAttachments(tx, c, false)
		if err != nil {
			return nil, err
		}
		base["Advisory"] = string(adv)
		subj, body, err := b.tmpl.Render(templates.Announce, base)
		if err != nil {
			return nil, errPermanent{err}
		}
		h := b.header(om, subj, sp)
		h.Del("Reply-To")
		return multipartMail(h, body, atts[1:])
	case KindEmbargoEnd:
		base["Published"] = fmtCRD(c.Embargo.Published)
		base["Distros"] = sp.Downstream != "" && b.isDistros(sp.Downstream)
		return b.renderSimple(om, sp, templates.Embargo, base)
	case KindReminder:
		base["Within"] = b.cfg.Embargo.Reminder.String()
		base["Problems"] = strings.Split(sp.Text, "\n")
		return b.renderSimple(om, sp, templates.Reminder, base)
	}
	return nil, errPermanent{fmt.Errorf("unknown mail kind %q", om.Kind)}
}

func (b *Bot) isDistros(id string) bool {
	d, ok := b.keys.DownstreamByID(id)
	return ok && d.Kind == policy.KindDistros
}

func (b *Bot) renderSimple(om *store.OutMail, sp spec, name string, data any) ([]byte, error) {
	subj, body, err := b.tmpl.Render(name, data)
	if err != nil {
		return nil, errPermanent{err}
	}
	return textMail(b.header(om, subj, sp), body)
}

func (b *Bot) renderPrenotify(tx *store.Tx, om *store.OutMail, sp spec, c *store.Case, base map[string]any) ([]byte, error) {
	_, _, atts, err := b.advisoryAttachments(tx, c, true)
	if err != nil {
		return nil, err
	}
	d, _ := b.keys.DownstreamByID(sp.Downstream)
	var names []string
	for _, a := range atts[1:] {
		names = append(names, a.Name)
	}
	base["Name"], base["Update"], base["Changes"], base["Previous"], base["Patches"] = d.Name, sp.Update, sp.Changes, sp.Previous, names
	subj, body, err := b.tmpl.Render(templates.Prenotify, base)
	if err != nil {
		return nil, errPermanent{err}
	}
	return multipartMail(b.header(om, subj, sp), body, atts)
}

// encryptForContact encrypts to a downstream contact's or the CNA's key,
// refusing when it is not the key the mail was queued for.
func (b *Bot) encryptForContact(om *store.OutMail, plain []byte, sp spec) ([]byte, error) {
	var ck keyring.ContactKey
	switch {
	case sp.CNA && b.keys.CNA != nil:
		ck = *b.keys.CNA
	case sp.Downstream != "":
		ck, _ = b.keys.DownstreamByID(sp.Downstream)
	}
	if ck.Key == nil || ck.Err != nil || !strings.EqualFold(ck.FP, sp.EncryptFP) {
		return nil, errPermanent{fmt.Errorf("refused to send: the key %s this mail is pinned to is not usable", sp.EncryptFP)}
	}
	if err := pgpmime.UsableForEncryption(ck.Key, b.now()); err != nil {
		return nil, errPermanent{fmt.Errorf("refused to send to %s: %w", ck.ID, err)}
	}
	out, err := b.encrypt(om, plain, ck.Key)
	if err != nil {
		return nil, fmt.Errorf("encrypt for %s: %w", ck.ID, err)
	}
	return out, nil
}
