package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// postfixServer is a Postfix instance the test runs: smtpd on a loopback
// port, every test domain delivered over LMTP into Dovecot.
type postfixServer struct {
	*daemon
	dir      string
	smtpAddr string
}

// startPostfix runs a Postfix master in the foreground with its own
// main.cf and master.cf (in DIR/etc) and its own queue and data
// directories, all under root. Mail for the addresses in mailboxes (in
// domains) goes over LMTP to lmtpAddr.
//
// `postfix start-fg` is not used: its master makes itself a session
// leader, out of reach of the test's process-group kill. `postfix check`
// creates the queue directories, then `master -d` stays in the
// foreground, in the test's process group.
func startPostfix(t *testing.T, tl tools, root string, domains, mailboxes []string, lmtpAddr string) *postfixServer {
	t.Helper()
	owner := lookupAccount(t, "postfix") // mail_owner
	dir := filepath.Join(root, "postfix")
	etc := filepath.Join(dir, "etc")
	s := &postfixServer{dir: dir, smtpAddr: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
	if err := os.MkdirAll(filepath.Join(dir, "queue"), 0o755); err != nil { // owned by root
		t.Fatal(err)
	}
	mkdirOwned(t, filepath.Join(dir, "data"), owner, 0o700)
	dirs := postfixDefaults(t, tl)
	var vmailbox strings.Builder
	for _, m := range mailboxes {
		fmt.Fprintf(&vmailbox, "%s ok\n", m)
	}
	writeFile(t, filepath.Join(etc, "vmailbox"), vmailbox.String(), 0o644)
	logPath := filepath.Join(dir, "postfix.log")
	writeFile(t, filepath.Join(etc, "main.cf"), postfixMainCf(dir, logPath, dirs, domains, lmtpAddr), 0o644)
	writeFile(t, filepath.Join(etc, "master.cf"), postfixMasterCf(s.smtpAddr), 0o644)

	if _, err := run(context.Background(), "", nil, nil, tl.postfix, "-c", etc, "check"); err != nil {
		t.Fatalf("postfix check (see %s): %v", logPath, err)
	}
	master := filepath.Join(dirs["daemon_directory"], "master")
	s.daemon = startDaemon(t, root, "postfix", nil, []string{logPath}, master, "-c", etc, "-d")
	s.daemon.diagnose = func(t testing.TB) {
		queue, err := run(context.Background(), "", nil, nil, "find", filepath.Join(dir, "queue"), "-type", "f")
		t.Logf("postfix processes:\n%s\npostfix queue files (%v):\n%s", s.daemon.processes(), err, queue)
	}
	waitGreeting(t, s.daemon, s.smtpAddr)
	return s
}

// postfixDefaults asks postconf where this installation keeps its
// programs, so the config does not hard-code Debian's paths.
func postfixDefaults(t *testing.T, tl tools) map[string]string {
	t.Helper()
	names := []string{"command_directory", "daemon_directory", "meta_directory", "shlib_directory"}
	out, err := run(context.Background(), "", nil, nil, append([]string{tl.postconf, "-d", "-h"}, names...)...)
	if err != nil {
		t.Fatalf("postconf: %v", err)
	}
	values := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(values) != len(names) {
		t.Fatalf("postconf -d -h %v: got %q", names, out)
	}
	m := map[string]string{}
	for i, n := range names {
		m[n] = strings.TrimSpace(values[i])
	}
	return m
}

func postfixMainCf(dir, logPath string, dirs map[string]string, domains []string, lmtpAddr string) string {
	return fmt.Sprintf(`# secbot integration test: loopback only.
compatibility_level = 3.6
config_directory = %[1]s/etc
queue_directory = %[1]s/queue
data_directory = %[1]s/data
command_directory = %[4]s
daemon_directory = %[5]s
meta_directory = %[6]s
shlib_directory = %[7]s
mail_owner = postfix
setgid_group = postdrop
maillog_file = %[2]s
maillog_file_prefixes = %[1]s
myhostname = mx.project.test
smtpd_banner = $myhostname ESMTP %[9]s
mydomain = project.test
myorigin = project.test
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
lmtp_host_lookup = native
alias_maps =
alias_database =
local_recipient_maps =
relay_domains =
append_dot_mydomain = no
biff = no
recipient_delimiter = +
virtual_mailbox_domains = %[8]s
virtual_mailbox_maps = texthash:%[1]s/etc/vmailbox
virtual_transport = lmtp:inet:%[3]s
# Retry fast: Dovecot is already up, but do not let one hiccup cost minutes.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
delay_warning_time = 0
`, dir, logPath, lmtpAddr, dirs["command_directory"], dirs["daemon_directory"], dirs["meta_directory"], dirs["shlib_directory"], strings.Join(domains, " "), testToken)
}

// postfixMasterCf runs every service without chroot, with smtpd on addr
// only.
func postfixMasterCf(addr string) string {
	return fmt.Sprintf(`# service type  private unpriv  chroot  wakeup  maxproc command
%s inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`, addr)
}
