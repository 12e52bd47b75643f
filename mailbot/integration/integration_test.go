package integration

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Test domains: Postfix accepts mail for these and hands it to Dovecot.
const (
	projectDomain  = "project.test"
	reporterDomain = "reporter.test"
	acmeDomain     = "acme.test"
)

// maxIdleLatency bounds how long secbot may take to notice a new mail.
// poll_interval is 60s, so only IDLE can meet it.
const maxIdleLatency = 20 * time.Second

// peers are the people of the story, each with a GnuPG home.
type peers struct {
	robot, alice, bob, rita, acme *gpgPerson
}

// story is the state the steps of TestRealPeers share.
type story struct {
	t       *testing.T
	dir     string
	dovecot *dovecotServer
	postfix *postfixServer
	secbot  *daemon
	bin     string
	config  string
	peers
	caseID  string
	relayID string // Message-ID of the relay alice got
	seen    map[string]int
}

// TestRealPeers runs the built secbot binary against a real Dovecot and a
// real Postfix, with gpg as reporter, maintainers and downstream.
func TestRealPeers(t *testing.T) {
	tl := requireTools(t)
	dir := worldReadableTempDir(t)

	// The build runs while keys are made and servers start; a failed
	// test stops it before its directory is removed.
	buildCtx, cancelBuild := context.WithCancel(context.Background())
	buildDone := make(chan struct{})
	var bin string
	var buildErr error
	go func() {
		defer close(buildDone)
		bin, buildErr = buildSecbot(buildCtx, dir)
	}()
	t.Cleanup(func() { cancelBuild(); <-buildDone })

	s := &story{t: t, dir: dir, peers: makePeers(t, tl, dir), seen: map[string]int{}}
	users := []string{s.robot.Address, s.alice.Address, s.bob.Address, s.rita.Address, s.acme.Address}
	s.dovecot = startDovecot(t, tl, dir, users, dovecotOptions{rawlogUser: s.robot.Address})
	s.postfix = startPostfix(t, tl, dir, []string{projectDomain, reporterDomain, acmeDomain}, users, s.dovecot.lmtpAddr)

	<-buildDone
	if buildErr != nil {
		t.Fatalf("build secbot: %v", buildErr)
	}
	s.bin = bin
	s.config = writeSecbotConfig(t, dir, secbotWorld{
		robot: s.robot, maintainers: []*gpgPerson{s.alice, s.bob}, downstream: s.acme,
		imapAddr: s.dovecot.imapAddr, smtpAddr: s.postfix.smtpAddr,
	})
	if out := secbotCLI(t, s.bin, "check", "-c", s.config); !strings.Contains(out, "config ok") {
		t.Fatalf("secbot check: %s", out)
	}

	s.startSecbot("secbot")
	for _, step := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"report acknowledged via IDLE", s.reportIsAcknowledged},
		{"relays decrypt with gpg", s.relaysDecrypt},
		{"gpg-signed command obeyed", s.commandObeyed},
		{"downstream pre-notification", s.prenotifyDownstream},
	} {
		start := time.Now()
		step.run(t)
		t.Logf("step %q passed in %s", step.name, time.Since(start).Round(time.Millisecond))
	}
}

// makePeers generates every key with gpg (the reporter has none) and lets
// each peer trust the robot's public key, as one who checked its
// fingerprint would.
func makePeers(t *testing.T, tl tools, dir string) peers {
	p := peers{
		robot: newGPGPerson(t, tl, dir, "Frob security team", "security@"+projectDomain, true),
		alice: newGPGPerson(t, tl, dir, "Alice Maintainer", "alice@"+projectDomain, true),
		bob:   newGPGPerson(t, tl, dir, "Bob Maintainer", "bob@"+projectDomain, true),
		rita:  newGPGPerson(t, tl, dir, "Rita Reporter", "rita@"+reporterDomain, false),
		acme:  newGPGPerson(t, tl, dir, "Acme security team", "security@"+acmeDomain, true),
	}
	robotPub := filepath.Join(dir, "robot.pub.asc")
	p.robot.exportPublic(robotPub)
	for _, peer := range []*gpgPerson{p.alice, p.bob, p.rita, p.acme} {
		peer.trust(p.robot, robotPub)
	}
	return p
}

// startSecbot starts `secbot run` and waits until it idles on the
// mailbox. name names its log file.
func (s *story) startSecbot(name string) {
	t := s.t
	s.secbot = startDaemon(t, s.dir, name, nil, nil, s.bin, "run", "-c", s.config)
	waitFor(t, startTimeout, name+" to connect and wait for mail", func() (bool, error) {
		return logContains(s.secbot, "caught up, waiting for mail")
	})
	if ok, _ := logContains(s.secbot, "idle=true"); !ok {
		t.Fatal("secbot did not find IDLE on Dovecot (log lacks idle=true)")
	}
}

