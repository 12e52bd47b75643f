package mailbot

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/command"
	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/mailbot/outmail"
	"github.com/secbot/secbot/mailbot/policy"
	"github.com/secbot/secbot/store"
)

// policyFields maps a case onto the policy package's advisory fields,
// through its typed advisory (patches play no part in the policy).
func (b *Bot) policyFields(c *store.Case) policy.Fields {
	return advisory.Build(c, advisory.ProjectOf(b.cfg), nil).Policy()
}

// advisoryOf builds the case's advisory, with its current patches.
func (b *Bot) advisoryOf(tx *store.Tx, c *store.Case) (*advisory.Advisory, error) {
	patches, err := tx.Patches(c.ID)
	if err != nil {
		return nil, err
	}
	return advisory.Build(c, advisory.ProjectOf(b.cfg), patches), nil
}

// limits are the configured embargo limits over the policy defaults.
func (b *Bot) limits() map[string]policy.Limits {
	l := policy.DefaultLimits()
	for kind, v := range b.cfg.Embargo.Limits {
		l[kind] = policy.Limits{MaxDays: v.MaxDays, WarnDays: v.WarnDays}
	}
	return l
}

// recipientKinds are the contact kinds of the case's chosen recipients.
func (b *Bot) recipientKinds(c *store.Case) []string {
	var kinds []string
	for _, id := range c.Embargo.Notify {
		if d, ok := b.keys.DownstreamByID(id); ok {
			kinds = append(kinds, d.Kind)
		}
	}
	return kinds
}

func embargoStart(c *store.Case, now time.Time) time.Time {
	if !c.Embargo.Start.IsZero() {
		return c.Embargo.Start
	}
	return now
}

// findings turns policy findings into a transcript result: an error when
// anything was refused, else the warnings to add to the ok text.
func findings(f policy.Findings) (warn string, err error) {
	if f.Refused() {
		return "", fmt.Errorf("%s", strings.Join(f.Errors(), "; "))
	}
	if w := f.Warnings(); len(w) > 0 {
		return " (warning: " + strings.Join(w, "; ") + ")", nil
	}
	return "", nil
}

// setCRDChecked sets the CRD after the policy checks, and tells the
// reporter and every downstream contact already notified.
func (r *cmdRun) setCRDChecked(cmd command.Command) (string, error) {
	c := r.c
	old := c.Fields.CRD
	if cmd.Clear {
		if c.Embargo.Armed {
			return "", fmt.Errorf("the announcement is armed for the CRD; send \"hold\" first")
		}
		c.Fields.CRD = time.Time{}
		r.deleteTimers(store.TimerRemind)
		told := notifiedIDs(c)
		r.after = append(r.after, func() (int, error) { return r.b.queueCRDNotices(r.tx, c, told, old, r.now) })
		return "crd cleared", nil
	}
	crd := cmd.CRD.UTC()
	warn, err := findings(policy.CheckCRD(cmd.CRD, r.now, embargoStart(c, r.now), r.b.recipientKinds(c), r.b.limits(), r.b.cfg.Embargo.Holidays, cmd.Force))
	if err != nil {
		return "", err
	}
	if crd.Equal(old) {
		return "crd unchanged: " + outmail.FmtCRD(crd), nil
	}
	c.Fields.CRD = crd
	c.Embargo.Reminded = time.Time{}
	r.setTimers()
	// Only contacts notified before this command hear of the change: one
	// pre-notified later in the same mail gets the CRD in that mail.
	told := notifiedIDs(c)
	r.after = append(r.after, func() (int, error) { return r.b.queueCRDNotices(r.tx, c, told, old, r.now) })
	return "crd = " + outmail.FmtCRD(crd) + warn, nil
}

