package mailbot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/secbot/secbot/mailbot/command"
	"github.com/secbot/secbot/store"
)

// Several vulnerabilities per case. A case holds one or more; the field
// lines of a command mail set the one selected by the last "vuln N" or
// "vuln add" line above them. A case with one vulnerability needs no
// selection, so that it works with no new syntax; a case with several
// refuses a field line until one is selected, rather than guess.

// vuln carries out "vuln N", "vuln add" and "vuln drop N".
func (r *cmdRun) vuln(cmd command.Command) (string, error) {
	switch cmd.VulnOp {
	case command.VulnAdd:
		if len(r.c.Vulns) >= store.MaxVulns {
			r.selBroken = true
			return "", fmt.Errorf("a case holds at most %d vulnerabilities", store.MaxVulns)
		}
		v := r.c.AddVuln()
		r.sel, r.selBroken = v.N, false
		return fmt.Sprintf("vulnerability %d added; the field lines below set it", v.N), nil
	case command.VulnDrop:
		return r.dropVuln(cmd.Vuln)
	}
	v := r.c.Vuln(cmd.Vuln)
	if v == nil {
		r.selBroken = true
		return "", fmt.Errorf("no vulnerability %d (the case holds %s); the field lines below do not run", cmd.Vuln, vulnNumbers(r.c))
	}
	r.sel, r.selBroken = v.N, false
	return fmt.Sprintf("vulnerability %d selected (%s); the field lines below set it", v.N, orUntitled(v.Title)), nil
}

// dropVuln removes a vulnerability and all its fields. A case keeps at
// least one, and a published case keeps what it published.
func (r *cmdRun) dropVuln(n int) (string, error) {
	c := r.c
	if c.State == store.StatePublished {
		return "", fmt.Errorf("the case is published; its vulnerabilities are public and stay")
	}
	v := c.Vuln(n)
	switch {
	case v == nil:
		return "", fmt.Errorf("no vulnerability %d (the case holds %s)", n, vulnNumbers(c))
	case len(c.Vulns) == 1:
		return "", fmt.Errorf("vulnerability %d is the case's only one; a case holds at least one (close or reject the case instead)", n)
	}
	msg := fmt.Sprintf("vulnerability %d dropped (%s)", n, orUntitled(v.Title))
	if v.CVE != "" {
		msg += fmt.Sprintf(" (warning: its id %s is in no advisory now; ask the CNA to reject it)", v.CVE)
	}
	for i := range c.Vulns {
		if c.Vulns[i].N == n {
			c.Vulns = append(c.Vulns[:i], c.Vulns[i+1:]...)
			break
		}
	}
	if r.sel == n {
		r.sel = 0
	}
	return msg, nil
}

// target is the vulnerability a field line sets: the one selected, or
// the case's only one.
func (r *cmdRun) target() (*store.Vuln, error) {
	switch {
	case r.selBroken:
		return nil, fmt.Errorf("not run: the vuln line above failed, and this line would have set another vulnerability than meant")
	case r.sel != 0:
		if v := r.c.Vuln(r.sel); v != nil {
			return v, nil
		}
		return nil, fmt.Errorf("vulnerability %d was dropped above", r.sel)
	case len(r.c.Vulns) == 1:
		return &r.c.Vulns[0], nil
	}
	return nil, fmt.Errorf("the case holds %d vulnerabilities (%s): select the one this line sets with \"vuln N\" above it", len(r.c.Vulns), vulnNumbers(r.c))
}

// vulnPrefix names v in a transcript line when the case holds several.
func (r *cmdRun) vulnPrefix(v *store.Vuln) string {
	if len(r.c.Vulns) > 1 || r.sel != 0 {
		return fmt.Sprintf("vulnerability %d: ", v.N)
	}
	return ""
}

// vulnNumbers lists the case's vulnerability numbers: "1, 3".
func vulnNumbers(c *store.Case) string {
	var out []string
	for _, v := range c.Vulns {
		out = append(out, strconv.Itoa(v.N))
	}
	return strings.Join(out, ", ")
}

func orUntitled(title string) string {
	if title == "" {
		return "no title yet"
	}
	return fmt.Sprintf("%q", title)
}
