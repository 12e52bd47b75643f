package outmail

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

// update rewrites the golden files: go test ./mailbot/outmail -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// maxWidth is the widest a line of mail text may be (RFC 5322 section
// 2.1.1), except a line that is one word (a URL, a token) or is quoted.
const maxWidth = 78

// goldenCases are the renderings the golden test keeps: every kind, and
// the variants its template branches on.
func goldenCases(t *testing.T, f *fixture) []struct {
	name string
	kind Kind
	sp   Spec
} {
	long := "Thanks Rita, confirmed on 1.4 (1.3 is not affected). We propose Tuesday for disclosure, if that works for you and for the distributions we have to tell first.\n\n> Heap overflow in frob()\n> A long quoted line from the report that runs well past the width of the screen and is left as it is."
	td, _ := json.Marshal(TranscriptData{Header: "Commands ran.", From: "alice@demo.example", Signer: "Alice (key " + SpacedFP(f.keys.Maintainers[0].FP) + ")",
		Lines: []TranscriptLine{{Raw: "title Heap overflow in frob()", OK: true, Msg: "title set"},
			{Raw: "crd 2026-02-30", Msg: "the signed text does not name case SEC-2026-0001, and the headers that put the mail there are not signed. Quote the mail you answer."}},
		Summary: "Case SEC-2026-0001: accepted\nTitle:          Heap overflow in frob()\n", Errors: 1})
	with := func(k Kind, edit func(*Spec)) Spec {
		sp := f.specFor(t, k)
		if edit != nil {
			edit(&sp)
		}
		return sp
	}
	return []struct {
		name string
		kind Kind
		sp   Spec
	}{
		{"ack", Ack, with(Ack, nil)},
		{"relay-new", Relay, with(Relay, func(sp *Spec) { sp.New = true })},
		{"relay-problem", Relay, with(Relay, func(sp *Spec) {
			sp.Problem = "the message is encrypted, but not to the robot's key: it is kept as it came, and nobody can read it until the reporter sends it again"
		})},
		{"notice", Notice, with(Notice, func(sp *Spec) {
			sp.Title, sp.Text = "Delivery failed: reply to rita@reporter.example", "A reply mail could not be delivered and will not be retried.\n\nMessage-ID: <reply.7.0@demo.example>\nRecipients: rita@reporter.example\nAttempts:   3\n\nThe server's last reply:\n> 550 5.1.1 <rita@reporter.example>: Recipient address rejected: User unknown in virtual mailbox table"
		})},
		{"alert", Alert, with(Alert, func(sp *Spec) {
			sp.Msg = 0
			sp.Title, sp.Text = "Alert: intake is failing", "secbot has not synced with the IMAP mailbox since 2026-01-05 10:00:00 UTC (31m0s ago; alert.intake_after is 30m0s)."
		})},
		{"key-notice", KeyNotice, with(KeyNotice, func(sp *Spec) {
			sp.Msg = 0
			sp.Title, sp.Text = "The robot key was rotated", "Old key: 0000 1111\nNew key: 2222 3333"
		})},
		{"transcript", Transcript, with(Transcript, func(sp *Spec) { sp.Text = string(td) })},
		{"reply", Reply, with(Reply, func(sp *Spec) { sp.Text = long })},
		{"key-confirm", KeyConfirm, with(KeyConfirm, nil)},
		{"advisory", Advisory, with(Advisory, nil)},
		{"prenotify", Prenotify, with(Prenotify, nil)},
		{"prenotify-update", Prenotify, with(Prenotify, func(sp *Spec) {
			sp.Update, sp.Previous, sp.Changes = true, FmtTime(f.now.Add(-time.Hour)), []string{"the CRD moved", "a patch was added"}
		})},
		{"crd-notice", CRDNotice, with(CRDNotice, func(sp *Spec) { sp.Previous = FmtCRD(f.now.Add(9 * 24 * time.Hour)) })},
		{"cve-request", CVERequest, with(CVERequest, nil)},
		{"announce", Announce, with(Announce, nil)},
		{"embargo-over", EmbargoEnd, with(EmbargoEnd, nil)},
		{"reminder", Reminder, with(Reminder, func(sp *Spec) { sp.Text = "the case is not armed: send \"publish\"\nno patch is attached" })},
		{"downstream-relay", DownstreamRelay, with(DownstreamRelay, func(sp *Spec) { sp.Contact, sp.ContactSigned = "acme", true })},
		{"downstream-relay-claimed", DownstreamRelay, with(DownstreamRelay, func(sp *Spec) { sp.Contact = "acme" })},
		{"tell", Tell, with(Tell, func(sp *Spec) { sp.Text = long })},
		{"share", Share, with(Share, nil)},
		{"share-plain", SharePlain, with(SharePlain, nil)},
		{"first-reply", FirstReply, with(FirstReply, nil)},
		{"digest", Digest, with(Digest, func(sp *Spec) { sp.Digest = goldenDigest(f.now) })},
		{"digest-empty", Digest, with(Digest, nil)},
		{"credit-confirm", CreditConfirm, with(CreditConfirm, func(sp *Spec) { sp.Text = "Rita Reporter <rita@reporter.example> as finder" })},
	}
}

