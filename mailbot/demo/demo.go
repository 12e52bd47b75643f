package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-message"

	"github.com/secbot/secbot/mailbot"
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
	steps := []func() error{n.start, n.report, n.checkRelay, n.encryptedFollowUp, n.confirmKey, n.maintainerCommands, n.forgedCommand, n.prenotify, n.downstreamTalk, n.armPublication, n.restart, n.crdArrives, n.summary, n.website}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	n.say("Every mail sent is in %s (%d files).", emlDir, countFiles(emlDir))
	return nil
}

type narrator struct {
	out    io.Writer
	w      *World
	ctx    context.Context
	step   int
	ackID  string
	caseID string
	// token and confirmID are the key confirmation Rita got.
	token, confirmID string
}

func (n *narrator) say(format string, args ...any) {
	fmt.Fprintf(n.out, format+"\n", args...)
}

// check makes the demo fail when something it is about to narrate is
// not so: the narration never claims what did not happen.
func check(claims map[string]bool) error {
	var bad []string
	for what, ok := range claims {
		if !ok {
			bad = append(bad, what)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("the demo's claim is false: %s", strings.Join(bad, "; "))
	}
	return nil
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
	if err := check(map[string]bool{"the acknowledgement is multipart/signed": bytes.Contains(ack.Data, []byte("multipart/signed"))}); err != nil {
		return err
	}
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
		if err := check(map[string]bool{
			"the relay is multipart/encrypted":             bytes.Contains(got[0].Data, []byte("multipart/encrypted")),
			"the relay decrypts with the maintainer's key": op.Encrypted,
			"the robot's signature on the relay is valid":  op.SignatureValid,
		}); err != nil {
			return err
		}
		n.say("%s: multipart/encrypted=%v, decrypts with %s's key=%v, robot signature valid=%v.",
			m.Address, bytes.Contains(got[0].Data, []byte("multipart/encrypted")), m.Name, op.Encrypted, op.SignatureValid)
	}
	return nil
}

func (n *narrator) encryptedFollowUp() error {
	n.title("Rita sends reproduction details and her public key, encrypted to the robot's key")
	ritaKey, err := n.w.Reporter.Key.GetArmoredPublicKey()
	if err != nil {
		return err
	}
	_, err = n.w.Send(n.w.Reporter, Mail{Subject: "Re: [" + n.caseID + "] Heap overflow in frobnicate()",
		InReplyTo: n.ackID, Encrypt: true, Sign: true,
		Body: "Reproducer: ./frob --name $(python3 -c 'print(\"A\"*300)')\nCredit me as Rita Reporter.\nDisclosure: in two weeks is fine.\n\nMy key:\n" + ritaKey})
	if err != nil {
		return err
	}
	for _, m := range n.w.Maintainers {
		if _, err := n.w.WaitMail(n.ctx, m.Address, 2, waitTimeout); err != nil {
			return err
		}
	}
	n.say("secbot decrypted it, threaded it into %s, and relayed it to both maintainers, re-encrypted to each.", n.caseID)
	return n.keyConfirmation()
}

// keyConfirmation checks the mail secbot sent Rita about the key in her
// follow-up: the key came after the report, and anyone can forge a From
// line, so secbot uses it only once she proves she reads the address.
func (n *narrator) keyConfirmation() error {
	got, err := n.w.WaitMail(n.ctx, n.w.Reporter.Address, 2, waitTimeout)
	if err != nil {
		return err
	}
	mail := got[1]
	op, err := n.w.Read(n.w.Reporter, mail)
	if err != nil {
		return fmt.Errorf("rita cannot read the key confirmation: %w", err)
	}
	text := textOf(op.Message)
	n.token = tokenRE.FindString(text)
	n.confirmID = messageID(mail.Data)
	fp := n.w.Reporter.Key.GetFingerprint()
	if err := check(map[string]bool{
		"the confirmation is signed, not encrypted": bytes.Contains(mail.Data, []byte("multipart/signed")) && !op.Encrypted,
		"the robot's signature on it is valid":      op.SignatureValid,
		"it names the fingerprint of Rita's key":    strings.Contains(strings.ReplaceAll(text, " ", ""), strings.ToUpper(fp)),
		"it carries a token":                        n.token != "",
		"it carries nothing of the report":          !bytes.Contains(mail.Data, []byte("frobnicate")) && !bytes.Contains(mail.Data, []byte("Reproducer")),
		"secbot does not use her key yet":           n.reporterKey() == nil,
	}); err != nil {
		return err
	}
	n.say("Her key came after the report, and anyone can forge a From line, so secbot does not use it yet.")
	n.say("It mailed her a confirmation, signed and not encrypted, naming only the case and the key's fingerprint,")
	n.say("with a one-time token (valid for 7 days) and \"if you did not send this key, ignore this mail\".")
	return nil
}

