package mailbot_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/intake"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
)

// hostileDir holds the hand-written hostile mail corpus, shared with the
// fuzz seeds (see testdata/mail/README).
const hostileDir = "../testdata/mail"

// hostileMarker is in the body of every hostile mail: no delivery and no
// log line may ever carry it in the clear.
const hostileMarker = "HOSTILE-SECRET"

// hostileExpect is what ingest must make of one hostile mail.
type hostileExpect struct {
	status string // store.Msg*
	// orphan: kept with no case (quarantined); else it must be on a case.
	orphan bool
	// reason, when set, must occur in the stored Reason.
	reason string
	// joins: the case it must join (else a new case, or none when orphan).
	joins string
}

// corpusExpect is the per-file expectation for testdata/mail. Every file
// there must have an entry, and every entry a file.
var corpusExpect = map[string]hostileExpect{
	"01-multipart-no-boundary.eml":          {status: store.MsgIngested},
	"02-wrong-boundary-unterminated.eml":    {status: store.MsgIngested},
	"03-8bit-headers.eml":                   {status: store.MsgIngested},
	"04-encoded-words-bad-charsets.eml":     {status: store.MsgIngested},
	"05-nested-rfc822.eml":                  {status: store.MsgIngested},
	"06-no-message-id.eml":                  {status: store.MsgIngested},
	"07-same-message-id-a.eml":              {status: store.MsgIngested},
	"08-same-message-id-b.eml":              {status: store.MsgIngested},
	"09-spoofed-maintainer-commands.eml":    {status: store.MsgIngested, joins: "SEC-2026-0001"},
	"10-pgp-truncated.eml":                  {status: store.MsgUndecryptable, reason: "could not be read"},
	"11-encrypted-to-another-key.eml":       {status: store.MsgUndecryptable, reason: "not to the robot's key"},
	"12-signed-garbage-signature.eml":       {status: store.MsgUndecryptable, reason: "could not be read", joins: "SEC-2026-0001"},
	"13-html-only-commands.eml":             {status: store.MsgIngested, joins: "SEC-2026-0001"},
	"14-crlf-lf-mix.eml":                    {status: store.MsgIngested},
	"15-nul-bytes.eml":                      {status: store.MsgIngested},
	"16-base64-garbage.eml":                 {status: store.MsgIngested},
	"17-header-without-colon.eml":           {status: store.MsgQuarantined, orphan: true, reason: "unreadable header"},
	"18-from-the-robot.eml":                 {status: store.MsgQuarantined, orphan: true, reason: "own mail came back"},
	"19-unknown-transfer-encoding.eml":      {status: store.MsgIngested},
	"20-encrypted-garbage-pgpmime.eml":      {status: store.MsgUndecryptable, reason: "could not be read"},
	"21-header-folding-abuse.eml":           {status: store.MsgIngested},
	"22-signed-by-maintainer-tampered.eml":  {status: store.MsgIngested, joins: "SEC-2026-0001"},
	"23-signed-by-maintainer-html-only.eml": {status: store.MsgIngested, joins: "SEC-2026-0001"},
}

type hostileMail struct {
	name string
	raw  []byte
	want hostileExpect
	// memCheck: measure the heap while this one is ingested.
	memCheck bool
}

// heapBound is the most the heap may grow while one hostile mail is
// ingested: generous, but far below what an unbounded parse of the deep
// nesting or the huge header would take.
const heapBound = 200 << 20

func TestHostileCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("hostile corpus: skipped under -short")
	}
	const maxBytes = 10 << 20
	e := newEnv(t, demo.Options{MaxMessageBytes: maxBytes})
	t.Cleanup(func() {
		if strings.Contains(e.logs.String(), hostileMarker) {
			t.Errorf("the log contains hostile mail content (%s)", hostileMarker)
		}
	})

	// A real case first, for the spoofed commands to aim at.
	e.send(e.Reporter, report("Heap overflow"))
	e.waitMail(e.Reporter.Address, 1)
	e.waitMail(e.Maintainers[1].Address, 1)
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	before := e.caseByID("SEC-2026-0001")
	auditBefore := e.auditActions("SEC-2026-0001")

	mails := append(corpusMails(t), e.generatedHostileMails(t, maxBytes)...)
	for i, hm := range mails {
		t.Run(hm.name, func(t *testing.T) {
			e.ingestHostile(t, hm, uint32(i+1))
		})
	}
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	if n := e.Bot().Panics(); n != 0 {
		t.Fatalf("%d panics while ingesting the corpus", n)
	}

	// The spoofed, garbage-signed, tampered and HTML-only commands changed
	// nothing on the case they aimed at.
	after := e.caseByID("SEC-2026-0001")
	if after.State != before.State || after.Vulns[0].Title != "" || after.Vulns[0].Severity != "" || after.Vulns[0].CVE != "" ||
		strings.Join(after.Reporters, ",") != strings.Join(before.Reporters, ",") || !after.Vulns[0].CVERequested.IsZero() {
		t.Errorf("forged commands changed the case: state %s→%s, fields %+v, reporters %v", before.State, after.State, after.Fields, after.Reporters)
	}
	for _, a := range e.auditActions("SEC-2026-0001")[len(auditBefore):] {
		if a != "message" {
			t.Errorf("forged commands left audit entry %q", a)
		}
	}
	if n := len(e.Sim.To(e.Reporter.Address)); n != 1 {
		t.Errorf("the reporter got %d mails, want only the ack (a forged reply went out?)", n)
	}
	if n := len(e.Sim.To("mallory@evil.example")); n != 2 {
		// 01 and 02 open cases from mallory and are acknowledged; the
		// spoofed command's reply (Reply-To mallory) must not go out.
		t.Errorf("mallory got %d mails, want 2 acknowledgements", n)
	}

	// Nothing of any hostile mail left in the clear: every mail to a
	// maintainer is encrypted, and no delivery carries the marker.
	maint := map[string]bool{}
	for _, m := range e.Maintainers {
		maint[m.Address] = true
	}
	for _, d := range e.Sim.Deliveries() {
		if bytes.Contains(d.Data, []byte(hostileMarker)) {
			t.Errorf("a mail to %v carries hostile content in the clear", d.To)
		}
		if maint[d.To[0]] && !bytes.Contains(d.Data[:min(len(d.Data), 4096)], []byte("multipart/encrypted")) {
			t.Errorf("a mail to maintainer %v is not encrypted", d.To)
		}
	}
}

// corpusMails reads testdata/mail and the per-file expectations.
func corpusMails(t *testing.T) []hostileMail {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(hostileDir, "*.eml"))
	if err != nil || len(files) < 15 {
		t.Fatalf("hostile corpus: %d files (%v)", len(files), err)
	}
	sort.Strings(files)
	seen := map[string]bool{}
	var out []hostileMail
	for _, f := range files {
		name := filepath.Base(f)
		want, ok := corpusExpect[name]
		if !ok {
			t.Errorf("%s has no expectation in corpusExpect", name)
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seen[name] = true
		out = append(out, hostileMail{name: name, raw: raw, want: want})
	}
	for name := range corpusExpect {
		if !seen[name] && !strings.HasPrefix(name, "22-") && !strings.HasPrefix(name, "23-") {
			t.Errorf("corpusExpect names %s, which is not in %s", name, hostileDir)
		}
	}
	return out
}

