package mailbot

import (
	"fmt"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/command"
	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// share sends the current draft advisory to the reporters for review,
// encrypted to each one's trusted key. A reporter without one makes the
// whole command fail, unless the maintainer wrote "share plain": the
// draft then goes to that reporter signed only (outmail.SharePlain, the
// table's one exception for embargoed content), and the transcript warns.
// Patches travel only with "share with patches".
func (r *cmdRun) share(cmd command.Command) (string, error) {
	c := r.c
	if len(c.Reporters) == 0 {
		return "", fmt.Errorf("the case has no reporter to share the draft with")
	}
	var how, clear []string
	for _, addr := range c.Reporters {
		if c.UsableKey(addr) != nil {
			how = append(how, addr+" (encrypted)")
			continue
		}
		clear = append(clear, addr)
	}
	if len(clear) > 0 && !cmd.Plain {
		return "", fmt.Errorf("no trusted key for %s: the draft would cross the network in the clear; write \"share plain\" to send it so anyway", strings.Join(clear, ", "))
	}
	msgKey, withPatches := r.msg.Key, cmd.WithPatches
	r.after = append(r.after, func() (int, error) { return r.b.queueShare(r.tx, c, msgKey, withPatches, r.now) })
	what := "draft advisory"
	if withPatches {
		what += " and patches"
	}
	out := what + " shared with " + strings.Join(how, ", ")
	if len(clear) > 0 {
		if len(how) == 0 {
			out = what + " shared"
		}
		out += fmt.Sprintf(" (WARNING: sent to %s signed but NOT encrypted: the embargoed draft crosses the network in the clear)", strings.Join(clear, ", "))
	}
	return out, nil
}

// queueShare queues the draft to each reporter: Share, encrypted, when
// the case holds a trusted key; SharePlain, signed only, when not (only
// "share plain" gets here without a key for everyone).
func (b *Bot) queueShare(tx *store.Tx, c *store.Case, msgKey uint64, withPatches bool, now time.Time) (int, error) {
	n := 0
	for i, addr := range c.Reporters {
		kind, sp := outmail.SharePlain, outmail.Spec{For: outmail.ToReporter(addr, ""), WithPatches: withPatches}
		if k := c.UsableKey(addr); k != nil {
			kind, sp.For.FP = outmail.Share, k.Fingerprint
		}
		ok, err := b.enqueue(tx, c.ID, kind, fmt.Sprintf("share.%s.%d.r%d", c.ID, msgKey, i), []string{addr}, sp, false, now)
		if err != nil {
			return 0, err
		}
		n += boolInt(ok)
	}
	return n, nil
}