// reporterKey is the key mail to Rita is encrypted to, or nil.
func (n *narrator) reporterKey() *store.ReporterKey {
	var k *store.ReporterKey
	n.w.View(func(tx *store.Tx) error {
		c, err := tx.Case(n.caseID)
		if err == nil {
			k = c.UsableKey(n.w.Reporter.Address)
		}
		return err
	})
	return k
}

var tokenRE = regexp.MustCompile(`SECBOT-KEY-[A-Z2-7]{32}`)

func (n *narrator) confirmKey() error {
	n.title("Rita answers the confirmation, encrypted, and secbot learns her key")
	relays := len(n.w.Sim.To(n.w.Maintainers[0].Address))
	if _, err := n.w.Send(n.w.Reporter, Mail{Subject: "Re: [" + n.caseID + "] Please confirm the OpenPGP key sent for this case",
		InReplyTo: n.confirmID, Encrypt: true, Sign: true, Body: "Yes, I sent it.\n" + n.token + "\n\n> " + n.token + "\n"}); err != nil {
		return err
	}
	if _, err := n.w.WaitMail(n.ctx, n.w.Maintainers[0].Address, relays+1, waitTimeout); err != nil {
		return err
	}
	k := n.reporterKey()
	if err := check(map[string]bool{
		"secbot learned her key, as confirmed": k != nil && k.Source == store.KeySourceConfirmed &&
			strings.EqualFold(k.Fingerprint, n.w.Reporter.Key.GetFingerprint()),
	}); err != nil {
		return err
	}
	n.say("Her reply carried the token: her key %s… is now the case's key for her (source: %s).", k.Fingerprint[:16], k.Source)
	return nil
}

func (n *narrator) maintainerCommands() error {
	n.title("Alice drives the case with signed commands, and replies to Rita")
	alice := n.w.Maintainers[0]
	relays := n.w.Sim.To(alice.Address)
	crd := nextWeekday(time.Now().AddDate(0, 0, 7), time.Tuesday).Format("2006-01-02")
	body := "accept\ntitle Heap overflow in frobnicate()\naffected >=1.2 <1.4.3\nnot-affected <1.2\nunchecked <1.0\n" +
		"type CWE-787 out-of-bounds write\nseverity high\ncrd " + crd + " 14:00 UTC\n" +
		"credit Rita Reporter <rita@reporter.example> as finder\nbranch 1.4 1.4.3\n" +
		"impact <<END\nA remote attacker who controls a name can crash the server,\nand may run code.\nEND\n" +
		"reply\n\nThanks Rita, confirmed on 1.4 (1.3 is not affected). We propose " + crd + " for disclosure.\n" +
		"\n> [" + n.caseID + "] Heap overflow in frobnicate()\n> New report, case " + n.caseID + ".\n"
	n.say("Her mail, PGP/MIME-signed with her key:\n%s", indent(body))
	// A reply goes to the robot's plain address (the relay's From), which
	// names the robot key: her client encrypts to it without asking.
	if _, err := n.w.Send(alice, Mail{Subject: "Re: [" + n.caseID + "] Heap overflow in frobnicate()",
		InReplyTo: messageID(relays[len(relays)-1].Data), Sign: true, Body: body}); err != nil {
		return err
	}
	tr, err := n.waitTranscript(alice, len(relays)+2)
	if err != nil {
		return err
	}
	n.say("The transcript every maintainer got (encrypted), first lines:\n%s", indent(firstLines(tr, 12)))
	// Rita gets the reply and the notice of the CRD, after the ack and
	// the key confirmation.
	got, err := n.w.WaitMail(n.ctx, n.w.Reporter.Address, 4, waitTimeout)
	if err != nil {
		return err
	}
	for _, d := range got[2:] {
		op, err := n.w.Read(n.w.Reporter, d)
		if err != nil {
			return fmt.Errorf("rita cannot read a mail from secbot: %w", err)
		}
		if !strings.Contains(textOf(op.Message), "Thanks Rita") {
			continue
		}
		if err := check(map[string]bool{
			"the reply to Rita is encrypted to her key": op.Encrypted && bytes.Contains(d.Data, []byte("multipart/encrypted")),
			"the robot's signature on it is valid":      op.SignatureValid,
		}); err != nil {
			return err
		}
		n.say("Rita got the reply from security@, encrypted to the key she confirmed (decrypts=%v, robot signature valid=%v).", op.Encrypted, op.SignatureValid)
		return nil
	}
	return fmt.Errorf("rita got no reply")
}