// stopSecbot stops the daemon with SIGTERM, as an init system would, and
// checks that it shut down cleanly.
func (s *story) stopSecbot(t *testing.T) {
	t.Helper()
	s.secbot.stop(t)
	if ok, _ := logContains(s.secbot, "secbot stopped"); !ok {
		t.Fatalf("secbot did not shut down cleanly (%v)", s.secbot.err)
	}
}

// caseShow runs `secbot case show` for the case while `secbot run` holds
// the store: the read commands then ask the running daemon over its
// control socket (bbolt lets one process hold the file), and must not
// fall back to opening the store.
func (s *story) caseShow(t *testing.T) string {
	t.Helper()
	if s.secbot.exited() {
		t.Fatal("secbot run is not running: case show would not go through the control socket")
	}
	argv := []string{s.bin, "case", "show", "-c", s.config, s.caseID}
	out, err := run(context.Background(), "", nil, nil, argv...)
	if err != nil {
		t.Fatalf("secbot case show beside the running daemon: %v", err)
	}
	return string(out)
}

// restartSecbot stops the daemon and starts it again: a restart against
// the real servers picks up where it left off.
func (s *story) restartSecbot(t *testing.T) {
	t.Helper()
	s.stopSecbot(t)
	s.startSecbot("secbot-restarted")
	// Everything was marked on the server before the stop: the restart
	// must not take any mail in again.
	if ok, _ := logContains(s.secbot, "msg=delivered part=intake"); ok {
		t.Errorf("the restarted secbot took mail in again")
	}
}

// next waits for the next mail to user that match accepts, after those
// already consumed, and consumes it.
func (s *story) next(user, what string, match func([]byte) bool) []byte {
	s.t.Helper()
	raw, i := waitMail(s.t, s.dovecot.imapAddr, user, what, s.seen[user], match)
	s.seen[user] = i + 1
	return raw
}

func anyMail([]byte) bool { return true }

// containsFPR reports whether text shows fingerprint fpr, written whole
// in any case, with or without spaces between its groups.
func containsFPR(text, fpr string) bool {
	return strings.Contains(strings.ToUpper(strings.ReplaceAll(text, " ", "")), strings.ToUpper(fpr))
}

func (s *story) reportIsAcknowledged(t *testing.T) {
	report := plainMail(s.rita, s.robot.Address, "Heap overflow in frobnicate()",
		"Hi,\n\nfrobnicate() overflows its 256-byte buffer with a 300-byte name.\n\nRita\n")
	waitIdling(t, s.dovecot.rawlogDir)
	sent := time.Now()
	sendSMTP(t, s.postfix.smtpAddr, s.rita.Address, []string{s.robot.Address}, report)

	ack := s.next(s.rita.Address, "the acknowledgement", anyMail)
	latency := time.Since(sent)
	t.Logf("acknowledgement arrived %s after the report (poll_interval 60s)", latency.Round(time.Millisecond))
	if latency > maxIdleLatency {
		t.Errorf("acknowledgement took %s: secbot did not pick the report up with IDLE", latency)
	}
	waitPushedDuringIdle(t, s.dovecot.rawlogDir, sent)

	m := caseIDRe.FindStringSubmatch(subject(t, ack))
	if m == nil {
		t.Fatalf("acknowledgement subject %q carries no case id", subject(t, ack))
	}
	s.caseID = m[1]

	// RFC 3156 multipart/signed: gpg checks the first part's exact bytes.
	mt, parts, err := splitMultipart(ack)
	if err != nil || mt != "multipart/signed" || len(parts) != 2 {
		t.Fatalf("acknowledgement: want multipart/signed with 2 parts, got %s, %d parts (%v):\n%s", mt, len(parts), err, ack)
	}
	ct, sig := partBody(t, parts[1])
	if ct != "application/pgp-signature" {
		t.Fatalf("signature part is %s", ct)
	}
	s.rita.verifyDetached(parts[0], sig, s.robot)
	if text := textParts(t, parts[0]); !strings.Contains(text, s.caseID) || !containsFPR(text, s.robot.FPR) {
		t.Errorf("acknowledgement text lacks the case id or the robot fingerprint:\n%s", text)
	}
}

func (s *story) relaysDecrypt(t *testing.T) {
	for _, m := range []*gpgPerson{s.alice, s.bob} {
		raw := s.next(m.Address, "the relayed report", anyMail)
		if got := subject(t, raw); !strings.Contains(got, s.caseID) {
			t.Errorf("%s: relay subject %q lacks %s", m.Address, got, s.caseID)
		}
		plain := m.decryptVerify(encryptedPayload(t, raw), s.robot)
		// The report rides along as a message/rfc822 attachment.
		if text := textParts(t, plain); !strings.Contains(text, "New report, case "+s.caseID) || !bytes.Contains(plain, []byte("300-byte name")) {
			t.Errorf("%s: decrypted relay lacks the report:\n%s", m.Address, plain)
		}
		if m == s.alice {
			s.relayID = header(t, raw).Get("Message-Id")
		}
	}
}

