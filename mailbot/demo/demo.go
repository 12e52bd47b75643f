package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/secbot/secbot/store"
)

// waitTimeout bounds every wait of the demo.
const waitTimeout = 30 * time.Second

// Run plays a whole case through a fresh world in dir and narrates it to
// out. Every mail the SMTP server accepted is left in dir/mail as .eml.
func Run(ctx context.Context, out io.Writer, dir string) error {
	emlDir := filepath.Join(dir, "mail")
	if err := os.MkdirAll(emlDir, 0o700); err != nil {
		return err
	}
	w, err := NewWorld(dir, Options{EMLDir: emlDir})
	if err != nil {
		return err
	}
	defer w.Close()
	n := &narrator{out: out, w: w, ctx: ctx}
	n.say("In-process IMAP server on %s, SMTP server on %s.", w.Sim.IMAPAddr, w.Sim.SMTPAddr)
	n.say("Generated OpenPGP keys: robot %s, maintainers %s and %s, reporter %s.",
		fp(w.Robot), w.Maintainers[0].Address, w.Maintainers[1].Address, w.Reporter.Address)
	steps := []func() error{n.start, n.report, n.checkRelay, n.encryptedFollowUp, n.maintainerReply, n.restart, n.summary}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	n.say("Every mail sent is in %s (%d files).", emlDir, countFiles(emlDir))
	return nil
}

type narrator struct {
	out     io.Writer
	w       *World
	ctx     context.Context
	step    int
	ackID   string
	caseID  string
	reportN int
}

func (n *narrator) say(format string, args ...any) {
	fmt.Fprintf(n.out, format+"\n", args...)
}

func (n *narrator) title(s string) {
	n.step++
	fmt.Fprintf(n.out, "\n== %d. %s\n", n.step, s)
}

func fp(p Person) string { return p.Key.GetFingerprint()[:16] + "…" }

func (n *narrator) start() error {
	n.title("secbot starts (the real daemon, config " + n.w.ConfigPath + ")")
	if err := n.w.Start(n.ctx); err != nil {
		return err
	}
	return n.w.WaitIdle(n.ctx, waitTimeout)
}

var caseTag = regexp.MustCompile(`\[(SEC-\d{4}-\d{4,})\]`)

func (n *narrator) report() error {
	n.title("Rita reports a vulnerability in plain text")
	_, err := n.w.Send(n.w.Reporter, Mail{Subject: "Heap overflow in frobnicate()",
		Body: "Hi,\n\nfrobnicate() overflows its buffer with a 300-byte name.\nSee the attached PoC.\n\nRita\n"})
	if err != nil {
		return err
	}
	acks, err := n.w.WaitMail(n.ctx, n.w.Reporter.Address, 1, waitTimeout)
	if err != nil {
		return err
	}
	ack := acks[0]
	m := caseTag.FindSubmatch(ack.Data)
	if m == nil {
		return fmt.Errorf("acknowledgement carries no case tag")
	}
	n.caseID = string(m[1])
	n.ackID = messageID(ack.Data)
	n.say("Rita got an acknowledgement for case %s, signed by the robot (PGP/MIME multipart/signed: %v).",
		n.caseID, bytes.Contains(ack.Data, []byte("multipart/signed")))
	n.say("It asks for reproduction details, credit, and a preliminary disclosure date.")
	return nil
}

func (n *narrator) checkRelay() error {
	n.title("Each maintainer gets the report, encrypted to their own key")
	for _, m := range n.w.Maintainers {
		got, err := n.w.WaitMail(n.ctx, m.Address, 1, waitTimeout)
		if err != nil {
			return err
		}
		op, err := n.w.Read(m, got[0])
		if err != nil {
			return fmt.Errorf("%s cannot read the relay: %w", m.Address, err)
		}
		n.say("%s: multipart/encrypted=%v, decrypts with %s's key=%v, robot signature valid=%v.",
			m.Address, bytes.Contains(got[0].Data, []byte("multipart/encrypted")), m.Name, op.Encrypted, op.SignatureValid)
	}
	return nil
}

