package outmail

import (
	"strings"
	"testing"

	"github.com/secbot/secbot/mailbot/config"
)

// TestOuterSubject: the readable Subject of encrypted mail is the case id
// and "encrypted message" by default; with robot.outer_subject = "kind",
// the case id and the kind's neutral name from its row. Neither ever
// shows a word of the real subject.
func TestOuterSubject(t *testing.T) {
	f := newFixture(t)
	for _, mode := range []string{config.OuterHidden, config.OuterKind} {
		f.cfg.Robot.OuterSubject = mode
		for _, k := range Kinds() {
			row := kinds[k]
			if row.Clear == Always {
				continue
			}
			rcpt, to := f.recipient(row.To[0], true)
			out, err := f.render(t, kinds, k, rcpt, to, f.specFor(t, k))
			if err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			want := "[" + caseID + "] encrypted message"
			if mode == config.OuterKind {
				if row.Outer == "" {
					t.Errorf("%s: the row has no neutral name for the outer subject", k)
				}
				want = "[" + caseID + "] " + row.Outer
			}
			if !strings.Contains(topHeader(out), "\r\nSubject: "+want+"\r\n") {
				t.Errorf("%s (%s): outer subject is not %q:\n%s", k, mode, want, topHeader(out))
			}
			if strings.Contains(strings.ToLower(topHeader(out)), "overflow") {
				t.Errorf("%s (%s): the header shows the case's subject:\n%s", k, mode, topHeader(out))
			}
		}
	}
}
