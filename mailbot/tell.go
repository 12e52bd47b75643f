package mailbot

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/command"
	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/store"
)

// tell sends the text after the command block to the named contacts, or
// to every contact pre-notified on the case, each encrypted to its own
// key, in the case thread. A contact never pre-notified on this case is
// refused: tell answers the conversation an embargo started, it does not
// start one. Like reply it is all-or-nothing.
func (r *cmdRun) tell(cmd command.Command) (string, error) {
	text := strings.TrimSpace(r.p.cmds.Rest)
	if text == "" {
		return "", fmt.Errorf("no text after the command block to send (end the block with a blank line or \"thanks\", then write the text)")
	}
	told := notifiedIDs(r.c)
	if len(told) == 0 {
		return "", fmt.Errorf("no downstream contact was pre-notified on this case")
	}
	ids := cmd.IDs
	if len(ids) == 0 {
		ids = told
	}
	var bad []string
	for _, id := range ids {
		d, ok := r.b.keys.DownstreamByID(id)
		switch {
		case !slices.Contains(told, id):
			bad = append(bad, id+": never pre-notified on this case")
		case !ok || d.Err != nil || d.Key == nil:
			bad = append(bad, id+": no usable key")
		}
	}
	if len(bad) > 0 {
		return "", fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	c, msgKey, now := r.c, r.msg.Key, r.now
	c.Talk = append(c.Talk, store.Talk{At: now, Dir: store.TalkTo, Contacts: ids, By: r.p.signer, Msg: msgKey, Text: text})
	r.after = append(r.after, func() (int, error) { return r.b.queueTell(r.tx, c, ids, text, msgKey, now) })
	return "told " + strings.Join(ids, ", ") + " (encrypted to each): " + oneLine(text), nil
}

// queueTell queues the text to each contact, threaded under the
// contact's last pre-notification.
func (b *Bot) queueTell(tx *store.Tx, c *store.Case, ids []string, text string, msgKey uint64, now time.Time) (int, error) {
	n := 0
	for _, id := range ids {
		d, _ := b.keys.DownstreamByID(id)
		prev := fmt.Sprintf("prenotify.%s.%s.%d@%s", c.ID, id, c.Embargo.Sent[id].Count, b.cfg.Robot.Domain)
		sp := outmail.Spec{For: outmail.ToDownstream(id, d.FP), Text: text, InReplyTo: prev, References: []string{prev}}
		ok, err := b.enqueue(tx, c.ID, outmail.Tell, fmt.Sprintf("tell.%s.%d.%s", c.ID, msgKey, id), []string{d.Address}, sp, false, now)
		if err != nil {
			return 0, err
		}
		n += boolInt(ok)
	}
	return n, nil
}