// generatedHostileMails are the cases too big to commit, or that need
// the world's keys (a maintainer's valid signature).
func (e *env) generatedHostileMails(t *testing.T, maxBytes int) []hostileMail {
	t.Helper()
	hdr := "From: Gen <gen@reporter.example>\r\nTo: security@demo.example\r\n"
	var out []hostileMail

	// > 1 MiB of header fields, no blank line in the first MiB.
	var huge bytes.Buffer
	huge.WriteString(hdr + "Subject: huge header\r\nMessage-ID: <gen-huge-header@reporter.example>\r\n")
	for i := 0; huge.Len() < 3<<19; i++ {
		fmt.Fprintf(&huge, "X-Junk-%d: %s\r\n", i, strings.Repeat("j", 200))
	}
	huge.WriteString("\r\n" + hostileMarker + "-huge\r\n")
	out = append(out, hostileMail{name: "gen-header-over-1MiB", raw: huge.Bytes(), memCheck: true,
		want: hostileExpect{status: store.MsgQuarantined, orphan: true, reason: "larger than 1 MiB"}})

	// Just under the limit: 60000 tiny fields, which the parser must walk.
	var many bytes.Buffer
	many.WriteString(hdr + "Subject: many header fields\r\nMessage-ID: <gen-many-fields@reporter.example>\r\n")
	for i := 0; many.Len() < 1<<20-64; i++ {
		fmt.Fprintf(&many, "X-%d: v\r\n", i)
	}
	many.WriteString("\r\n" + hostileMarker + "-many\r\n")
	out = append(out, hostileMail{name: "gen-header-many-fields", raw: many.Bytes(), memCheck: true,
		want: hostileExpect{status: store.MsgIngested}})

	// A multipart bomb: thousands of nested multiparts.
	const depth = 5000
	var bomb bytes.Buffer
	bomb.WriteString(hdr + "Subject: nested multiparts\r\nMessage-ID: <gen-multipart-bomb@reporter.example>\r\nMIME-Version: 1.0\r\n")
	for i := range depth {
		fmt.Fprintf(&bomb, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i)
	}
	bomb.WriteString("Content-Type: text/plain\r\n\r\n" + hostileMarker + "-bomb\r\n")
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&bomb, "--b%d--\r\n", i)
	}
	out = append(out, hostileMail{name: "gen-nested-multipart-5000", raw: bomb.Bytes(), memCheck: true,
		want: hostileExpect{status: store.MsgIngested}})

	// Thousands of nested message/rfc822, with a PGP/MIME-looking core.
	var fwd bytes.Buffer
	fwd.WriteString(hdr + "Subject: nested forwards\r\nMessage-ID: <gen-rfc822-bomb@reporter.example>\r\nMIME-Version: 1.0\r\n")
	for range depth {
		fwd.WriteString("Content-Type: message/rfc822\r\n\r\nSubject: fwd\r\n")
	}
	fwd.WriteString("Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=e\r\n\r\n--e\r\n\r\nVersion: 1\r\n--e\r\n\r\n" + hostileMarker + "-fwd\r\n--e--\r\n")
	out = append(out, hostileMail{name: "gen-nested-rfc822-5000", raw: fwd.Bytes(), memCheck: true,
		want: hostileExpect{status: store.MsgIngested}})

	// A part header of many MiB (the top-level header is bounded, part
	// headers are not), still under the size limit.
	var ph bytes.Buffer
	ph.WriteString(hdr + "Subject: huge part header\r\nMessage-ID: <gen-part-header@reporter.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=p\r\n\r\n--p\r\n")
	for i := 0; ph.Len() < 3<<19; i++ {
		fmt.Fprintf(&ph, "X-%d: v\r\n", i)
	}
	ph.WriteString("Content-Type: text/plain\r\n\r\n" + hostileMarker + "-part\r\n-----BEGIN PGP PUBLIC KEY BLOCK-----\r\n--p--\r\n")
	out = append(out, hostileMail{name: "gen-part-header-1.5MiB", raw: ph.Bytes(), memCheck: true,
		want: hostileExpect{status: store.MsgQuarantined, orphan: true, reason: "larger than 1 MiB"}})

	// Over the size limit: only the header is fetched and kept.
	big := []byte(hdr + "Subject: too big\r\nMessage-ID: <gen-too-big@reporter.example>\r\n\r\n" +
		strings.Repeat(hostileMarker+"-big padding padding padding\r\n", maxBytes/40+1000))
	out = append(out, hostileMail{name: "gen-over-size-limit", raw: big, memCheck: true,
		want: hostileExpect{status: store.MsgTooBig, reason: "over the limit"}})

	// Empty and header-only mail.
	out = append(out,
		hostileMail{name: "gen-only-blank-line", raw: []byte("\r\n"), want: hostileExpect{status: store.MsgIngested}},
		hostileMail{name: "gen-header-no-body", raw: []byte(hdr + "Subject: no body, no blank line"), want: hostileExpect{status: store.MsgIngested}},
	)

	// A maintainer's real signature over commands, then the signed text
	// changed: the signature no longer verifies, nothing may run.
	alice := e.Maintainers[0]
	signed, _, err := e.Compose(alice, demo.Mail{Subject: "Re: [SEC-2026-0001] tampered", Body: "close\ntitle Tampered\n\nok\n", Sign: true})
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Replace(signed, []byte("close\r\ntitle Tampered"), []byte("accept\r\ntitle Tampered"), 1)
	if bytes.Equal(tampered, signed) {
		t.Fatal("could not tamper with the signed mail")
	}
	tampered = bytes.Replace(tampered, []byte("\r\n\r\nok\r\n"), []byte("\r\n\r\n"+hostileMarker+"-tampered\r\n"), 1)
	out = append(out, hostileMail{name: "22-signed-by-maintainer-tampered.eml", raw: tampered, want: corpusExpect["22-signed-by-maintainer-tampered.eml"]})

	// A valid maintainer signature over an HTML-only body holding commands:
	// HTML is never read for commands.
	html := []byte("From: Alice Maintainer <alice@demo.example>\r\nTo: security@demo.example\r\nSubject: Re: [SEC-2026-0001] html\r\n" +
		"Message-ID: <gen-signed-html@demo.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		"<pre>\r\nclose\r\ntitle From HTML\r\n</pre>\r\n")
	signedHTML, err := pgpmime.Sign(html, alice.Key)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, hostileMail{name: "23-signed-by-maintainer-html-only.eml", raw: signedHTML, want: corpusExpect["23-signed-by-maintainer-html-only.eml"]})
	return out
}

