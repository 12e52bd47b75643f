package demo

import (
	"bytes"
	"fmt"
	"strings"
)

// downstreamTalk: acme answers its pre-notification with a question,
// signed and encrypted; the maintainers get it relayed, encrypted and
// marked verified; Alice answers with tell, encrypted to acme alone.
func (n *narrator) downstreamTalk() error {
	n.title("ACME asks a question about the fix; Alice answers with tell")
	acme, alice := n.w.Downstream["acme"], n.w.Maintainers[0]
	pre, err := n.w.WaitMail(n.ctx, acme.Address, 1, waitTimeout)
	if err != nil {
		return err
	}
	if err := n.w.WaitSent(n.ctx, waitTimeout); err != nil {
		return err
	}
	before, reporter := len(n.w.Sim.To(alice.Address)), len(n.w.Sim.To(n.w.Reporter.Address))
	const question = "Does the fix change the ABI of libfrob? We backport to 1.2."
	if _, err := n.w.Send(acme, Mail{Subject: "Re: [" + n.caseID + "] Embargoed pre-notification", InReplyTo: messageID(pre[0].Data),
		Body: question + "\n", Encrypt: true, Sign: true}); err != nil {
		return err
	}
	n.say("ACME (%s) replies to its pre-notification, signed with its key and encrypted to the robot's:\n    %s", acme.Address, question)
	relay, err := n.newestWith(alice, before+1, "A pre-notified downstream contact wrote")
	if err != nil {
		return err
	}
	if err := n.w.WaitSent(n.ctx, waitTimeout); err != nil {
		return err
	}
	if err := check(map[string]bool{
		"nobody acknowledged acme's mail":                    len(n.w.Sim.To(acme.Address)) == 1,
		"the reporter got nothing of acme's mail":            len(n.w.Sim.To(n.w.Reporter.Address)) == reporter,
		"the relay of acme's question is encrypted to alice": relay.encrypted,
		"the relay marks acme's mail verified":               strings.Contains(relay.text, "signed with the contact's key"),
		"the relay went to the maintainers only":             strings.Contains(relay.text, "not to the reporter"),
	}); err != nil {
		return err
	}
	n.say("Alice got it relayed, multipart/encrypted to her key, marked verified (signed with the contact's key);\nit went to the maintainers only, and nobody was acknowledged.")

	body := "tell acme\n\nNo ABI change: the fix touches frob.c only.\n"
	n.say("Alice answers in the case thread:\n%s", indent(body))
	tr, err := n.command(body)
	if err != nil {
		return err
	}
	n.say("Transcript:\n%s", indent(grepLines(tr, "ok:", "error:")))
	got, err := n.w.WaitMail(n.ctx, acme.Address, 2, waitTimeout)
	if err != nil {
		return err
	}
	op, err := n.w.Read(acme, got[1])
	text := ""
	if err == nil {
		text = textOf(op.Message)
	}
	if err := check(map[string]bool{
		"acme's answer is multipart/encrypted":       bytes.Contains(got[1].Data, []byte("multipart/encrypted")),
		"acme's answer decrypts with its key":        err == nil && op.Encrypted,
		"acme's answer carries alice's text":         strings.Contains(text, "No ABI change"),
		"acme's answer hides the reporter's address": !strings.Contains(text, n.w.Reporter.Address),
	}); err != nil {
		return err
	}
	n.say("ACME got the answer, multipart/encrypted to its own key, without the reporter's address:\n%s", indent(firstLines(text, 3)))
	return nil
}

// opened is a mail as its recipient reads it.
type opened struct {
	text      string
	encrypted bool
}

// newestWith waits for the nth mail to p and returns the newest one
// among them whose text holds marker.
func (n *narrator) newestWith(p Person, count int, marker string) (opened, error) {
	got, err := n.w.WaitMail(n.ctx, p.Address, count, waitTimeout)
	if err != nil {
		return opened{}, err
	}
	for i := len(got) - 1; i >= 0; i-- {
		op, err := n.w.Read(p, got[i])
		if err != nil {
			return opened{}, err
		}
		if text := textOf(op.Message); strings.Contains(text, marker) {
			return opened{text: text, encrypted: op.Encrypted && bytes.Contains(got[i].Data, []byte("multipart/encrypted"))}, nil
		}
	}
	return opened{}, fmt.Errorf("no mail to %s holds %q", p.Address, marker)
}