// notifiedIDs are the downstream contacts pre-notified so far, sorted.
func notifiedIDs(c *store.Case) []string {
	var ids []string
	for id := range c.Embargo.Sent {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// setTimers schedules the reminder and, when armed, the publication, at
// the current CRD. They run after the transaction commits with the case.
func (r *cmdRun) setTimers() {
	c := r.c
	r.after = append(r.after, func() (int, error) {
		remind := c.Fields.CRD.Add(-r.b.cfg.Embargo.Reminder)
		if !remind.After(r.now) {
			remind = r.now // the CRD is near: remind now if something is missing
		}
		if err := r.tx.SetTimer(store.Timer{At: remind, Case: c.ID, Kind: store.TimerRemind}); err != nil {
			return 0, err
		}
		if c.Embargo.Armed {
			return 0, r.tx.SetTimer(store.Timer{At: c.Fields.CRD, Case: c.ID, Kind: store.TimerPublish})
		}
		return 0, nil
	})
}

func (r *cmdRun) deleteTimers(kinds ...string) {
	id := r.c.ID
	r.after = append(r.after, func() (int, error) {
		for _, k := range kinds {
			if err := r.tx.DeleteTimer(id, k); err != nil {
				return 0, err
			}
		}
		return 0, nil
	})
}

// notify chooses the downstream recipients of the case.
func (r *cmdRun) notify(cmd command.Command) (string, error) {
	var bad []string
	for _, id := range cmd.IDs {
		d, ok := r.b.keys.DownstreamByID(id)
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("%s: no such downstream contact", id))
		case d.Err != nil:
			bad = append(bad, fmt.Sprintf("%s: refused, no valid key (%v)", id, d.Err))
		}
	}
	if len(bad) > 0 {
		return "", fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	ids := slices.Clone(cmd.IDs)
	slices.Sort(ids)
	r.c.Embargo.Notify = slices.Compact(ids)
	return "recipients = " + strings.Join(r.c.Embargo.Notify, ", "), nil
}

// prenotify sends the draft advisory and the patches to every chosen
// recipient, each separately and encrypted to its own key. A recipient
// already up to date is skipped; one that got an older state gets an
// update saying what changed.
func (r *cmdRun) prenotify() (string, error) {
	c := r.c
	if c.State != store.StateAccepted {
		return "", fmt.Errorf("only an accepted case goes downstream (this one is %s; send \"accept\" first)", c.State)
	}
	if len(c.Embargo.Notify) == 0 {
		return "", fmt.Errorf("no recipients: choose them first with \"notify ID...\"")
	}
	if req, _ := policy.Missing(r.b.policyFields(c)); len(req) > 0 {
		return "", fmt.Errorf("refused: the advisory still lacks %s", strings.Join(req, ", "))
	}
	patches, err := r.currentPatches()
	if err != nil {
		return "", err
	}
	snap := patchList(patches)
	fields := r.b.draftFields(c, patches)
	var refused, sent, skipped, warnings []string
	type job struct {
		d       keyring.ContactKey
		changes []string
		update  bool
	}
	var jobs []job
	for _, id := range c.Embargo.Notify {
		d, _ := r.b.keys.DownstreamByID(id)
		if d.Err != nil || d.Key == nil {
			refused = append(refused, fmt.Sprintf("%s: no valid key", id))
			continue
		}
		f := policy.PrenotifyCheck(d.Kind, r.b.policyFields(c), len(patches), c.Embargo.PublicFix, r.now, embargoStart(c, r.now), r.b.limits(), false)
		if f.Refused() {
			refused = append(refused, fmt.Sprintf("%s: %s", id, strings.Join(f.Errors(), "; ")))
			continue
		}
		for _, w := range f.Warnings() {
			warnings = append(warnings, id+": "+w)
		}
		prev, had := c.Embargo.Sent[id]
		changes := changesSince(prev, c.Fields.CRD, snap, fields)
		if had && len(changes) == 0 {
			skipped = append(skipped, id)
			continue
		}
		jobs = append(jobs, job{d, changes, had})
	}
	if len(refused) > 0 {
		return "", fmt.Errorf("refused, nothing sent: %s", strings.Join(refused, "; "))
	}
	if c.Embargo.Start.IsZero() && len(jobs) > 0 {
		c.Embargo.Start = r.now
	}
	if c.Embargo.Sent == nil {
		c.Embargo.Sent = map[string]store.Sent{}
	}
	for _, j := range jobs {
		n := c.Embargo.Sent[j.d.ID].Count + 1
		c.Embargo.Sent[j.d.ID] = store.Sent{At: r.now, CRD: c.Fields.CRD, Patches: snap, Count: n, Fields: fields}
		sent = append(sent, j.d.ID)
		j := j
		r.after = append(r.after, func() (int, error) {
			return r.b.queuePrenotify(r.tx, c, j.d, n, j.update, j.changes, r.now)
		})
	}
	msg := "pre-notification sent to " + outmail.OrNone(strings.Join(sent, ", "))
	if len(skipped) > 0 {
		msg += "; already up to date: " + strings.Join(skipped, ", ")
	}
	if len(warnings) > 0 {
		msg += " (warning: " + strings.Join(warnings, "; ") + ")"
	}
	return msg, nil
}

// patchList is the patch part of a pre-notification snapshot.
func patchList(patches []*store.Patch) []string {
	var out []string
	for _, p := range patches {
		out = append(out, p.Name+" "+p.SHA256)
	}
	return out
}

// changesSince says what an update changes against what was sent: the
// CRD, the patches, and the draft's vulnerabilities and their fields
// (fields as draftFields gives them).
func changesSince(prev store.Sent, crd time.Time, patches []string, fields map[string]string) []string {
	var out []string
	if !prev.CRD.Equal(crd) {
		out = append(out, fmt.Sprintf("the CRD is now %s (was %s)", outmail.FmtCRD(crd), outmail.OrNone(outmail.FmtCRD(prev.CRD))))
	}
	for _, p := range patches {
		if !slices.Contains(prev.Patches, p) {
			out = append(out, "new patch: "+strings.Fields(p)[0])
		}
	}
	for _, p := range prev.Patches {
		if !slices.Contains(patches, p) {
			out = append(out, "withdrawn: "+strings.Fields(p)[0])
		}
	}
	// A record from before the fields were kept says nothing of them:
	// only the CRD and the patches can be compared.
	if prev.Fields != nil {
		out = append(out, fieldChanges(prev.Fields, fields)...)
	}
	return out
}

// draftFields digests the vulnerability fields of the case's draft
// advisory, for telling a contact what an update changes without
// keeping the embargoed text twice: "N" for each vulnerability, and "N
// name" for each of its fields that is set, as the case summary shows it.
func (b *Bot) draftFields(c *store.Case, patches []*store.Patch) map[string]string {
	a := advisory.Build(c, advisory.ProjectOf(b.cfg), patches)
	out := map[string]string{}
	for i := range a.Vulns {
		v := &a.Vulns[i]
		out[strconv.Itoa(v.N)] = ""
		for _, f := range advisory.Fields {
			if f.Scope != advisory.ScopeVulnerability {
				continue
			}
			if val := f.Value(a, v); val != "" {
				sum := sha256.Sum256([]byte(val))
				out[strconv.Itoa(v.N)+" "+f.Name()] = hex.EncodeToString(sum[:8])
			}
		}
	}
	return out
}

// fieldChanges compares two draftFields: the vulnerabilities added and
// dropped, and for each other one the fields set, unset or changed, in
// the order of the case summary.
func fieldChanges(prev, now map[string]string) []string {
	var ns []int
	for k := range maps.Keys(prev) {
		if n, err := strconv.Atoi(k); err == nil {
			ns = append(ns, n)
		}
	}
	for k := range maps.Keys(now) {
		if n, err := strconv.Atoi(k); err == nil && !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
	}
	slices.Sort(ns)
	var out []string
	for _, n := range ns {
		key := strconv.Itoa(n)
		_, was := prev[key]
		_, is := now[key]
		switch {
		case !was:
			out = append(out, fmt.Sprintf("vulnerability %d added", n))
		case !is:
			out = append(out, fmt.Sprintf("vulnerability %d dropped", n))
		default:
			var changed []string
			for _, f := range advisory.Fields {
				if k := key + " " + f.Name(); prev[k] != now[k] {
					changed = append(changed, f.Name())
				}
			}
			if len(changed) > 0 {
				out = append(out, fmt.Sprintf("vulnerability %d: %s changed", n, strings.Join(changed, ", ")))
			}
		}
	}
	return out
}

// currentPatches is the case's current patches as this mail's commands
// so far leave them.
func (r *cmdRun) currentPatches() ([]*store.Patch, error) {
	if r.patches == nil {
		all, err := r.tx.Patches(r.c.ID)
		if err != nil {
			return nil, err
		}
		r.patches = all
	}
	return store.Current(r.patches), nil
}

// patch stores the patches attached to the command mail, or drops one.
func (r *cmdRun) patch(cmd command.Command) (string, error) {
	if _, err := r.currentPatches(); err != nil {
		return "", err
	}
	if cmd.Drop != "" {
		for _, p := range r.patches {
			if p.Name == cmd.Drop && p.State == store.PatchCurrent {
				p.State = store.PatchDropped
				r.after = append(r.after, func() (int, error) { return 0, r.tx.UpdatePatch(p) })
				return "patch dropped: " + p.Name, nil
			}
		}
		return "", fmt.Errorf("no current patch named %q", cmd.Drop)
	}
	if len(r.p.patches) == 0 {
		return "", fmt.Errorf("no patch attached (attach .patch or .diff files to the signed mail)")
	}
	var notes []string
	for _, a := range r.p.patches {
		p, note := r.newPatch(a, r.patches)
		r.patches = append(r.patches, p)
		notes = append(notes, note)
		data := a.Data
		r.after = append(r.after, func() (int, error) { return 0, r.tx.AddPatch(p, data) })
	}
	return strings.Join(notes, "; "), nil
}

// newPatch names a new patch after the convention and supersedes the
// revision it replaces (which is kept).
func (r *cmdRun) newPatch(a inAttachment, existing []*store.Patch) (*store.Patch, string) {
	sum := sha256.Sum256(a.Data)
	var branches []string
	for _, v := range r.c.Vulns {
		for _, br := range v.Branches {
			if !slices.Contains(branches, br.Name) {
				branches = append(branches, br.Name)
			}
		}
	}
	branch := policy.BranchOf(a.Name, branches)
	pn, ok := policy.ParsePatchName(a.Name)
	note := ""
	if !ok || pn.Rev == 0 {
		// A patch is named for the case's one CVE id; with several
		// vulnerabilities it may fix any of them, so for the case.
		id := r.c.ID
		if len(r.c.Vulns) == 1 && r.c.Vulns[0].CVE != "" {
			id = r.c.Vulns[0].CVE
		}
		suggested, _ := policy.ParsePatchName(policy.SuggestName(r.b.projectName(), branch, id, 1))
		pn = suggested
		note = fmt.Sprintf(" (%q does not follow the naming convention: stored as the suggested name)", a.Name)
	}
	rev := max(pn.Rev, 1)
	for _, old := range existing {
		if old.Base == pn.Base && old.State == store.PatchCurrent {
			rev = max(rev, old.Rev+1)
			old.State = store.PatchSuperseded
			o := old
			r.after = append(r.after, func() (int, error) { return 0, r.tx.UpdatePatch(o) })
			note += fmt.Sprintf(" (supersedes %s, which is kept)", old.Name)
		} else if old.Base == pn.Base {
			rev = max(rev, old.Rev+1)
		}
	}
	pn.Rev = rev
	p := &store.Patch{Case: r.c.ID, Name: pn.String(), Base: pn.Base, Rev: rev, Branch: branch,
		SHA256: hex.EncodeToString(sum[:]), Size: len(a.Data), Added: r.now, By: r.p.signer, Msg: r.msg.Key, State: store.PatchCurrent}
	return p, fmt.Sprintf("patch %s r%d, %d bytes, sha256 %s…%s", p.Name, rev, p.Size, p.SHA256[:12], note)
}

// cveRequest asks the configured CNA for an id for each vulnerability
// that has none and was not asked for yet, in one request that describes
// each separately. A vulnerability is asked for once: a second request
// would get a second id.
func (r *cmdRun) cveRequest() (string, error) {
	c := r.c
	var ask []int
	var asked []string
	for _, v := range c.Vulns {
		switch {
		case v.CVE != "":
		case !v.CVERequested.IsZero():
			asked = append(asked, fmt.Sprintf("vulnerability %d on %s", v.N, v.CVERequested.UTC().Format("2006-01-02")))
		default:
			ask = append(ask, v.N)
		}
	}
	if len(ask) == 0 && len(asked) > 0 {
		return "", fmt.Errorf("a CVE id was already requested for %s; ask in one place only", strings.Join(asked, ", "))
	}
	if len(ask) == 0 {
		return "", fmt.Errorf("every vulnerability of the case has its CVE id")
	}
	cna := r.b.keys.CNA
	if cna == nil {
		return "", fmt.Errorf("no CNA is configured ([cve] cna_address)")
	}
	if cna.Err != nil {
		return "", fmt.Errorf("refused: the CNA has no valid key (%v); the request carries embargoed details", cna.Err)
	}
	// The first request keeps the case's tag; a later one, for
	// vulnerabilities added since, is tagged by its first number.
	tag := "cve-request." + c.ID
	if len(ask) < len(c.Vulns) {
		tag += fmt.Sprintf(".%d", ask[0])
	}
	for _, n := range ask {
		c.Vuln(n).CVERequested = r.now
	}
	r.after = append(r.after, func() (int, error) { return r.b.queueCVERequest(r.tx, c, *cna, tag, ask, r.now) })
	msg := "CVE id requested from " + cna.Address
	if len(c.Vulns) > 1 {
		msg = fmt.Sprintf("%d CVE id(s) requested from %s, for vulnerability %s", len(ask), cna.Address, joinInts(ask))
	}
	if len(asked) > 0 {
		msg += " (already requested: " + strings.Join(asked, ", ") + ")"
	}
	return msg, nil
}

func joinInts(ns []int) string {
	var out []string
	for _, n := range ns {
		out = append(out, fmt.Sprint(n))
	}
	return strings.Join(out, ", ")
}

// publish arms the announcement for the CRD, or publishes now.
func (r *cmdRun) publish(cmd command.Command) (string, error) {
	c := r.c
	if c.State == store.StatePublished {
		return "", fmt.Errorf("the case was already published on %s", c.Embargo.Published.UTC().Format("2006-01-02 15:04 MST"))
	}
	if c.State != store.StateAccepted {
		return "", fmt.Errorf("only an accepted case can be published (this one is %s)", c.State)
	}
	if req, _ := policy.Missing(r.b.policyFields(c)); len(req) > 0 && !(cmd.Now && onlyCRD(req)) {
		return "", fmt.Errorf("refused: the advisory still lacks %s", strings.Join(req, ", "))
	}
	warn := pendingCreditsWarning(c)
	if cmd.Now {
		r.after = append(r.after, func() (int, error) { return r.b.publishCase(r.tx, c, r.now) })
		return "published now: the announcement and the end-of-embargo notices are queued" + warn, nil
	}
	if c.Fields.CRD.IsZero() || !c.Fields.CRD.After(r.now) {
		return "", fmt.Errorf("the CRD must be set and in the future to arm the announcement (or use \"publish now\")")
	}
	c.Embargo.Armed = true
	r.setTimers()
	return "armed: the announcement goes out at " + outmail.FmtCRD(c.Fields.CRD) + warn, nil
}

func onlyCRD(missing []string) bool {
	return len(missing) == 1 && missing[0] == policy.FieldCRD
}

// hold disarms the announcement.
func (r *cmdRun) hold() (string, error) {
	if !r.c.Embargo.Armed {
		return "", fmt.Errorf("the announcement is not armed")
	}
	r.c.Embargo.Armed = false
	r.deleteTimers(store.TimerPublish)
	return "disarmed: nothing will be published at the CRD", nil
}

// advisory sends the current draft to the maintainers.
func (r *cmdRun) advisory() (string, error) {
	c := r.c
	r.after = append(r.after, func() (int, error) {
		return r.b.toMaintainers(r.tx, c.ID, outmail.Advisory, fmt.Sprintf("advisory.%d", r.msg.Key), outmail.Spec{Msg: r.msg.Key}, false, r.now)
	})
	req, rec := policy.Missing(r.b.policyFields(c))
	msg := "draft advisory sent to the maintainers"
	if len(req) > 0 {
		msg += "; required but missing: " + strings.Join(req, ", ")
	}
	if len(rec) > 0 {
		msg += "; recommended but missing: " + strings.Join(rec, ", ")
	}
	return msg, nil
}

// missing returns the required and recommended advisory fields the case
// still lacks.
func (b *Bot) missing(c *store.Case) (required, recommended []string) {
	return policy.Missing(b.policyFields(c))
}
