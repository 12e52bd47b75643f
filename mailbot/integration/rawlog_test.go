package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Dovecot's rawlog (rawlog_dir) records each IMAP command the robot sends
// as "UNIXTIME TAG COMMAND" lines in *.in files, one per session. It shows
// what secbot really did on the wire.

// rawlogCommand is one client line of a rawlog.
type rawlogCommand struct {
	at   time.Time
	line string // upper case, without the timestamp
}

// readRawlogs returns the commands of every session in dir.
func readRawlogs(dir string) ([][]rawlogCommand, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.in"))
	if err != nil {
		return nil, err
	}
	var sessions [][]rawlogCommand
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		sessions = append(sessions, parseRawlog(string(b)))
	}
	return sessions, nil
}

func parseRawlog(text string) []rawlogCommand {
	var cmds []rawlogCommand
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r", ""), "\n") {
		ts, rest, ok := strings.Cut(line, " ")
		sec, err := strconv.ParseFloat(ts, 64)
		if !ok || err != nil {
			continue
		}
		cmds = append(cmds, rawlogCommand{at: time.UnixMicro(int64(sec * 1e6)), line: strings.ToUpper(strings.TrimSpace(rest))})
	}
	return cmds
}

// isIdle reports whether c is "TAG IDLE".
func (c rawlogCommand) isIdle() bool {
	f := strings.Fields(c.line)
	return len(f) == 2 && f[1] == "IDLE"
}

// waitIdling waits until a session's last command is IDLE: secbot is
// waiting for the server to push new mail.
func waitIdling(t *testing.T, dir string) {
	t.Helper()
	waitFor(t, startTimeout, "secbot to send IDLE (Dovecot rawlog)", func() (bool, error) {
		sessions, err := readRawlogs(dir)
		if err != nil {
			return false, err
		}
		for _, cmds := range sessions {
			if len(cmds) > 0 && cmds[len(cmds)-1].isIdle() {
				return true, nil
			}
		}
		return false, fmt.Errorf("%d sessions, none idling", len(sessions))
	})
}

// waitPushedDuringIdle waits until the rawlog shows that an IDLE begun
// before sent ended (DONE) after it and was followed by a body fetch:
// the mail sent at sent was pushed to secbot, not found by a poll.
func waitPushedDuringIdle(t *testing.T, dir string, sent time.Time) {
	t.Helper()
	waitFor(t, 5*time.Second, "the rawlog to show the report pushed during IDLE", func() (bool, error) {
		sessions, err := readRawlogs(dir)
		if err != nil {
			return false, err
		}
		for _, cmds := range sessions {
			if pushedDuringIdle(cmds, sent) {
				return true, nil
			}
		}
		return false, fmt.Errorf("no IDLE ended for a mail sent at %s in %d sessions: %v", sent.Format(time.StampMicro), len(sessions), sessions)
	})
}

func pushedDuringIdle(cmds []rawlogCommand, sent time.Time) bool {
	for i, c := range cmds {
		if !c.isIdle() || !c.at.Before(sent) || i+1 >= len(cmds) {
			continue
		}
		if done := cmds[i+1]; done.line != "DONE" || done.at.Before(sent) {
			continue
		}
		for _, later := range cmds[i+2:] {
			if strings.Contains(later.line, "BODY.PEEK[]") {
				return true
			}
		}
	}
	return false
}

// TestPushedDuringIdle checks the rawlog reading on a session Dovecot
// recorded, so that the real-server test cannot pass by a parsing slip.
func TestPushedDuringIdle(t *testing.T) {
	const session = "1795646806.762375 T2 SELECT INBOX\n" +
		"1795646806.768510 T3 UID SEARCH UID 1:*\n" +
		"1795646806.768696 T4 IDLE\n" +
		"1795646807.378938 DONE\n" +
		"1795646807.379300 T5 UID SEARCH UID 1:*\n" +
		"1795646807.380219 T7 UID FETCH 1 (UID BODY.PEEK[])\n" +
		"1795646807.383125 T9 IDLE\n"
	cmds := parseRawlog(session)
	if len(cmds) != 7 || !cmds[6].isIdle() {
		t.Fatalf("parsed %d commands: %v", len(cmds), cmds)
	}
	at := func(sec float64) time.Time { return time.UnixMicro(int64(sec * 1e6)) }
	for _, c := range []struct {
		sent time.Time
		want bool
	}{
		{at(1795646807.0), true},        // sent while idling
		{at(1795646806.5), false},       // sent before the IDLE: found by the first search
		{at(1795646807.38), false},      // sent after the DONE
		{at(1795646807.3831251), false}, // sent during the last IDLE, not ended yet
	} {
		if got := pushedDuringIdle(cmds, c.sent); got != c.want {
			t.Errorf("sent at %s: got %v, want %v", c.sent.Format(time.StampMicro), got, c.want)
		}
	}
}
