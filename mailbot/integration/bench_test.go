package integration

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/secbot/secbot/mailbot/benchkit"
	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/intake"
	"github.com/secbot/secbot/mailbot/tlsmode"
)

// BenchmarkDovecotBacklog is BenchmarkIngestBacklog against a real
// Dovecot: the same backlog of about 5 KB messages (60% new reports, 40%
// replies threaded by In-Reply-To or subject tag) in the robot's INBOX,
// the same real intake loop with the real ingest as its sink into a fresh
// store, compared with a bare `UID FETCH 1:* BODY.PEEK[]` of the same
// mailbox by the same client code in the same run.
//
// The messages are written as maildir files before Dovecot first opens
// the mailbox. An unmeasured pass then builds Dovecot's index and cache
// and fills the page cache; each iteration times the floor, ingestion,
// and the floor again, and reports the mean floor. Run it (as root, with
// dovecot installed) with:
//
//	go test -run '^$' -bench DovecotBacklog -benchtime 1x ./mailbot/integration/
func BenchmarkDovecotBacklog(b *testing.B) {
	tl := tools{dovecot: requirePrograms(b, "Dovecot ingestion benchmark", "dovecot")["dovecot"]}
	// The bot's config and keys are the in-process benchmark's: a demo
	// world (its in-process mail servers stay idle).
	w, err := demo.NewWorld(b.TempDir(), demo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	cfg, err := config.Load(w.ConfigPath)
	if err != nil {
		b.Fatal(err)
	}
	dc := startDovecot(b, tl, worldReadableTempDir(b), []string{w.Robot.Address}, dovecotOptions{noDebug: true})
	start := time.Now()
	newCases := fillMaildir(b, dc, w.Robot.Address, benchkit.Size)
	b.Logf("wrote %d maildir files in %s", benchkit.Size, time.Since(start).Round(time.Millisecond))

	ic := intake.Config{Addr: dc.imapAddr, TLSMode: tlsmode.Plain, Username: w.Robot.Address,
		Password: mailPassword, PollInterval: time.Hour, Logger: w.Log}
	ctx := context.Background()
	start = time.Now()
	prepareMailbox(b, dc.imapAddr, w.Robot.Address)
	if _, err := benchkit.Floor(ctx, ic); err != nil {
		b.Fatal(err)
	}
	b.Logf("indexed and warmed the mailbox in %s", time.Since(start).Round(time.Millisecond))

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 {
			b.StopTimer()
			prepareMailbox(b, dc.imapAddr, w.Robot.Address) // unmark what the last ingestion marked
			b.StartTimer()
		}
		res, floor, err := benchkit.Measured(ctx, cfg, ic, filepath.Join(b.TempDir(), "bench-"+strconv.Itoa(i)+".db"), w.Log)
		if err != nil {
			b.Fatal(err)
		}
		// Replies only join their cases when Dovecot kept the backlog order.
		if res.Messages != benchkit.Size || res.Cases != newCases {
			b.Fatalf("ingested %d messages into %d cases, want %d into %d", res.Messages, res.Cases, benchkit.Size, newCases)
		}
		benchkit.ReportRun(b, res, floor)
	}
}

// fillMaildir delivers the backlog to user's INBOX as a local delivery
// agent would: each message written to tmp/ with LF line ends (Dovecot
// sends CRLF), then renamed into new/, owned by the mail account. The
// names carry the sizes (S= on disk, W= with CRLF) and increasing times,
// so Dovecot gives the messages UIDs in backlog order. It returns how
// many messages open a new case.
func fillMaildir(b *testing.B, dc *dovecotServer, user string, n int) (newCases int) {
	root := dc.maildir(user)
	for _, d := range []string{root, filepath.Join(root, "tmp"), filepath.Join(root, "new"), filepath.Join(root, "cur")} {
		mkdirOwned(b, d, dc.mail, 0o700)
	}
	base := time.Now().Unix() - int64(n)
	for i := range n {
		raw, isNew := benchkit.Message(i, user)
		if isNew {
			newCases++
		}
		data := strings.ReplaceAll(raw, "\r\n", "\n")
		name := fmt.Sprintf("%d.M0P%d.secbot-bench,S=%d,W=%d", base+int64(i), os.Getpid(), len(data), len(raw))
		tmp := filepath.Join(root, "tmp", name)
		if err := os.WriteFile(tmp, []byte(data), 0o600); err != nil {
			b.Fatal(err)
		}
		if err := os.Chown(tmp, dc.mail.uid, dc.mail.gid); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(root, "new", name)); err != nil {
			b.Fatal(err)
		}
	}
	return newCases
}

// prepareMailbox puts the mailbox in the state ingestion starts from,
// unmeasured: SELECT (Dovecot moves new/ to cur/ and indexes), no message
// \Seen, and Dovecot's cache holding what the intake asks for first
// (RFC822.SIZE, INTERNALDATE).
func prepareMailbox(b *testing.B, addr, user string) {
	c, err := imapclient.DialInsecure(addr, &imapclient.Options{Dialer: &net.Dialer{Timeout: 10 * time.Second}})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, mailPassword).Wait(); err != nil {
		b.Fatalf("login %s: %v", user, err)
	}
	mbox, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		b.Fatalf("select INBOX: %v", err)
	}
	if mbox.NumMessages != benchkit.Size {
		b.Fatalf("INBOX holds %d messages, want %d", mbox.NumMessages, benchkit.Size)
	}
	all := imap.UIDSet{{Start: 1, Stop: 0}} // 1:*
	unseen := &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}
	if err := c.Store(all, unseen, nil).Close(); err != nil {
		b.Fatalf("store -flags \\Seen: %v", err)
	}
	if _, err := c.Fetch(all, &imap.FetchOptions{UID: true, RFC822Size: true, InternalDate: true}).Collect(); err != nil {
		b.Fatalf("fetch metadata: %v", err)
	}
	if err := c.Logout().Wait(); err != nil {
		b.Fatalf("logout: %v", err)
	}
}
