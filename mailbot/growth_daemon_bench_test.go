package mailbot_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// daemonFigures are what BenchmarkStoreGrowth measures of a `secbot run`
// process on the grown store.
type daemonFigures struct {
	startup    time.Duration // exec to the first IMAP sync the daemon reports
	rssAnon    int64         // anonymous resident memory: the heap, stacks, not the mapped store
	rssFile    int64         // file-backed resident pages: bbolt's map of the store (page cache)
	peakAnon   int64         // the largest rssAnon sampled until the daemon stopped
	list, show time.Duration // p99 of 100 `case list` and `case show` over the control socket
	// site is how long after the first sync the site writer took to
	// write the pages of every marked case, the index and its stamp
	// (when siteStamp is given; 0 else).
	site time.Duration
}

// measureDaemon starts the built secbot on configPath, whose store is the
// grown one, and times its start-up until its status reports a first IMAP
// sync; then it asks `case list` and `case show showID` over the control
// socket 100 times each, as the CLI does, sampling the process's memory.
func measureDaemon(b *testing.B, bin, configPath, sock, showID, siteStamp string) daemonFigures {
	var f daemonFigures
	logf, err := os.CreateTemp(b.TempDir(), "daemon-*.log")
	if err != nil {
		b.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "run", "-c", configPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	for !synced(sock) {
		if time.Since(start) > 10*time.Minute {
			log, _ := os.ReadFile(logf.Name())
			b.Fatalf("secbot reported no IMAP sync within 10 minutes; its log:\n%s", log)
		}
		time.Sleep(time.Millisecond)
	}
	f.startup = time.Since(start)
	f.rssAnon, f.rssFile = procRSS(b, cmd.Process.Pid)
	f.peakAnon = f.rssAnon
	if siteStamp != "" {
		// The site writer works in the background: the intake has synced
		// already. Wait for its stamp, sampling the memory meanwhile.
		siteStart := time.Now()
		for {
			if _, err := os.Stat(siteStamp); err == nil {
				break
			}
			if time.Since(siteStart) > 30*time.Minute {
				b.Fatal("the site writer wrote no stamp within 30 minutes")
			}
			anon, _ := procRSS(b, cmd.Process.Pid)
			f.peakAnon = max(f.peakAnon, anon)
			time.Sleep(50 * time.Millisecond)
		}
		f.site = time.Since(siteStart)
	}
	var ls, ss []time.Duration
	for range 100 {
		ls = append(ls, askSocket(b, sock, map[string]string{"cmd": "list"}))
		ss = append(ss, askSocket(b, sock, map[string]string{"cmd": "show", "id": showID}))
		anon, _ := procRSS(b, cmd.Process.Pid)
		f.peakAnon = max(f.peakAnon, anon)
	}
	slices.Sort(ls)
	slices.Sort(ss)
	f.list, f.show = ls[98], ss[98]
	return f
}

// synced reports whether the daemon answers on sock and its last IMAP
// sync time is set (status prints a time once set, 0 before).
func synced(sock string) bool {
	conn, err := net.Dial("unix", sock)
	if err != nil {
		return false
	}
	defer conn.Close()
	json.NewEncoder(conn).Encode(map[string]string{"cmd": "status"})
	out, _ := io.ReadAll(conn)
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "secbot_last_imap_sync_timestamp_seconds "); ok {
			return v != "0" // a time once set, "0" before
		}
	}
	return false
}

// askSocket sends q as the CLI does and times the whole answer.
func askSocket(b *testing.B, sock string, q map[string]string) time.Duration {
	start := time.Now()
	conn, err := net.Dial("unix", sock)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	if err := json.NewEncoder(conn).Encode(q); err != nil {
		b.Fatal(err)
	}
	r := bufio.NewReader(conn)
	status, err := r.ReadString('\n')
	if err != nil || status != "ok\n" {
		b.Fatalf("%v: answer %q, %v", q, status, err)
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// procRSS reads the process's anonymous and file-backed resident memory
// in bytes from /proc (Linux).
func procRSS(b *testing.B, pid int) (anon, file int64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		var kb int64
		if _, err := fmt.Sscanf(string(line), "RssAnon: %d kB", &kb); err == nil {
			anon = kb << 10
		}
		if _, err := fmt.Sscanf(string(line), "RssFile: %d kB", &kb); err == nil {
			file = kb << 10
		}
	}
	return anon, file
}
