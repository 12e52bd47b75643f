package outmail

import (
	"fmt"
	"strings"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/policy"
	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// PolicyFields maps a case onto the policy package's advisory fields.
func PolicyFields(robot config.Robot, c *store.Case) policy.Fields {
	f := c.Fields
	pf := policy.Fields{ProjectName: robot.ProjectName, ProjectURL: robot.ProjectURL,
		Title: f.Title, Affected: f.Affected, NotAffected: f.NotAffected, Unchecked: f.Unchecked,
		Type: f.Type, Impact: f.Impact, CVE: f.CVE, CRD: f.CRD, Mitigation: f.Mitigation, Workaround: f.Workaround}
	for _, cr := range f.Credits {
		pf.Credits = append(pf.Credits, cr.Name)
	}
	return pf
}

// missing returns the required and recommended advisory fields the case
// still lacks.
func (r *renderer) missing(c *store.Case) (required, recommended []string) {
	return policy.Missing(PolicyFields(r.Config.Robot, c))
}

// CurrentPatches are the case's patches not superseded or dropped.
func CurrentPatches(tx *store.Tx, caseID string) ([]*store.Patch, error) {
	all, err := tx.Patches(caseID)
	if err != nil {
		return nil, err
	}
	var out []*store.Patch
	for _, p := range all {
		if p.State == store.PatchCurrent {
			out = append(out, p)
		}
	}
	return out, nil
}

// advisoryData gathers what the advisory template shows.
func (r *renderer) advisoryData(tx *store.Tx, c *store.Case, draft bool) (map[string]any, []*store.Patch, error) {
	patches, err := CurrentPatches(tx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	f := c.Fields
	var credits, branches, plist []string
	for _, cr := range f.Credits {
		credits = append(credits, fmt.Sprintf("%s (%s)", cr.Name, strings.ReplaceAll(cr.Kind, "-", " ")))
	}
	for _, br := range f.Branches {
		branches = append(branches, fmt.Sprintf("%s in %s", br.Name, br.Fixed))
	}
	for _, p := range patches {
		plist = append(plist, fmt.Sprintf("%s  %s", p.SHA256, p.Name))
	}
	typ := f.Type
	if f.CWE != "" && !strings.Contains(typ, f.CWE) {
		typ = strings.TrimSpace(f.CWE + " " + typ)
	}
	sev := f.Severity
	if f.CVSS != "" {
		sev += " (" + f.CVSS + ")"
	}
	req, _ := r.missing(c)
	return map[string]any{
		"Case": c.ID, "Draft": draft, "Project": r.projectName(), "ProjectURL": r.Config.Robot.ProjectURL,
		"Title": f.Title, "CVE": f.CVE, "CRD": FmtCRD(f.CRD), "Affected": f.Affected, "NotAffected": f.NotAffected,
		"Unchecked": f.Unchecked, "Branches": strings.Join(branches, ", "), "Type": typ, "Severity": sev,
		"Impact": f.Impact, "Mitigation": f.Mitigation, "Workaround": f.Workaround, "Credits": credits,
		"Patches": plist, "Missing": strings.Join(req, ", "),
	}, patches, nil
}

// RenderAdvisory renders a case's advisory (draft or final) as text, for
// `secbot case advisory`. It reads env's transaction, config and
// templates, and no key.
func RenderAdvisory(env Env, caseID string, draft bool) (string, error) {
	c, err := env.Tx.Case(caseID)
	if err != nil {
		return "", err
	}
	r := &renderer{Env: env}
	data, _, err := r.advisoryData(env.Tx, c, draft)
	if err != nil {
		return "", err
	}
	subj, body, err := env.Templates.Render(templates.Advisory, data)
	if err != nil {
		return "", err
	}
	return "Subject: " + subj + "\n\n" + string(body), nil
}

// advisoryAttachments renders the advisory and returns its subject, its
// text, and the attachments: the advisory itself, then every patch.
func (r *renderer) advisoryAttachments(tx *store.Tx, c *store.Case, draft bool) (string, []byte, []attachment, error) {
	data, patches, err := r.advisoryData(tx, c, draft)
	if err != nil {
		return "", nil, nil, PermanentError{err}
	}
	subj, adv, err := r.Templates.Render(templates.Advisory, data)
	if err != nil {
		return "", nil, nil, PermanentError{err}
	}
	name := c.ID + "-advisory.txt"
	if draft {
		name = c.ID + "-advisory-DRAFT.txt"
	}
	atts := []attachment{{Name: name, ContentType: "text/plain", Data: adv}}
	for _, p := range patches {
		atts = append(atts, attachment{Name: p.Name, ContentType: "text/x-diff", Data: tx.PatchData(p.SHA256)})
	}
	return subj, adv, atts, nil
}