// transcript waits for the next transcript to alice and returns its text.
func (s *story) transcript(t *testing.T) string {
	t.Helper()
	var text string
	s.next(s.alice.Address, "the command transcript", func(raw []byte) bool {
		// The readable subject of encrypted mail is neutral; the real one
		// is a protected header inside.
		plain := s.alice.decryptVerify(encryptedPayload(t, raw), s.robot)
		if !bytes.Contains(plain, []byte("Processed")) {
			return false
		}
		text = textParts(t, plain)
		return true
	})
	return text
}

// crdDate is a Tuesday at least a week ahead.
func crdDate() string {
	d := time.Now().AddDate(0, 0, 7)
	for d.Weekday() != time.Tuesday {
		d = d.AddDate(0, 0, 1)
	}
	return d.Format("2006-01-02")
}

const caseTitle = "Heap overflow in frobnicate() name handling"

func (s *story) commandObeyed(t *testing.T) {
	if s.relayID == "" {
		t.Fatal("alice's relay has no Message-ID")
	}
	body := "accept\ntitle " + caseTitle + "\naffected >=1.2 <1.4.3\nnot-affected <1.2\nunchecked <1.0\n" +
		"type CWE-787 out-of-bounds write\nseverity high\ncrd " + crdDate() + " 14:00 UTC\n" +
		"credit Rita Reporter <" + s.rita.Address + "> as finder\nbranch 1.4 1.4.3\n" +
		"impact <<END\nA remote attacker who controls a name can crash the server.\nEND\n" +
		"thanks\n\nAlice\n\n> [" + s.caseID + "] New report\n"
	mail := signedMail(s.alice, s.robot.Address, "Re: ["+s.caseID+"] Heap overflow in frobnicate()", s.relayID, body)
	sendSMTP(t, s.postfix.smtpAddr, s.alice.Address, []string{s.robot.Address}, mail)

	tr := s.transcript(t)
	for _, want := range []string{"ok: title = \"" + caseTitle + "\"", "ok: state = accepted", "Signed by: Alice Maintainer", " 0 error(s)"} {
		if !strings.Contains(tr, want) {
			t.Errorf("transcript lacks %q:\n%s", want, tr)
		}
	}
	show := s.caseShow(t)
	if !strings.Contains(show, caseTitle) {
		t.Errorf("secbot case show %s lacks the new title:\n%s", s.caseID, show)
	}
	if !containsFPR(show, s.alice.FPR) {
		t.Errorf("secbot case show %s: audit lacks alice's fingerprint:\n%s", s.caseID, show)
	}
	s.restartSecbot(t)
}

const patchText = `--- a/src/frob.c
+++ b/src/frob.c
@@ -10,5 +10,5 @@ int frobnicate(const char *name)
 {
 	char buf[256];
-	strcpy(buf, name);
+	snprintf(buf, sizeof buf, "%s", name);
 	return frob(buf);
 }
`

func (s *story) prenotifyDownstream(t *testing.T) {
	patchName := "frob-1.4-" + s.caseID + "-r1.patch"
	mail := signedMail(s.alice, s.robot.Address, "Re: ["+s.caseID+"] Heap overflow in frobnicate()", s.relayID,
		"patch\nnotify acme\nsend\nthanks\n\n> ["+s.caseID+"] New report\n", attachment{name: patchName, contentType: "text/x-diff", data: []byte(patchText)})
	sendSMTP(t, s.postfix.smtpAddr, s.alice.Address, []string{s.robot.Address}, mail)

	tr := s.transcript(t)
	if !strings.Contains(tr, " 0 error(s)") {
		t.Fatalf("pre-notification commands failed:\n%s", tr)
	}
	raw := s.next(s.acme.Address, "the pre-notification", anyMail)
	if got := subject(t, raw); strings.Contains(got, "pre-notification") || !strings.Contains(got, "encrypted message") {
		t.Errorf("readable subject of the pre-notification %q gives it away", got)
	}
	plain := s.acme.decryptVerify(encryptedPayload(t, raw), s.robot)
	if !bytes.Contains(plain, []byte("Embargoed pre-notification")) {
		t.Errorf("no protected subject inside the pre-notification")
	}
	if !bytes.Contains(plain, []byte(patchName)) {
		t.Errorf("decrypted pre-notification does not carry %s:\n%s", patchName, plain)
	}
	if text := textParts(t, plain); !strings.Contains(text, crdDate()) {
		t.Errorf("pre-notification text lacks the CRD %s:\n%s", crdDate(), text)
	}
}
