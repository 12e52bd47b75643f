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
	if fd, ok := advisory.FieldOf(cmd.Kind); ok && (fd.Text != nil || fd.Versions != nil) {
		return setField(&r.c.Fields, fd, cmd)
	}
	f := &r.c.Fields
	switch cmd.Kind {
	case command.KindType:
		f.CWE = cmd.CWE
		return setText(&f.Type, "type", cmd.Text, cmd.Clear)
	case command.KindSeverity:
		f.CVSS = cmd.CVSS
		return setText(&f.Severity, "severity", cmd.Severity, cmd.Clear)
	case command.KindCVE:
		return setText(&f.CVE, "cve", cmd.CVE, cmd.Clear)
	case command.KindCRD:
		return r.setCRDChecked(cmd)
	case command.KindCredit:
		return r.credit(cmd)
	case command.KindReporter:
		return r.addReporter(cmd)
	case command.KindReporterKey:
		return r.reporterKey(cmd)
	case command.KindBranch:
		return r.branch(cmd)
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

// setField sets a field of a standard syntax, text or version list,
// through its row of the field table: such a field needs no case here.
func setField(f *store.Fields, fd advisory.Field, cmd command.Command) (string, error) {
	if fd.Text != nil {
		return setText(fd.Text(f), fd.Name(), cmd.Text, cmd.Clear)
	}
	return setRanges(fd.Versions(f), fd.Name(), cmd)
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

func (r *cmdRun) credit(cmd command.Command) (string, error) {
	if cmd.Clear {
		r.c.Fields.Credits = nil
		return "credits cleared", nil
	}
	if cmd.Credit.Outcome != "" {
		return r.creditOutcome(cmd.Credit)
	}
	cr := store.Credit{Name: cmd.Credit.Name, Address: cmd.Credit.Address, Kind: cmd.Credit.Kind}
	for _, old := range r.c.Fields.Credits {
		if sameCredit(old, cr) {
			return "", fmt.Errorf("%s is already credited as %s", cr.Name, cr.Kind)
		}
	}
	ask := r.askConsent(&cr)
	r.c.Fields.Credits = append(r.c.Fields.Credits, cr)
	return fmt.Sprintf("credit %s as %s", cr.Name, cr.Kind) + ask, nil
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

func (r *cmdRun) branch(cmd command.Command) (string, error) {
	br := store.Branch{Name: cmd.Branch, Fixed: cmd.FixedVersion}
	for i, old := range r.c.Fields.Branches {
		if old.Name == br.Name {
			r.c.Fields.Branches[i] = br
			return fmt.Sprintf("branch %s: fixed in %s (was %s)", br.Name, br.Fixed, old.Fixed), nil
		}
	}
	r.c.Fields.Branches = append(r.c.Fields.Branches, br)
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