func (n *narrator) encryptedFollowUp() error {
	n.title("Rita sends reproduction details, encrypted to the robot's key")
	_, err := n.w.Send(n.w.Reporter, Mail{Subject: "Re: [" + n.caseID + "] Heap overflow in frobnicate()",
		InReplyTo: n.ackID, Encrypt: true, Sign: true,
		Body: "Reproducer: ./frob --name $(python3 -c 'print(\"A\"*300)')\nCredit me as Rita Reporter.\nDisclosure: in two weeks is fine.\n"})
	if err != nil {
		return err
	}
	for _, m := range n.w.Maintainers {
		if _, err := n.w.WaitMail(n.ctx, m.Address, 2, waitTimeout); err != nil {
			return err
		}
	}
	n.say("secbot decrypted it, threaded it into %s, and relayed it to both maintainers, re-encrypted to each.", n.caseID)
	return nil
}

func (n *narrator) maintainerReply() error {
	n.title("Alice answers in the thread, signed with her key")
	alice := n.w.Maintainers[0]
	relays := n.w.Sim.To(alice.Address)
	_, err := n.w.Send(alice, Mail{To: plusAddress(n.w, n.caseID), Subject: "Re: [" + n.caseID + "] Heap overflow in frobnicate()",
		InReplyTo: messageID(relays[len(relays)-1].Data), Sign: true,
		Body: "Confirmed on 1.4; 1.3 is not affected. Working on a patch.\n"})
	if err != nil {
		return err
	}
	for _, m := range n.w.Maintainers {
		if _, err := n.w.WaitMail(n.ctx, m.Address, 3, waitTimeout); err != nil {
			return err
		}
	}
	var signer string
	err = n.w.View(func(tx *store.Tx) error {
		c, err := tx.Case(n.caseID)
		if err != nil {
			return err
		}
		m, err := tx.Message(c.Messages[len(c.Messages)-1])
		signer = m.Signer
		return err
	})
	if err != nil {
		return err
	}
	if signer == "" {
		return fmt.Errorf("alice's signature was not recognised")
	}
	n.say("Her signature verified against her configured key (%s); the mail joined %s and went to every maintainer.", signer[:16]+"…", n.caseID)
	return nil
}

func (n *narrator) restart() error {
	n.title("secbot restarts: nothing is processed twice")
	before := len(n.w.Sim.Deliveries())
	if err := n.w.Stop(); err != nil {
		return err
	}
	if err := n.w.Start(n.ctx); err != nil {
		return err
	}
	if err := n.w.WaitIdle(n.ctx, waitTimeout); err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond) // let a wrongly re-queued mail show itself
	after := len(n.w.Sim.Deliveries())
	n.say("Mails delivered before the restart: %d, after: %d.", before, after)
	if after != before {
		return fmt.Errorf("restart re-sent %d mails", after-before)
	}
	return nil
}

func (n *narrator) summary() error {
	n.title("The case as `secbot case show " + n.caseID + "` prints it")
	return n.w.View(func(tx *store.Tx) error {
		c, err := tx.Case(n.caseID)
		if err != nil {
			return err
		}
		n.say("%s: state %s, %d messages, reporters %v.", c.ID, c.State, len(c.Messages), c.Reporters)
		for _, key := range c.Messages {
			m, err := tx.Message(key)
			if err != nil {
				return err
			}
			n.say("  message %d from %s, %s, encrypted=%v, maintainer signature=%v", m.Key, m.From, m.Status, m.Encrypted, m.Signer != "")
		}
		return nil
	})
}

func plusAddress(w *World, caseID string) string { return "security+" + caseID + "@" + Domain }

// messageID pulls the Message-ID out of a raw mail.
func messageID(raw []byte) string {
	m := regexp.MustCompile(`(?im)^Message-Id:\s*<([^>]+)>`).FindSubmatch(raw)
	if m == nil {
		return ""
	}
	return string(m[1])
}

func countFiles(dir string) int {
	entries, _ := os.ReadDir(dir)
	return len(entries)
}
