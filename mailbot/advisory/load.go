package advisory

import (
	"slices"
	"strings"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// ProjectOf reads the project's name and URL from the config. The name
// shown falls back to the robot's name; the advisory still counts the
// project name as missing until project_name is set.
func ProjectOf(cfg *config.Config) Project {
	return Project{Name: cfg.Robot.ProjectName, URL: cfg.Robot.ProjectURL, Fallback: cfg.Robot.Name}
}

// Load builds the advisory of the case id from a read transaction.
func Load(tx *store.Tx, id string, p Project) (*Advisory, error) {
	c, err := tx.Case(id)
	if err != nil {
		return nil, err
	}
	patches, err := tx.Patches(c.ID)
	if err != nil {
		return nil, err
	}
	return Build(c, p, patches), nil
}

// Render writes the advisory with the advisory template: the draft,
// marked embargoed, or the final text as announced.
func (a *Advisory) Render(t *templates.Set, draft bool) (subject string, body []byte, err error) {
	return t.Render(templates.Advisory, struct {
		*Advisory
		Draft bool
	}{a, draft})
}

// CVERequest is what the CVE request template shows: the advisory, the
// numbers of the vulnerabilities it asks ids for, and the robot's name to
// sign with.
type CVERequest struct {
	*Advisory
	// Numbers are the vulnerabilities asked for, by number; nil asks for
	// every vulnerability of the advisory.
	Numbers []int
	Robot   string
}

// Title is the titles of the vulnerabilities asked for, separated by
// "; ", for the request's subject.
func (r CVERequest) Title() string {
	var out []string
	for _, v := range r.Asked() {
		if t := v.Title(); t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, "; ")
}

// Asked are the vulnerabilities the request describes, each separately,
// so that the CNA can split or merge them.
func (r CVERequest) Asked() []Vulnerability {
	if r.Numbers == nil {
		return r.Vulns
	}
	var out []Vulnerability
	for _, v := range r.Vulns {
		if slices.Contains(r.Numbers, v.N) {
			out = append(out, v)
		}
	}
	return out
}

// Text is the rendered advisory of case id as the CLI prints it: its
// subject line, a blank line, the body. It needs no Bot and no key: the
// config's project, the templates and a read transaction.
func Text(tx *store.Tx, id string, cfg *config.Config, t *templates.Set, draft bool) (string, error) {
	a, err := Load(tx, id, ProjectOf(cfg))
	if err != nil {
		return "", err
	}
	subj, body, err := a.Render(t, draft)
	if err != nil {
		return "", err
	}
	return "Subject: " + subj + "\n\n" + string(body), nil
}
