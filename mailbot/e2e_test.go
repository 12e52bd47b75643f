package mailbot_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"
	"github.com/emersion/go-smtp"

	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/intake"
	"github.com/secbot/secbot/mailbot/mailsim"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
)

const wait = 20 * time.Second

// logBuffer collects every log line of a test run, so that tests can
// assert that no report text or secret was logged.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

type env struct {
	*demo.World
	t    *testing.T
	ctx  context.Context
	logs *logBuffer
}

// newEnv starts a world with a running bot and checks, at the end, that
// no panic was counted and that nothing secret reached the log.
func newEnv(t *testing.T, opts demo.Options) *env {
	t.Helper()
	logs := &logBuffer{}
	opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w, err := demo.NewWorld(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &env{World: w, t: t, ctx: ctx, logs: logs}
	t.Cleanup(func() {
		if b := w.Bot(); b != nil && b.Panics() != 0 {
			t.Errorf("%d panics counted", b.Panics())
		}
		cancel()
		if err := w.Close(); err != nil {
			t.Errorf("close world: %v", err)
		}
		for _, secret := range []string{"SECRET-REPORT-TEXT", mailsim.Password + "\"", "frobnicate"} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("log contains %q", secret)
			}
		}
	})
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) send(from demo.Person, m demo.Mail) string {
	e.t.Helper()
	id, err := e.Send(from, m)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) waitMail(addr string, n int) []mailsim.Delivery {
	e.t.Helper()
	got, err := e.WaitMail(e.ctx, addr, n, wait)
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}

func (e *env) read(p demo.Person, d mailsim.Delivery) *pgpmime.Opened {
	e.t.Helper()
	op, err := e.Read(p, d)
	if err != nil {
		e.t.Fatalf("%s cannot read mail: %v", p.Address, err)
	}
	return op
}