// goldenDigest is a digest of two open cases: one well along, one new
// and unanswered.
func goldenDigest(now time.Time) *DigestData {
	day := 24 * time.Hour
	return &DigestData{Cases: []DigestCase{
		{ID: caseID, Title: "Heap overflow in frob()", State: "accepted", Armed: true, Opened: now.Add(-12 * day), CRD: now.Add(8*day + 2*time.Hour),
			Recommended: []string{"mitigation", "workaround"}, Pending: []string{"Rita Reporter"},
			Prenotified: []DigestContact{{ID: "acme", At: now.Add(-2 * day)}, {ID: "distros", At: now.Add(-day)}}, LastMaintainer: now.Add(-30 * time.Hour)},
		{ID: "SEC-2026-0002", Title: "Crash in the config parser", State: "new", Opened: now.Add(-5 * time.Hour),
			Missing: []string{"title", "versions affected", "type", "impact", "CRD"}},
	}}
}

// TestGoldenRenderings renders every kind of mail (unsealed) and compares
// it with testdata/golden/NAME.txt: the header fields a reader sees and
// every text part, decoded. Every line of text must fit maxWidth.
func TestGoldenRenderings(t *testing.T) {
	f := newGoldenFixture(t)
	seen := map[Kind]bool{}
	for _, gc := range goldenCases(t, f) {
		seen[gc.kind] = true
		t.Run(gc.name, func(t *testing.T) {
			got := f.normalize(readable(t, f.plain(t, gc.kind, gc.sp)))
			checkWidth(t, got)
			path := filepath.Join("testdata", "golden", gc.name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s (run with -update to accept):\n%s", gc.name, path, got)
			}
		})
	}
	for _, k := range Kinds() {
		if !seen[k] {
			t.Errorf("kind %s has no golden rendering: add it to goldenCases", k)
		}
	}
}

// newGoldenFixture is the fixture at a fixed time, so that dates render
// the same on every run.
func newGoldenFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.now = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	f.cfg.Embargo.Reminder = 48 * time.Hour
	f.cfg.Robot.ProjectURL, f.cfg.Robot.KeyURL = "https://frob.example/", "https://frob.example/security/robot-key-for-reporters-to-download.asc"
	f.addCase(t)
	return f
}

// normalize replaces the keys' fingerprints, which change on every run,
// with names.
func (f *fixture) normalize(s string) string {
	names := map[string]string{f.keys.RobotFP: "ROBOT", f.keys.Maintainers[0].FP: "MAINTAINER", f.reporterFP: "REPORTER",
		f.keys.Downstream[0].FP: "CONTACT", f.keys.CNA.FP: "CNA", f.keys.Escalate.FP: "ESCALATION"}
	for fp, name := range names {
		s = strings.ReplaceAll(s, SpacedFP(fp), "<"+name+" FINGERPRINT SPACED>")
		s = strings.ReplaceAll(s, fp, "<"+name+" FINGERPRINT>")
	}
	return s
}

// readable is what a reader sees of a mail: the header fields that show,
// each text part decoded, and the names of the other parts.
func readable(t *testing.T, raw []byte) string {
	t.Helper()
	r, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, k := range []string{"From", "To", "Reply-To", "Subject", "In-Reply-To", "References"} {
		if v := r.Header.Get(k); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if ah, ok := p.Header.(*gomail.AttachmentHeader); ok {
			name, _ := ah.Filename()
			ct, _, _ := ah.ContentType()
			fmt.Fprintf(&b, "\n[attachment %s, %s]\n", name, ct)
			continue
		}
		body, err := io.ReadAll(p.Body)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "\n%s", strings.ReplaceAll(string(body), "\r\n", "\n"))
	}
	return b.String()
}

// checkWidth fails for a line of text wider than maxWidth, unless it is
// one word or quoted.
func checkWidth(t *testing.T, text string) {
	t.Helper()
	_, body, _ := strings.Cut(text, "\n\n")
	for i, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if len(line) > maxWidth && strings.Contains(trimmed, " ") && !strings.HasPrefix(trimmed, ">") {
			t.Errorf("line %d is %d wide (over %d):\n%s", i+1, len(line), maxWidth, line)
		}
	}
}
