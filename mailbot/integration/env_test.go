// Package integration drives the built secbot binary through real mail
// servers: Dovecot (IMAP and LMTP) and Postfix (SMTP), with GnuPG as every
// human peer. The servers are the test's own processes, listening on
// loopback high ports, with their configuration and state under
// t.TempDir().
//
// The test skips, saying why, when the servers or gpg are missing or the
// test does not run as root; with CI=true it fails instead, so that CI
// cannot pass by silently skipping. `.ci/run` installs the packages.
package integration

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Bounds of every wait in this package.
const (
	startTimeout   = 20 * time.Second // a daemon comes up
	mailTimeout    = 30 * time.Second // a mail arrives
	commandTimeout = 60 * time.Second // one external command (gpg, go build: longer)
	stopTimeout    = 5 * time.Second  // a daemon stops after SIGTERM
)

// tools are the paths of the external programs the test runs.
type tools struct {
	dovecot, postfix, postconf, gpg, gpgconf string
}

// requireTools finds the programs the test needs. When one is missing it
// skips, or fails when CI=true: CI installs them, so a skip there would
// hide that nothing ran.
func requireTools(t testing.TB) tools {
	t.Helper()
	p := requirePrograms(t, "real-server integration test", "dovecot", "postfix", "postconf", "gpg", "gpgconf")
	return tools{dovecot: p["dovecot"], postfix: p["postfix"], postconf: p["postconf"], gpg: p["gpg"], gpgconf: p["gpgconf"]}
}

// requirePrograms finds each of names and checks that the test runs as
// root. When something is missing it skips, saying why, or fails when
// CI=true. what names the test in the message.
func requirePrograms(t testing.TB, what string, names ...string) map[string]string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: skipping the " + what)
	}
	paths := map[string]string{}
	var missing []string
	for _, name := range names {
		p, err := lookPath(name)
		if err != nil {
			missing = append(missing, name)
		}
		paths[name] = p
	}
	var reasons []string
	if len(missing) > 0 {
		reasons = append(reasons, "not installed: "+strings.Join(missing, ", ")+
			" (apt-get install dovecot-imapd dovecot-lmtpd postfix gnupg)")
	}
	if os.Geteuid() != 0 {
		reasons = append(reasons, "not running as root: Dovecot and Postfix drop privileges to their system users")
	}
	if len(reasons) > 0 {
		msg := what + " cannot run: " + strings.Join(reasons, "; ")
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " — CI=true, so this is a failure, not a skip")
		}
		t.Skip(msg)
	}
	return paths
}

// lookPath finds name on PATH or in the sbin directories, which are not on
// every user's PATH.
func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}

// account is a system user the daemons run as.
type account struct {
	name     string
	uid, gid int
}

