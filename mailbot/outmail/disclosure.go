package outmail

import (
	"slices"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/export"
	"github.com/secbot/secbot/mailbot/policy"
	"github.com/secbot/secbot/store"
)

// The renderings of the embargo and the disclosure: the draft advisory,
// pre-notifications, CRD notices, the CVE request, the announcement and
// the end of the embargo.

// caseOf loads the case a disclosure mail is about, and the fields its
// template shows in every kind.
func caseOf(r *renderer, om *store.OutMail) (*store.Case, map[string]any, error) {
	c, err := r.Tx.Case(om.Case)
	if err != nil {
		return nil, nil, PermanentError{err}
	}
	return c, r.caseBase(c), nil
}

func renderAdvisory(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	c, _, err := caseOf(r, om)
	if err != nil {
		return nil, err
	}
	subj, adv, atts, err := r.advisoryAttachments(r.Tx, c, true)
	if err != nil {
		return nil, err
	}
	return multipartMail(r.header(om, subj, sp), adv, atts[1:])
}

func renderPrenotify(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	c, base, err := caseOf(r, om)
	if err != nil {
		return nil, err
	}
	d, _ := r.Keys.DownstreamByID(sp.For.ID)
	base["Name"], base["Update"], base["Changes"], base["Previous"] = d.Name, sp.Update, sp.Changes, sp.Previous
	return r.draftMail(om, sp, c, base, true)
}

// draftMail writes a cover text from the row's template (base, plus
// "Patches": the names of the patches attached) with the draft advisory
// attached, and the current patches too when withPatches.
func (r *renderer) draftMail(om *store.OutMail, sp Spec, c *store.Case, base map[string]any, withPatches bool) ([]byte, error) {
	_, _, atts, err := r.advisoryAttachments(r.Tx, c, true)
	if err != nil {
		return nil, err
	}
	if !withPatches {
		atts = atts[:1]
	}
	var names []string
	for _, a := range atts[1:] {
		names = append(names, a.Name)
	}
	base["Patches"] = names
	subj, body, err := r.Templates.Render(r.row.Template, base)
	if err != nil {
		return nil, PermanentError{err}
	}
	return multipartMail(r.header(om, subj, sp), body, atts)
}

func renderCRDNotice(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	c, base, err := caseOf(r, om)
	if err != nil {
		return nil, err
	}
	base["Cleared"], base["Previous"] = c.Fields.CRD.IsZero(), sp.Previous
	return r.templateMail(om, sp, base)
}

func renderCVERequest(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	c, err := r.Tx.Case(om.Case)
	if err != nil {
		return nil, PermanentError{err}
	}
	a, err := r.advisoryOf(c)
	if err != nil {
		return nil, err
	}
	req := advisory.CVERequest{Advisory: a, Numbers: sp.Vulns, Robot: r.Config.Robot.Name}
	subj, body, err := r.Templates.Render(r.row.Template, req)
	if err != nil {
		return nil, PermanentError{err}
	}
	// The draft CVE JSON 5 container of each vulnerability, for the CNA
	// to file; the mail is encrypted to the CNA like the rest. A container
	// that cannot be built (no URL to reference yet) does not hold up the
	// request, which says why it has none.
	ec := export.NewCase(a)
	ec.Vulns = slices.DeleteFunc(ec.Vulns, func(v export.Vuln) bool { return !asked(req, v.N) })
	files, err := export.CNAContainers(ec, export.SettingsOf(r.Config))
	if err != nil {
		body = append(body, "\n(No draft CVE JSON 5 container is attached: "+err.Error()+".)\n"...)
	}
	var atts []attachment
	for _, f := range files {
		atts = append(atts, attachment{Name: f.Path, ContentType: "application/json", Data: f.Data})
	}
	return multipartMail(r.header(om, subj, sp), body, atts)
}

// renderAnnounce writes the public announcement: the final advisory and
// the patches.
func renderAnnounce(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	c, base, err := caseOf(r, om)
	if err != nil {
		return nil, err
	}
	_, adv, atts, err := r.advisoryAttachments(r.Tx, c, false)
	if err != nil {
		return nil, err
	}
	base["Advisory"] = string(adv)
	subj, body, err := r.Templates.Render(r.row.Template, base)
	if err != nil {
		return nil, PermanentError{err}
	}
	return multipartMail(r.header(om, subj, sp), body, atts[1:])
}

func renderEmbargoEnd(r *renderer, om *store.OutMail, sp Spec) ([]byte, error) {
	c, base, err := caseOf(r, om)
	if err != nil {
		return nil, err
	}
	base["Published"] = FmtCRD(c.Embargo.Published)
	base["Distros"] = sp.For.Class == Downstream && r.isDistros(sp.For.ID)
	return r.templateMail(om, sp, base)
}

func (r *renderer) isDistros(id string) bool {
	d, ok := r.Keys.DownstreamByID(id)
	return ok && d.Kind == policy.KindDistros
}

// asked reports whether the CVE request req asks for vulnerability n.
func asked(req advisory.CVERequest, n int) bool {
	for _, v := range req.Asked() {
		if v.N == n {
			return true
		}
	}
	return false
}