func (e *env) cases() []*store.Case {
	e.t.Helper()
	var out []*store.Case
	if err := e.View(func(tx *store.Tx) error {
		var err error
		out, err = tx.Cases()
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func report(subject string) demo.Mail {
	return demo.Mail{Subject: subject, Body: "SECRET-REPORT-TEXT: frobnicate() overflows.\n"}
}

func TestReportIsAcknowledgedAndRelayedEncrypted(t *testing.T) {
	e := newEnv(t, demo.Options{})
	e.send(e.Reporter, report("Heap overflow"))

	ack := e.waitMail(e.Reporter.Address, 1)[0]
	for _, want := range []string{"[SEC-2026-0001]", "multipart/signed", "Reproduction details", "credited", "disclosure date", spaced(e.Robot.Key.GetFingerprint())} {
		if !bytes.Contains(ack.Data, []byte(want)) {
			t.Errorf("ack lacks %q", want)
		}
	}
	robotPub, _ := e.Robot.Key.ToPublic()
	verify, _ := crypto.NewKeyRing(robotPub)
	if op, err := pgpmime.Open(ack.Data, nil, verify); err != nil || !op.SignatureValid {
		t.Errorf("ack signature does not verify: %v %+v", err, op)
	}

	for i, m := range e.Maintainers {
		relay := e.waitMail(m.Address, 1)[0]
		if !bytes.Contains(relay.Data, []byte("multipart/encrypted")) {
			t.Fatalf("relay to %s is not multipart/encrypted", m.Address)
		}
		if bytes.Contains(relay.Data, []byte("SECRET-REPORT-TEXT")) {
			t.Fatalf("relay to %s carries the report in the clear", m.Address)
		}
		op := e.read(m, relay)
		if !op.Encrypted || !op.SignatureValid {
			t.Errorf("relay to %s: encrypted=%v signed-valid=%v", m.Address, op.Encrypted, op.SignatureValid)
		}
		for _, want := range []string{"SECRET-REPORT-TEXT", "From:      " + e.Reporter.Address, "[SEC-2026-0001] Heap overflow"} {
			if !bytes.Contains(op.Message, []byte(want)) {
				t.Errorf("decrypted relay to %s lacks %q", m.Address, want)
			}
		}
		other := e.Maintainers[1-i]
		if _, err := e.Read(other, relay); err == nil {
			t.Errorf("relay to %s decrypts with %s's key", m.Address, other.Address)
		}
	}
}

func spaced(fp string) string {
	fp = strings.ToUpper(fp)
	var parts []string
	for i := 0; i < len(fp); i += 4 {
		parts = append(parts, fp[i:i+4])
	}
	return strings.Join(parts, " ")
}

func TestRepliesJoinTheirCase(t *testing.T) {
	e := newEnv(t, demo.Options{})
	id := e.send(e.Reporter, report("first"))
	ack := e.waitMail(e.Reporter.Address, 1)[0]
	ackID := messageID(t, ack.Data)

	tests := []struct {
		name string
		mail demo.Mail
	}{
		{"in-reply-to the ack", demo.Mail{Subject: "more", Body: "x", InReplyTo: ackID}},
		{"references the report", demo.Mail{Subject: "more", Body: "x", InReplyTo: "unknown@x", References: []string{id}}},
		{"plus address", demo.Mail{To: "security+sec-2026-0001@" + demo.Domain, Subject: "more", Body: "x"}},
		{"subject tag", demo.Mail{Subject: "Re: [SEC-2026-0001] more", Body: "x"}},
		{"encrypted reply", demo.Mail{Subject: "Re: [SEC-2026-0001] more", Body: "x", Encrypt: true}},
	}
	for i, tt := range tests {
		e.send(e.Reporter, tt.mail)
		e.waitMail(e.Maintainers[0].Address, 2+i)
		cases := e.cases()
		if len(cases) != 1 || len(cases[0].Messages) != 2+i {
			t.Fatalf("%s: %d cases, first has %d messages; want 1 case with %d", tt.name, len(cases), len(cases[0].Messages), 2+i)
		}
	}
	if n := len(e.Sim.To(e.Reporter.Address)); n != 1 {
		t.Errorf("reporter got %d mails, want only the one ack", n)
	}
}

func TestRestartReprocessesNothingAndLosesNothing(t *testing.T) {
	e := newEnv(t, demo.Options{})
	e.send(e.Reporter, report("one"))
	e.waitMail(e.Maintainers[1].Address, 1)
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	// Mail that arrives while secbot is down is taken on the next start.
	e.send(e.Reporter, report("two"))
	e.send(e.Reporter, report("three"))
	if err := e.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.waitMail(e.Maintainers[1].Address, 3)
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	before := len(e.Sim.Deliveries())
	if err := e.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.WaitIdle(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	if cases := e.cases(); len(cases) != 3 {
		t.Fatalf("%d cases, want 3", len(cases))
	}
	// A restart must send nothing new; give a wrongly re-queued mail the
	// chance to show up before counting.
	e.Sim.WaitFor(ctxTimeout(t, 500*time.Millisecond), func() bool { return len(e.Sim.Deliveries()) > before })
	if after := len(e.Sim.Deliveries()); after != before {
		t.Fatalf("restart sent %d more mails", after-before)
	}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestUndecryptableReportIsKeptAndMaintainersAreTold(t *testing.T) {
	e := newEnv(t, demo.Options{})
	stranger, err := pgpmime.GenerateKey("Stranger", "s@x.example", "x25519")
	if err != nil {
		t.Fatal(err)
	}
	strangerKey, _ := pgpmime.ReadKey([]byte(stranger))
	raw, _, err := e.Compose(e.Reporter, demo.Mail{Subject: "secret", Body: "SECRET-REPORT-TEXT"})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := pgpmime.Encrypt(raw, []*crypto.Key{strangerKey}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Sim.Send(e.Reporter.Address, []string{e.Robot.Address}, enc); err != nil {
		t.Fatal(err)
	}
	relay := e.waitMail(e.Maintainers[0].Address, 1)[0]
	op := e.read(e.Maintainers[0], relay)
	if !bytes.Contains(op.Message, []byte("encrypted, but not to the robot's key")) {
		t.Errorf("maintainers were not told the report could not be decrypted")
	}
	err = e.View(func(tx *store.Tx) error {
		m, err := tx.Message(1)
		if err != nil {
			return err
		}
		if m.Status != store.MsgUndecryptable || !bytes.Equal(tx.Raw(1), enc) {
			return fmt.Errorf("message kept as %q, raw equal=%v", m.Status, bytes.Equal(tx.Raw(1), enc))
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

func TestTooBigMessageIsRecordedNotParsed(t *testing.T) {
	e := newEnv(t, demo.Options{MaxMessageBytes: 64 << 10})
	body := strings.Repeat("SECRET-REPORT-TEXT padding padding padding\r\n", 3000)
	e.send(e.Reporter, demo.Mail{Subject: "huge", Body: body})
	relay := e.waitMail(e.Maintainers[0].Address, 1)[0]
	op := e.read(e.Maintainers[0], relay)
	if !bytes.Contains(op.Message, []byte("over the limit")) {
		t.Errorf("maintainers were not told the message was too big")
	}
	cases := e.cases()
	if len(cases) != 1 {
		t.Fatalf("%d cases", len(cases))
	}
	e.View(func(tx *store.Tx) error {
		m, _ := tx.Message(cases[0].Messages[0])
		if m.Status != store.MsgTooBig || len(tx.Raw(m.Key)) > 64<<10 {
			t.Errorf("status %q, kept %d bytes", m.Status, len(tx.Raw(m.Key)))
		}
		return nil
	})
}

func TestAutomaticMailIsNotAcknowledged(t *testing.T) {
	e := newEnv(t, demo.Options{})
	raw, _, err := e.Compose(e.Reporter, demo.Mail{Subject: "Out of office", Body: "away"})
	if err != nil {
		t.Fatal(err)
	}
	raw = append([]byte("Auto-Submitted: auto-replied\r\n"), raw...)
	if err := e.Sim.Send(e.Reporter.Address, []string{e.Robot.Address}, raw); err != nil {
		t.Fatal(err)
	}
	e.waitMail(e.Maintainers[0].Address, 1)
	if err := e.WaitIdle(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	if n := len(e.Sim.To(e.Reporter.Address)); n != 0 {
		t.Errorf("auto-reply was acknowledged (%d mails)", n)
	}
}

func TestPermanentDeliveryFailureTellsMaintainers(t *testing.T) {
	e := newEnv(t, demo.Options{SMTPFail: func(rcpt string, _ int) *smtp.SMTPError {
		if strings.HasPrefix(rcpt, "rita@") {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	}})
	// The reporter's own submission is refused by the rule above, so the
	// report is appended as an MTA would deliver it.
	raw, _, err := e.Compose(e.Reporter, report("bounce me"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Sim.Append(e.Robot.Address, raw); err != nil {
		t.Fatal(err)
	}
	got := e.waitMail(e.Maintainers[0].Address, 2) // the relay, then the notice
	var found bool
	for _, d := range got {
		op := e.read(e.Maintainers[0], d)
		if bytes.Contains(op.Message, []byte("Delivery failed")) && bytes.Contains(op.Message, []byte("550")) {
			found = true
		}
	}
	if !found {
		t.Fatal("no delivery-failure notice reached the maintainer")
	}
	e.View(func(tx *store.Tx) error {
		om, err := tx.OutMail("ack.SEC-2026-0001@" + demo.Domain)
		if err != nil || om.State != store.OutFailed || om.Attempts != 1 {
			t.Errorf("ack entry: %+v %v; want failed after 1 attempt", om, err)
		}
		return nil
	})
}

func TestMaintainerWithoutUsableKeyGetsNothing(t *testing.T) {
	e := newEnv(t, demo.Options{SkipCheck: true, ConfigExtra: "\n[[maintainer]]\nname = \"Carol NoKey\"\naddress = \"carol@demo.example\"\nkey_file = \"keys/missing.asc\"\n"})
	e.send(e.Reporter, report("x"))
	e.waitMail(e.Maintainers[1].Address, 1)
	if err := e.WaitIdle(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	if n := len(e.Sim.To("carol@demo.example")); n != 0 {
		t.Errorf("carol got %d mails without a key", n)
	}
	if !strings.Contains(e.logs.String(), "Carol NoKey") || !strings.Contains(e.logs.String(), "no usable key") {
		t.Errorf("no loud error naming carol in the log")
	}
}

func messageID(t *testing.T, raw []byte) string {
	t.Helper()
	for _, line := range strings.Split(string(raw), "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Message-Id") {
			return strings.Trim(strings.TrimSpace(v), "<>")
		}
	}
	t.Fatal("no Message-Id")
	return ""
}

func TestRescanAfterUIDValidityChangeRecordsNothingTwice(t *testing.T) {
	e := newEnv(t, demo.Options{})
	raw, _, err := e.Compose(e.Reporter, report("once"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Sim.Append(e.Robot.Address, raw); err != nil {
		t.Fatal(err)
	}
	e.waitMail(e.Maintainers[0].Address, 1)
	// The mailbox is rebuilt under a new UIDVALIDITY: the same mail comes
	// back with a header the server added. A different mail reusing the
	// Message-ID is still kept.
	again := append([]byte("Received: from rebuild by imap.example; Wed, 25 Nov 2026 12:00:00 +0000\r\n"), raw...)
	other := bytes.Replace(raw, []byte("SECRET-REPORT-TEXT"), []byte("SECRET-REPORT-TEXT, another mail"), 1)
	msgs := []intake.Message{{UID: 1, Raw: again}, {UID: 2, Raw: other}}
	if err := e.Bot().Deliver(e.ctx, "INBOX", 424242, msgs); err != nil {
		t.Fatal(err)
	}
	var n int
	e.View(func(tx *store.Tx) error { n = tx.MessageCount(); return nil })
	if n != 2 {
		t.Errorf("%d messages stored, want 2 (the rescanned copy is a duplicate, the other mail is not)", n)
	}
	// Rebuilt once more: both mails, the one holding the Message-ID and
	// the one indexed by its dedupe key, are known.
	if err := e.Bot().Deliver(e.ctx, "INBOX", 434343, []intake.Message{{UID: 1, Raw: raw}, {UID: 2, Raw: other}}); err != nil {
		t.Fatal(err)
	}
	e.View(func(tx *store.Tx) error { n = tx.MessageCount(); return nil })
	if n != 2 {
		t.Errorf("after a second rebuild %d messages stored, want 2", n)
	}
}

func TestOneUnrecordableMessageDoesNotHoldUpTheMailbox(t *testing.T) {
	e := newEnv(t, demo.Options{})
	// A References list of 40 KB ids used to be fine, but a bug or a limit
	// in recording one message must never stop the rest: the bad one is
	// quarantined, the next report is handled.
	long := "<" + strings.Repeat("a", 40000) + "@evil.example>"
	raw := "From: x@evil.example\r\nTo: " + e.Robot.Address + "\r\nMessage-ID: " + long + "\r\nSubject: hi\r\n\r\nbody\r\n"
	if err := e.Sim.Append(e.Robot.Address, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	e.send(e.Reporter, report("after the bad one"))
	e.waitMail(e.Reporter.Address, 1)
	e.waitMail(e.Maintainers[0].Address, 2)
	if cases := e.cases(); len(cases) != 2 {
		t.Errorf("%d cases, want 2", len(cases))
	}
}

func TestReporterKeyIsNeverReplacedByMail(t *testing.T) {
	e := newEnv(t, demo.Options{})
	pub, _ := e.Reporter.Key.GetArmoredPublicKey()
	e.send(e.Reporter, demo.Mail{Subject: "bug", Body: "SECRET-REPORT-TEXT\n\n" + pub + "\n"})
	e.waitMail(e.Maintainers[0].Address, 1)
	// Mallory forges the reporter's From with a key naming the reporter.
	armored, err := pgpmime.GenerateKey("Rita Reporter", e.Reporter.Address, "x25519")
	if err != nil {
		t.Fatal(err)
	}
	mallory, _ := pgpmime.ReadKey([]byte(armored))
	malloryPub, _ := mallory.GetArmoredPublicKey()
	e.send(e.Reporter, demo.Mail{Subject: "Re: [SEC-2026-0001] bug", Body: "new key:\n" + malloryPub + "\n"})
	e.waitMail(e.Maintainers[0].Address, 2)
	c := e.cases()[0]
	k := c.UsableKey(e.Reporter.Address)
	if k == nil || k.Source != store.KeySourceReport {
		t.Fatalf("reporter key %+v, want the one from the report", k)
	}
	if got := keyFP(t, k.Armored); !strings.EqualFold(got, e.Reporter.Key.GetFingerprint()) {
		t.Errorf("reporter key is now %s, want the first one %s", got, e.Reporter.Key.GetFingerprint())
	}
}

func keyFP(t *testing.T, armored string) string {
	t.Helper()
	k, err := pgpmime.ReadKey([]byte(armored))
	if err != nil {
		t.Fatalf("stored key: %v", err)
	}
	return k.GetFingerprint()
}

// TestRescanAfterForgedOutgoingID: a mail that forged the Message-ID of
// an acknowledgement secbot is about to send loses the id to secbot's
// mail, and is still known when the mailbox is re-scanned.
func TestRescanAfterForgedOutgoingID(t *testing.T) {
	e := newEnv(t, demo.Options{})
	raw := []byte("From: mallory@evil.example\r\nTo: " + e.Robot.Address +
		"\r\nMessage-ID: <ack.SEC-" + strconv.Itoa(e.Clock.Now().Year()) + "-0002@" + demo.Domain + ">\r\nSubject: first\r\n\r\nfirst report body\r\n")
	if err := e.Sim.Append(e.Robot.Address, raw); err != nil {
		t.Fatal(err)
	}
	e.waitMail(e.Maintainers[0].Address, 1)
	e.send(e.Reporter, report("second"))
	e.waitMail(e.Reporter.Address, 1)
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	var before, after int
	e.View(func(tx *store.Tx) error { before = tx.MessageCount(); return nil })
	if err := e.Bot().Deliver(e.ctx, "INBOX", 999, []intake.Message{{UID: 1, Raw: raw}}); err != nil {
		t.Fatal(err)
	}
	e.View(func(tx *store.Tx) error { after = tx.MessageCount(); return nil })
	if after != before {
		t.Fatalf("the re-scanned mail was recorded again: %d messages before, %d after", before, after)
	}
}

// TestUnwritableDateIsKeptInUTC: a Date with a zone of 24 hours, which
// the parsers accept and the store could not write, neither stops the
// intake nor loses the report.
func TestUnwritableDateIsKeptInUTC(t *testing.T) {
	e := newEnv(t, demo.Options{})
	raw := "From: " + e.Reporter.Address + "\r\nTo: " + e.Robot.Address + "\r\nMessage-ID: <zone@reporter.example>\r\n" +
		"Date: Wed, 25 Nov 2026 10:00:00 -2400\r\nSubject: odd zone\r\n\r\nSECRET-REPORT-TEXT\r\n"
	if err := e.Sim.Append(e.Robot.Address, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	e.waitMail(e.Reporter.Address, 1)
	e.View(func(tx *store.Tx) error {
		m, err := tx.Message(1)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC); !m.Date.Equal(want) || m.Date.Location() != time.UTC {
			t.Errorf("date = %v, want %v in UTC", m.Date, want)
		}
		return nil
	})
}

// TestFailureNoticesAreRateLimited: the first mail that fails for good
// is told at once; those that fail within alert.every after it are held
// and told together in one notice when the period ends, each with its
// recipients and the server's reply.
func TestFailureNoticesAreRateLimited(t *testing.T) {
	e := newEnv(t, demo.Options{SMTPFail: func(rcpt string, _ int) *smtp.SMTPError {
		if strings.HasPrefix(rcpt, "rita@") {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	}})
	for i, subject := range []string{"first bounce", "second bounce", "third bounce"} {
		raw, _, err := e.Compose(e.Reporter, report(subject))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Sim.Append(e.Robot.Address, raw); err != nil {
			t.Fatal(err)
		}
		e.waitMail(e.Maintainers[0].Address, 2+i) // the relays, and the one notice
		if err := e.WaitSent(e.ctx, wait); err != nil {
			t.Fatal(err)
		}
	}
	notices := func() (texts []string) {
		for _, d := range e.Sim.To(e.Maintainers[0].Address) {
			if text := string(e.read(e.Maintainers[0], d).Message); strings.Contains(text, "Delivery failed") {
				texts = append(texts, text)
			}
		}
		return texts
	}
	if got := notices(); len(got) != 1 || !strings.Contains(got[0], "ack.SEC-2026-0001@") {
		t.Fatalf("%d failure notices before the period ended, want the first one alone", len(got))
	}
	e.Clock.Advance(7 * time.Hour) // past alert.every (6h)
	e.KickScheduler()
	e.waitMail(e.Maintainers[0].Address, 5)
	got := notices()
	if len(got) != 2 {
		t.Fatalf("%d failure notices after the period, want 2", len(got))
	}
	for _, want := range []string{"2 more mail(s)", "ack.SEC-2026-0002@", "ack.SEC-2026-0003@", "no such user", "rita@reporter.example"} {
		if !strings.Contains(got[1], want) {
			t.Errorf("the held failures' notice lacks %q:\n%s", want, got[1])
		}
	}
}