func (n *narrator) forgedCommand() error {
	n.title("Mallory forges Alice's From: line, unsigned")
	alice := n.w.Maintainers[0]
	before := len(n.w.Sim.To(alice.Address))
	forged := alice
	if _, err := n.w.Send(forged, Mail{Subject: "Re: [" + n.caseID + "] Heap overflow", Body: "reject not a bug\n"}); err != nil {
		return err
	}
	tr, err := n.waitTranscript(alice, before+2)
	if err != nil {
		return err
	}
	n.say("Nothing ran. The maintainers were told why:\n%s", indent(firstLines(tr, 3)))
	return n.w.View(func(tx *store.Tx) error {
		c, err := tx.Case(n.caseID)
		if err != nil {
			return err
		}
		if c.State != store.StateAccepted {
			return fmt.Errorf("forged mail changed the case to %s", c.State)
		}
		n.say("The case is still %s.", c.State)
		return nil
	})
}

// waitTranscript waits for the nth mail to p and returns the text of the
// newest transcript among them.
func (n *narrator) waitTranscript(p Person, count int) (string, error) {
	got, err := n.w.WaitMail(n.ctx, p.Address, count, waitTimeout)
	if err != nil {
		return "", err
	}
	for i := len(got) - 1; i >= 0; i-- {
		op, err := n.w.Read(p, got[i])
		if err != nil {
			return "", err
		}
		text := textOf(op.Message)
		if strings.Contains(text, "Processed") || strings.Contains(text, "No command ran") {
			return text, nil
		}
	}
	return "", fmt.Errorf("no transcript reached %s", p.Address)
}

