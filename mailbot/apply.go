package mailbot

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/command"
	"github.com/secbot/secbot/mailbot/versions"
	"github.com/secbot/secbot/store"
)

// errNotHere is returned for commands this version of secbot parses but
// does not carry out, so that the transcript says so plainly.
var errNotHere = errors.New("not available in this version of secbot")

// apply carries out one command on the working copy of the case. It
// returns the transcript's "ok" text, or why the command was refused.
func (r *cmdRun) apply(cmd command.Command) (string, error) {
	if err := command.Validate(cmd, r.now); err != nil {
		return "", err
	}
	if fd, ok := advisory.FieldOf(cmd.Kind); ok && fd.Scope == advisory.ScopeVulnerability && cmd.Kind != command.KindCredit {
		return r.setVulnField(fd, cmd)
	}
	switch cmd.Kind {
	case command.KindVuln:
		return r.vuln(cmd)
	case command.KindCRD:
		return r.setCRDChecked(cmd)
	case command.KindCredit:
		return r.credit(cmd)
	case command.KindReporter:
		return r.addReporter(cmd)
	case command.KindReporterKey:
		return r.reporterKey(cmd)
	case command.KindAccept, command.KindReject, command.KindDuplicate, command.KindClose, command.KindReopen:
		return r.setState(cmd)
	case command.KindStatus:
		return "the case summary follows below", nil
	case command.KindReply:
		return r.reply()
	case command.KindTell:
		return r.tell(cmd)
	case command.KindShare:
		return r.share(cmd)
	case command.KindNotify:
		return r.notify(cmd)
	case command.KindSend, command.KindPrenotify:
		return r.prenotify()
	case command.KindPatch:
		return r.patch(cmd)
	case command.KindCVERequest:
		return r.cveRequest()
	case command.KindPublish:
		return r.publish(cmd)
	case command.KindHold:
		return r.hold()
	case command.KindAdvisory:
		return r.advisory()
	}
	return "", fmt.Errorf("%s: %w", cmd.Kind, errNotHere)
}

// setVulnField sets a field of the selected vulnerability (vuln.go):
// one of a standard syntax, text or version list, through its row of the
// field table, which needs no case here; or one of its own syntax.
func (r *cmdRun) setVulnField(fd advisory.Field, cmd command.Command) (string, error) {
	v, err := r.target()
	if err != nil {
		return "", err
	}
	var msg string
	switch {
	case fd.Text != nil || fd.Versions != nil:
		msg, err = setField(v, fd, cmd)
	case cmd.Kind == command.KindType:
		v.CWE = cmd.CWE
		msg, err = setText(&v.Type, "type", cmd.Text, cmd.Clear)
	case cmd.Kind == command.KindSeverity:
		msg, err = setSeverity(v, cmd)
	case cmd.Kind == command.KindCVE:
		msg, err = r.setCVE(v, cmd)
	case cmd.Kind == command.KindBranch:
		msg, err = branch(v, cmd)
	default:
		return "", fmt.Errorf("%s: %w", cmd.Kind, errNotHere)
	}
	return r.vulnPrefix(v) + msg, err
}

// setField sets a field of a standard syntax, text or version list,
// through its row of the field table: such a field needs no case here.
func setField(v *store.Vuln, fd advisory.Field, cmd command.Command) (string, error) {
	if fd.Text != nil {
		return setText(fd.Text(v), fd.Name(), cmd.Text, cmd.Clear)
	}
	return setRanges(fd.Versions(v), fd.Name(), cmd)
}

// setSeverity sets the level and the vector, and warns when the level
// is not the band of the vector's base score.
func setSeverity(v *store.Vuln, cmd command.Command) (string, error) {
	v.CVSS = cmd.CVSS
	msg, err := setText(&v.Severity, "severity", cmd.Severity, cmd.Clear)
	if cmd.CVSS != "" {
		msg += fmt.Sprintf(", CVSS base score %.1f", cmd.Score)
	}
	if w := advisory.NewSeverity(cmd.Severity, cmd.CVSS).Disagrees(); w != "" && !cmd.Clear {
		msg += " (warning: " + w + ")"
	}
	return msg, err
}

// setCVE records a vulnerability's CVE id, which no other vulnerability
// of the case may hold.
func (r *cmdRun) setCVE(v *store.Vuln, cmd command.Command) (string, error) {
	for _, o := range r.c.Vulns {
		if o.N != v.N && cmd.CVE != "" && o.CVE == cmd.CVE {
			return "", fmt.Errorf("vulnerability %d already has %s", o.N, cmd.CVE)
		}
	}
	return setText(&v.CVE, "cve", cmd.CVE, cmd.Clear)
}

func setText(field *string, name, value string, clear bool) (string, error) {
	if clear {
		*field = ""
		return name + " cleared", nil
	}
	*field = value
	return fmt.Sprintf("%s = %s", name, oneLine(value)), nil
}

// oneLine shortens a value for a transcript line.
func oneLine(s string) string {
	first, _, more := strings.Cut(strings.TrimSpace(s), "\n")
	if len(first) > 100 {
		first, more = first[:100], true
	}
	if more {
		return fmt.Sprintf("%q…", first)
	}
	return fmt.Sprintf("%q", first)
}

func setRanges(field *versions.List, name string, cmd command.Command) (string, error) {
	if cmd.Clear {
		*field = nil
		return name + " cleared", nil
	}
	*field = cmd.Ranges
	return fmt.Sprintf("%s = %s", name, field), nil
}