func lookupAccount(t testing.TB, name string) account {
	t.Helper()
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatalf("system user %q (created by the Debian packages): %v", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return account{name: name, uid: uid, gid: gid}
}

// worldReadableTempDir returns t.TempDir() with it and its parent opened
// to traversal, so that daemons which dropped privileges can reach their
// files below it.
func worldReadableTempDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// mkdirOwned makes dir (and parents) and gives dir to a.
func mkdirOwned(t testing.TB, dir string, a account, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(dir, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, a.uid, a.gid); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t testing.TB, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// freePort returns a loopback TCP port that was free a moment ago. It is
// taken below the kernel's ephemeral range: other tests running in
// parallel bind "127.0.0.1:0" all the time, and one of them taking the
// port between this check and the daemon's bind would silently receive
// the test's mail. waitGreeting catches what is left of that race.
func freePort(t testing.TB) int {
	t.Helper()
	lo := ephemeralLow()
	const base = 10000
	for range 100 {
		if lo <= base+1000 {
			break
		}
		port := base + rand.IntN(lo-base)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		l.Close()
		return port
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// ephemeralLow is the first port of the kernel's ephemeral range (Linux),
// or 32768.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	f := strings.Fields(string(b))
	if len(f) < 1 {
		return 32768
	}
	lo, err := strconv.Atoi(f[0])
	if err != nil {
		return 32768
	}
	return lo
}

// testToken is put in every greeting of the test's servers, so that the
// test knows it talks to its own daemon and not to whatever else may
// listen on the port.
var testToken = fmt.Sprintf("secbot-it-%d-%d", os.Getpid(), rand.IntN(1<<30))

// errGiveUp, wrapped in cond's error, ends waitFor at once.
var errGiveUp = errors.New("giving up")

// waitFor polls cond until it is true, failing the test after timeout.
// cond's last error is part of the failure message.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ok, err := cond()
		if ok {
			return
		}
		if errors.Is(err, errGiveUp) {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s (last error: %v)", timeout, what, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitGreeting waits until addr accepts TCP connections and greets
// with a line holding testToken: d, not some other server, listens there.
func waitGreeting(t testing.TB, d *daemon, addr string) {
	t.Helper()
	waitFor(t, startTimeout, d.name+" greeting on "+addr, func() (bool, error) {
		if d.exited() {
			return false, fmt.Errorf("%w: %s exited: %v", errGiveUp, d.name, d.err)
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false, err
		}
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			return false, fmt.Errorf("read greeting: %w", err)
		}
		if !strings.Contains(line, testToken) {
			return false, fmt.Errorf("%w: another server answers on %s: %q", errGiveUp, addr, line)
		}
		return true, nil
	})
}

// daemon is a process the test started, in its own process group so that
// its children stop with it.
type daemon struct {
	name string
	cmd  *exec.Cmd
	logs []string // files printed when the test fails
	done chan struct{}
	err  error // the exit status, once done is closed
	// diagnose, if set, logs the live state when the test failed, before
	// the daemon is stopped.
	diagnose func(t testing.TB)
}

// processes lists the processes of d's group.
func (d *daemon) processes() string {
	out, err := run(context.Background(), "", nil, nil, "ps", "-o", "pid,ppid,stat,etime,args", "-g", strconv.Itoa(d.cmd.Process.Pid))
	if err != nil {
		return err.Error()
	}
	return string(out)
}

// startDaemon starts argv with stdout and stderr going to a log file in
// dir, and stops the whole process group when the test ends. The logs
// (its own and extra) are printed if the test failed.
func startDaemon(t testing.TB, dir, name string, env []string, extraLogs []string, argv ...string) *daemon {
	t.Helper()
	logPath := filepath.Join(dir, name+".out")
	out, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		out.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	d := &daemon{name: name, cmd: cmd, logs: append([]string{logPath}, extraLogs...), done: make(chan struct{})}
	go func() {
		d.err = cmd.Wait()
		out.Close()
		close(d.done)
	}()
	t.Cleanup(func() {
		if t.Failed() && d.diagnose != nil && !d.exited() {
			d.diagnose(t)
		}
		d.stop(t)
		if t.Failed() {
			d.dumpLogs(t)
		}
	})
	return d
}

func (d *daemon) exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the process group, then SIGKILL if it lingers.
func (d *daemon) stop(t testing.TB) {
	if d.exited() {
		return
	}
	pgid := d.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(stopTimeout):
		t.Logf("%s did not stop within %s of SIGTERM; killing it", d.name, stopTimeout)
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-d.done
	}
	// Children that outlived their parent (they share its group).
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// dumpLogs prints the tail of each log file of d.
func (d *daemon) dumpLogs(t testing.TB) {
	for _, p := range d.logs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Logf("--- %s: %v", p, err)
			continue
		}
		// The start and the end matter most: a daemon that failed to come
		// up, and what happened just before the test gave up.
		const head, tail = 16 << 10, 48 << 10
		if len(b) > head+tail {
			b = append(append(b[:head:head], "\n[...]\n"...), b[len(b)-tail:]...)
		}
		t.Logf("--- %s (%s):\n%s", d.name, p, b)
	}
}

// run runs a short command with a timeout and returns its stdout; stderr
// is part of the error.
func run(ctx context.Context, dir string, env []string, stdin []byte, argv ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		err = errors.Join(err, ctx.Err())
	}
	if err != nil {
		return stdout.Bytes(), fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, stderr.Bytes())
	}
	return stdout.Bytes(), nil
}