// ingestHostile appends one mail to the robot's INBOX, waits until it is
// stored, and checks what ingest made of it.
func (e *env) ingestHostile(t *testing.T, hm hostileMail, uid uint32) {
	count := e.incomingCount(t)
	var peak atomic.Uint64
	var base uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	if hm.memCheck {
		// The sender renders and encrypts the relays of the mail before;
		// only ingest is measured.
		if err := e.WaitSent(e.ctx, wait); err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base = ms.HeapAlloc
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(2 * time.Millisecond)
			defer tick.Stop()
			for {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak.Load() {
					peak.Store(ms.HeapAlloc)
				}
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}()
	}
	start := time.Now()
	// Straight into the real ingest, as the intake hands it over: the
	// in-process IMAP server re-serializes what it cannot parse, and the
	// corpus must reach secbot byte for byte.
	msg := intake.Message{UID: uid, Size: int64(len(hm.raw)), InternalDate: time.Now(), Raw: hm.raw}
	if hm.want.status == store.MsgTooBig {
		end := bytes.Index(hm.raw, []byte("\r\n\r\n"))
		msg.Raw, msg.TooBig = hm.raw[:end+4], true
	}
	err := e.Bot().Deliver(e.ctx, "hostile", 1, []intake.Message{msg})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("deliver: %v", err)
	}
	m := e.newestIncoming(t, count)
	if m == nil {
		t.Fatal("deliver committed, but nothing was stored")
	}
	if hm.memCheck {
		growth := int64(peak.Load()) - int64(base)
		t.Logf("%d bytes in %v, heap growth at peak %.1f MiB", len(hm.raw), time.Since(start).Round(time.Millisecond), float64(growth)/(1<<20))
		if growth > heapBound {
			t.Errorf("heap grew by %d MiB while ingesting it (bound %d MiB)", growth>>20, heapBound>>20)
		}
	}

	w := hm.want
	if m.Status != w.status {
		t.Errorf("status %q (reason %q), want %q", m.Status, m.Reason, w.status)
	}
	if w.status != store.MsgIngested && m.Reason == "" {
		t.Errorf("status %q with no reason", m.Status)
	}
	if w.reason != "" && !strings.Contains(m.Reason, w.reason) {
		t.Errorf("reason %q, want it to mention %q", m.Reason, w.reason)
	}
	switch {
	case w.orphan && m.Case != "":
		t.Errorf("on case %s, want it kept on no case", m.Case)
	case !w.orphan && m.Case == "":
		t.Errorf("on no case (status %s, reason %q)", m.Status, m.Reason)
	case w.joins != "" && m.Case != w.joins:
		t.Errorf("on case %s, want it to join %s", m.Case, w.joins)
	case w.joins == "" && !w.orphan && m.Case == "SEC-2026-0001":
		t.Errorf("joined SEC-2026-0001")
	}
	if m.Signer != "" && !strings.Contains(hm.name, "html-only") {
		t.Errorf("counted as signed by %s", m.Signer)
	}
	if strings.Contains(hm.name, "signed-by-maintainer-html-only") && m.Signer == "" {
		t.Errorf("the maintainer's valid signature did not verify")
	}
	// Kept as it came (a too-big mail: its header only).
	var kept []byte
	if err := e.View(func(tx *store.Tx) error { kept = bytes.Clone(tx.Raw(m.Key)); return nil }); err != nil {
		t.Fatal(err)
	}
	if w.status == store.MsgTooBig {
		if len(kept) == 0 || len(kept) > 64<<10 || !bytes.HasPrefix(hm.raw, kept) {
			t.Errorf("too-big mail: kept %d bytes, want its header", len(kept))
		}
	} else if !bytes.Equal(kept, hm.raw) {
		t.Errorf("raw bytes not kept as they came: stored %d bytes, sent %d", len(kept), len(hm.raw))
	}
	if n := e.Bot().Panics(); n != 0 {
		t.Fatalf("%d panics", n)
	}
}

// incomingCount is the number of stored incoming messages.
func (e *env) incomingCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.View(func(tx *store.Tx) error { n = tx.MessageCount(); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// newestIncoming returns the message stored after the first count, or nil.
func (e *env) newestIncoming(t *testing.T, count int) *store.Message {
	t.Helper()
	var m *store.Message
	err := e.View(func(tx *store.Tx) error {
		if tx.MessageCount() <= count {
			return nil
		}
		var err error
		m, err = tx.Message(uint64(count + 1))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *env) auditActions(caseID string) []string {
	e.t.Helper()
	var out []string
	if err := e.View(func(tx *store.Tx) error {
		log, err := tx.AuditLog(caseID)
		for _, a := range log {
			out = append(out, a.Action)
		}
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}