// credit adds a credit: to the case's, or, after "vuln N" selected one,
// to that vulnerability's own credits, which then replace the case's for
// it ("credit clear" there gives it the case's again).
func (r *cmdRun) credit(cmd command.Command) (string, error) {
	if cmd.Credit != nil && cmd.Credit.Outcome != "" {
		return r.creditOutcome(cmd.Credit)
	}
	list, prefix, err := r.creditList()
	if err != nil {
		return "", err
	}
	if cmd.Clear {
		*list = nil
		if prefix != "" {
			return prefix + "own credits cleared: the case's credits apply", nil
		}
		return "credits cleared", nil
	}
	cr := store.Credit{Name: cmd.Credit.Name, Address: cmd.Credit.Address, Kind: cmd.Credit.Kind}
	for _, old := range *list {
		if sameCredit(old, cr) {
			return "", fmt.Errorf("%s is already credited as %s", cr.Name, cr.Kind)
		}
	}
	ask := r.askConsent(&cr)
	*list = append(*list, cr)
	return prefix + fmt.Sprintf("credit %s as %s", cr.Name, cr.Kind) + ask, nil
}

// creditList is the list a credit line changes: the selected
// vulnerability's own credits after "vuln N" or "vuln add", else the
// case's.
func (r *cmdRun) creditList() (*[]store.Credit, string, error) {
	if r.sel == 0 && !r.selBroken {
		return &r.c.Fields.Credits, "", nil
	}
	v, err := r.target()
	if err != nil {
		return nil, "", err
	}
	return &v.Credits, fmt.Sprintf("vulnerability %d: ", v.N), nil
}

func (r *cmdRun) addReporter(cmd command.Command) (string, error) {
	addr := strings.ToLower(cmd.Address)
	if r.b.isRobotAddress(addr) {
		return "", fmt.Errorf("the robot's own address cannot be a reporter")
	}
	if slices.Contains(r.c.Reporters, addr) {
		return "", fmt.Errorf("%s is already a reporter", addr)
	}
	r.c.Reporters = append(r.c.Reporters, addr)
	return "reporter added: " + addr, nil
}

func branch(v *store.Vuln, cmd command.Command) (string, error) {
	br := store.Branch{Name: cmd.Branch, Fixed: cmd.FixedVersion}
	for i, old := range v.Branches {
		if old.Name == br.Name {
			v.Branches[i] = br
			return fmt.Sprintf("branch %s: fixed in %s (was %s)", br.Name, br.Fixed, old.Fixed), nil
		}
	}
	v.Branches = append(v.Branches, br)
	return fmt.Sprintf("branch %s: fixed in %s", br.Name, br.Fixed), nil
}

// setState moves the case through its life: new → accepted, and from
// any open state to rejected, duplicate or closed; reopen brings a
// rejected, duplicate or closed case back as accepted.
func (r *cmdRun) setState(cmd command.Command) (string, error) {
	c := r.c
	if c.State == store.StatePublished {
		return "", fmt.Errorf("the case is published; its state no longer changes")
	}
	closed := c.State == store.StateRejected || c.State == store.StateDuplicate || c.State == store.StateClosed
	switch cmd.Kind {
	case command.KindAccept:
		if c.State != store.StateNew {
			return "", fmt.Errorf("only a new case can be accepted (this one is %s; use reopen)", c.State)
		}
		c.State = store.StateAccepted
	case command.KindReject:
		if closed {
			return "", fmt.Errorf("the case is already %s", c.State)
		}
		c.State, c.Reason = store.StateRejected, cmd.Text
		r.disarm()
	case command.KindDuplicate:
		if strings.EqualFold(cmd.CaseID, c.ID) {
			return "", fmt.Errorf("a case cannot duplicate itself")
		}
		if !r.tx.CaseExists(cmd.CaseID) {
			return "", fmt.Errorf("no case %s", cmd.CaseID)
		}
		c.State, c.DuplicateOf = store.StateDuplicate, strings.ToUpper(cmd.CaseID)
		r.disarm()
	case command.KindClose:
		if closed {
			return "", fmt.Errorf("the case is already %s", c.State)
		}
		c.State = store.StateClosed
		r.disarm()
	case command.KindReopen:
		if !closed {
			return "", fmt.Errorf("the case is %s, not closed", c.State)
		}
		c.State, c.Reason, c.DuplicateOf = store.StateAccepted, "", ""
	}
	return "state = " + c.State, nil
}

// disarm stops a planned announcement: a case that is no longer open must
// not be published at its CRD.
func (r *cmdRun) disarm() {
	if r.c.Embargo.Armed {
		r.c.Embargo.Armed = false
		r.deleteTimers(store.TimerPublish)
	}
}

// reply sends the text after the command block to the reporters.
func (r *cmdRun) reply() (string, error) {
	text := strings.TrimSpace(r.p.cmds.Rest)
	if text == "" {
		return "", fmt.Errorf("no text after the command block to send (end the block with a blank line or \"thanks\", then write the reply)")
	}
	if len(r.c.Reporters) == 0 {
		return "", fmt.Errorf("the case has no reporter to reply to")
	}
	var how []string
	for _, addr := range r.c.Reporters {
		if r.c.UsableKey(addr) != nil {
			how = append(how, addr+" (encrypted)")
		} else {
			how = append(how, addr+" (signed, not encrypted: no key known)")
		}
	}
	c, msgKey := r.c, r.msg.Key
	r.after = append(r.after, func() (int, error) {
		return r.b.queueReply(r.tx, c, msgKey, text, r.now)
	})
	return "reply sent to " + strings.Join(how, ", "), nil
}
