package mailbot

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// The weekly digest (digest.day, digest.hour, digest.zone): every open
// case, for the maintainers, encrypted to each. Its one timer (of no
// case) lives in the store with the others, so a digest due while secbot
// was down goes out when it starts; firing re-arms it for the next week.

// armDigest makes the stored digest timer agree with the configuration,
// at every start of the scheduler (and so after a reload): none when the
// digest is off; kept when it falls on the schedule, even in the past (it
// was due while secbot was down); else set to the next scheduled time.
func (b *Bot) armDigest() error {
	d := b.cfg.Digest
	return b.store.Update(func(tx *store.Tx) error {
		if !d.On() {
			return tx.DeleteTimer("", store.TimerDigest)
		}
		t, ok, err := tx.TimerOf("", store.TimerDigest)
		if err != nil || ok && d.Scheduled(t.At) {
			return err
		}
		return b.setDigestTimer(tx, b.now())
	})
}

func (b *Bot) setDigestTimer(tx *store.Tx, after time.Time) error {
	next := b.cfg.Digest.Next(after)
	if next.IsZero() {
		return nil
	}
	return tx.SetTimer(store.Timer{At: next, Kind: store.TimerDigest})
}

// digestDue queues the digest to every maintainer and arms the next one,
// counted from now, so that a long downtime sends one digest, not one
// per week missed. Its Message-ID names the week it was due.
func (b *Bot) digestDue(tx *store.Tx, t store.Timer, now time.Time) (int, error) {
	if !b.cfg.Digest.On() {
		return 0, nil
	}
	if err := b.setDigestTimer(tx, now); err != nil {
		return 0, err
	}
	data, err := b.digestData(tx)
	if err != nil {
		return 0, err
	}
	sp := outmail.Spec{Digest: data}
	return b.toMaintainers(tx, "", outmail.Digest, fmt.Sprintf("digest.%d", t.At.Unix()), sp, false, now)
}

// digestData lists the open cases (new or accepted), in id order.
func (b *Bot) digestData(tx *store.Tx) (*outmail.DigestData, error) {
	cases, err := tx.Cases()
	if err != nil {
		return nil, err
	}
	data := &outmail.DigestData{}
	for _, c := range cases {
		if c.State == store.StateNew || c.State == store.StateAccepted {
			data.Cases = append(data.Cases, b.digestCase(c))
		}
	}
	return data, nil
}

func (b *Bot) digestCase(c *store.Case) outmail.DigestCase {
	req, rec := b.missing(c)
	dc := outmail.DigestCase{ID: c.ID, Title: advisory.Build(c, advisory.ProjectOf(b.cfg), nil).Title(), State: c.State, Armed: c.Embargo.Armed, Opened: c.Opened,
		CRD: c.Fields.CRD, Missing: req, Recommended: rec, LastMaintainer: c.LastMaintainer}
	if dc.Title == "" {
		dc.Title = c.Subject
	}
	credits := slices.Clone(c.Fields.Credits)
	for _, v := range c.Vulns { // a vulnerability's own credits
		credits = append(credits, v.Credits...)
	}
	for _, cr := range credits {
		if cr.Status == store.CreditPending && !slices.Contains(dc.Pending, cr.Name) {
			dc.Pending = append(dc.Pending, cr.Name)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(c.Embargo.Sent)) {
		dc.Prenotified = append(dc.Prenotified, outmail.DigestContact{ID: id, At: c.Embargo.Sent[id].At})
	}
	return dc
}