func nextWeekday(t time.Time, wd time.Weekday) time.Time {
	for t.Weekday() != wd {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

// textOf decodes the text/plain parts of a message.
func textOf(raw []byte) string {
	ent, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	var out strings.Builder
	ent.Walk(func(_ []int, part *message.Entity, _ error) error {
		if mt, _, _ := part.Header.ContentType(); mt == "text/plain" {
			b, _ := io.ReadAll(part.Body)
			out.Write(b)
		}
		return nil
	})
	return out.String()
}

// patchText is the demo's fix.
const patchText = `--- a/src/frob.c
+++ b/src/frob.c
@@ -10,7 +10,7 @@ int frobnicate(const char *name)
 {
-	char buf[256];
-	strcpy(buf, name);
+	char buf[256];
+	snprintf(buf, sizeof buf, "%s", name);
 	return frob(buf);
 }
`

// command sends a signed command mail from alice in the case thread and
// returns the transcript.
func (n *narrator) command(body string, atts ...Attachment) (string, error) {
	alice := n.w.Maintainers[0]
	before := len(n.w.Sim.To(alice.Address))
	// Her mail client quotes the mail she answers, which names the case
	// inside the signed text. She writes to the case's plus address, which
	// secbot still accepts, though its mail never offers it.
	body += "\n> [" + n.caseID + "] Heap overflow in frobnicate()\n"
	if _, err := n.w.Send(alice, Mail{To: plusAddress(n.w, n.caseID), Subject: "Re: [" + n.caseID + "] Heap overflow in frobnicate()",
		Sign: true, Body: body, Attachments: atts}); err != nil {
		return "", err
	}
	return n.waitTranscript(alice, before+2)
}

func (n *narrator) prenotify() error {
	n.title("Alice attaches the patch, asks the CNA for a CVE id, and pre-notifies downstream")
	patchName := "frob-1.4-" + n.caseID + "-r1.patch"
	body := "patch\ncve request\nnotify distros acme\nsend\n"
	n.say("Her signed mail, with %s attached:\n%s", patchName, indent(body))
	tr, err := n.command(body, Attachment{Name: patchName, Data: []byte(patchText)})
	if err != nil {
		return err
	}
	n.say("Transcript:\n%s", indent(grepLines(tr, "ok:", "error:")))
	if !strings.Contains(tr, "0 error(s)") {
		return fmt.Errorf("the demo's claim is false: the pre-notification mail had errors:\n%s", tr)
	}
	cna, err := n.w.WaitMail(n.ctx, n.w.CNA.Address, 1, waitTimeout)
	if err != nil {
		return err
	}
	op, err := n.w.Read(n.w.CNA, cna[0])
	if err := check(map[string]bool{"the CVE request decrypts with the CNA's key": err == nil && op.Encrypted}); err != nil {
		return err
	}
	n.say("The CNA got one CVE request, encrypted to its key.")
	for _, id := range []string{"distros", "acme"} {
		d := n.w.Downstream[id]
		got, err := n.w.WaitMail(n.ctx, d.Address, 1, waitTimeout)
		if err != nil {
			return err
		}
		op, err := n.w.Read(d, got[0])
		if err != nil {
			return fmt.Errorf("%s cannot read its pre-notification: %w", id, err)
		}
		text := textOf(op.Message)
		if err := check(map[string]bool{
			id + "'s pre-notification is multipart/encrypted": bytes.Contains(got[0].Data, []byte("multipart/encrypted")),
			id + "'s pre-notification decrypts with its key":  op.Encrypted,
			id + "'s pre-notification carries the draft":      strings.Contains(text, "EMBARGOED DRAFT"),
			id + "'s pre-notification carries the patch":      bytes.Contains(op.Message, []byte(patchName)),
		}); err != nil {
			return err
		}
		n.say("%s (%s): multipart/encrypted=%v, decrypts with its own key=%v, draft advisory attached=%v, patch attached=%v.",
			id, d.Address, bytes.Contains(got[0].Data, []byte("multipart/encrypted")), op.Encrypted,
			strings.Contains(text, "EMBARGOED DRAFT"), bytes.Contains(op.Message, []byte(patchName)))
	}
	return nil
}

func (n *narrator) armPublication() error {
	n.title("The CNA assigns CVE-2026-12345; Alice records it and arms the announcement")
	tr, err := n.command("cve CVE-2026-12345\npublish\n")
	if err != nil {
		return err
	}
	n.say("Transcript:\n%s", indent(grepLines(tr, "ok:", "error:")))
	if !strings.Contains(tr, "armed") {
		return fmt.Errorf("the announcement was not armed")
	}
	return nil
}

func (n *narrator) crdArrives() error {
	n.title("The clock moves to the CRD: secbot announces and ends the embargo")
	var crd time.Time
	if err := n.w.View(func(tx *store.Tx) error {
		c, err := tx.Case(n.caseID)
		crd = c.Fields.CRD
		return err
	}); err != nil {
		return err
	}
	n.w.Clock.AdvanceTo(crd.Add(time.Second))
	n.w.KickScheduler()
	got, err := n.w.WaitMail(n.ctx, n.w.Announce, 1, waitTimeout)
	if err != nil {
		return err
	}
	op, err := n.w.Read(n.w.Robot, got[0])
	if err != nil {
		return fmt.Errorf("read announcement: %w", err)
	}
	if err := check(map[string]bool{
		"the announcement is multipart/signed, not encrypted": bytes.Contains(got[0].Data, []byte("multipart/signed")) && !op.Encrypted,
		"the announcement's signature is valid":               op.SignatureValid,
	}); err != nil {
		return err
	}
	n.say("%s got the announcement: signed, not encrypted (multipart/signed=%v, signature valid=%v). It begins:\n%s",
		n.w.Announce, bytes.Contains(got[0].Data, []byte("multipart/signed")), op.SignatureValid, indent(firstLines(textOf(op.Message), 14)))
	// Rita's mails so far: the ack, the key confirmation, the reply and
	// the CRD notice; now the end of the embargo.
	if _, err := n.w.WaitMail(n.ctx, n.w.Reporter.Address, 5, waitTimeout); err != nil {
		return err
	}
	for _, d := range n.w.Downstream {
		if _, err := n.w.WaitMail(n.ctx, d.Address, 2, waitTimeout); err != nil {
			return err
		}
	}
	n.say("Rita, the distros list and acme were told that the embargo is over.")
	return n.w.WaitSent(n.ctx, waitTimeout)
}

// grepLines keeps the lines that start with one of the prefixes.
func grepLines(s string, prefixes ...string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(line, p) {
				out = append(out, line)
			}
		}
	}
	return strings.Join(out, "\n")
}

func (n *narrator) restart() error {
	n.title("secbot restarts: nothing is processed twice")
	if err := n.w.WaitSent(n.ctx, waitTimeout); err != nil {
		return err
	}
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
	n.title("The case in the store (`secbot case show " + n.caseID + "` prints its full timeline)")
	return n.w.View(func(tx *store.Tx) error {
		c, err := tx.Case(n.caseID)
		if err != nil {
			return err
		}
		n.say("%s: state %s, %d messages, reporters %v.", c.ID, c.State, len(c.Messages), c.Reporters)
		for _, line := range mailbot.ReporterKeyLines(c) {
			n.say("  reporter key: %s", line)
		}
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

// website lists the files publication wrote into publish.dir.
func (n *narrator) website() error {
	n.title("The public pages publication wrote (publish.dir " + n.w.SiteDir + ")")
	if err := n.w.WaitSite(n.ctx, n.caseID, waitTimeout); err != nil {
		return err
	}
	files, err := SiteFiles(n.w.SiteDir)
	if err != nil {
		return err
	}
	if err := check(map[string]bool{"the case's page was written": slices.Contains(files, n.caseID+"/index.html")}); err != nil {
		return err
	}
	for _, f := range files {
		n.say("  %s", f)
	}
	return nil
}

// SiteFiles lists the files below dir, as sorted slash paths.
func SiteFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	sort.Strings(files)
	return files, err
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
