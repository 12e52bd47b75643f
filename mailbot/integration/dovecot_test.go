package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dovecotServer is a Dovecot the test runs: IMAP for everyone, LMTP for
// Postfix to deliver into, maildirs under its directory.
type dovecotServer struct {
	*daemon
	dir      string
	imapAddr string
	lmtpAddr string
	// rawlogDir receives the robot's IMAP session transcripts (rawlog);
	// empty without dovecotOptions.rawlogUser.
	rawlogDir string
	// mail is the account that owns the maildirs.
	mail account
}

// maildir is the directory of user's INBOX (mail_location below; %Lu is
// the lower-cased user name).
func (s *dovecotServer) maildir(user string) string {
	return filepath.Join(s.dir, "mail", strings.ToLower(user))
}

// mailPassword is every test account's IMAP password.
const mailPassword = "loopback-only-secret"

// dovecotOptions tune startDovecot.
type dovecotOptions struct {
	// rawlogUser's IMAP sessions are recorded under rawlogDir (none when
	// empty).
	rawlogUser string
	// noDebug turns mail_debug off. It logs a line for each message
	// opened, which slows a bulk fetch by a fifth: benchmarks turn it off.
	noDebug bool
}

// startDovecot runs Dovecot in the foreground with accounts for users
// (full addresses), mail stored as the unprivileged "mail" user.
func startDovecot(t testing.TB, tl tools, root string, users []string, opts dovecotOptions) *dovecotServer {
	t.Helper()
	dir := filepath.Join(root, "dovecot")
	mail := lookupAccount(t, "mail")
	lookupAccount(t, "dovecot")  // default_internal_user
	lookupAccount(t, "dovenull") // default_login_user
	s := &dovecotServer{
		dir:      dir,
		imapAddr: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		lmtpAddr: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		mail:     mail,
	}
	if err := os.MkdirAll(filepath.Join(dir, "run"), 0o755); err != nil {
		t.Fatal(err)
	}
	mkdirOwned(t, filepath.Join(dir, "mail"), mail, 0o700)
	mkdirOwned(t, filepath.Join(dir, "rawlog"), mail, 0o700)
	if opts.rawlogUser != "" {
		s.rawlogDir = filepath.Join(dir, "rawlog", strings.ToLower(opts.rawlogUser))
		mkdirOwned(t, s.rawlogDir, mail, 0o700)
	}

	var passwd strings.Builder
	for _, u := range users {
		fmt.Fprintf(&passwd, "%s:{PLAIN}%s\n", u, mailPassword)
	}
	writeFile(t, filepath.Join(dir, "users"), passwd.String(), 0o644)
	conf := filepath.Join(dir, "dovecot.conf")
	logPath := filepath.Join(dir, "dovecot.log")
	writeFile(t, conf, dovecotConf(dir, logPath, s.imapAddr, s.lmtpAddr, mail, !opts.noDebug), 0o644)

	s.daemon = startDaemon(t, root, "dovecot", nil, []string{logPath}, tl.dovecot, "-F", "-c", conf)
	s.daemon.diagnose = func(t testing.TB) { t.Logf("dovecot processes:\n%s", s.daemon.processes()) }
	waitGreeting(t, s.daemon, s.imapAddr)
	waitGreeting(t, s.daemon, s.lmtpAddr)
	return s
}

// dovecotConf is a self-contained configuration: it includes nothing from
// /etc/dovecot.
func dovecotConf(dir, logPath, imapAddr, lmtpAddr string, mail account, mailDebug bool) string {
	debug := "yes"
	if !mailDebug {
		debug = "no"
	}
	imapPort := imapAddr[strings.LastIndexByte(imapAddr, ':')+1:]
	lmtpPort := lmtpAddr[strings.LastIndexByte(lmtpAddr, ':')+1:]
	return fmt.Sprintf(`# secbot integration test: loopback only, plaintext allowed.
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[2]s
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = %[5]d
first_valid_gid = %[6]d
mail_uid = %[5]d
mail_gid = %[6]d
mail_location = maildir:%[1]s/mail/%%Lu
mail_debug = %[8]s
recipient_delimiter = +
postmaster_address = postmaster@project.test
# The greetings name this test run (IMAP; LMTP shows the hostname).
login_greeting = %[7]s
hostname = %[7]s.test
# Each IMAP session of a user with a directory here is recorded.
rawlog_dir = %[1]s/rawlog/%%Lu

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%Lu %[1]s/users
}
userdb {
  driver = static
  args = uid=%[5]d gid=%[6]d home=%[1]s/mail/%%Lu
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[3]s
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = %[4]s
  }
}
`, dir, logPath, imapPort, lmtpPort, mail.uid, mail.gid, testToken, debug)
}
