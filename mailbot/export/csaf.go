package export

import (
	"fmt"
	"strings"
	"time"
)

// CSAF 2.0 (OASIS), category csaf_security_advisory: one document per
// case, every vulnerability in it, over one product tree.

type csafDoc struct {
	Document        csafDocument `json:"document"`
	ProductTree     *csafTree    `json:"product_tree,omitempty"`
	Vulnerabilities []csafVuln   `json:"vulnerabilities"`
}

type csafDocument struct {
	Category    string          `json:"category"`
	CSAFVersion string          `json:"csaf_version"`
	Lang        string          `json:"lang"`
	Title       string          `json:"title"`
	Publisher   csafPublisher   `json:"publisher"`
	Tracking    csafTracking    `json:"tracking"`
	Notes       []csafNote      `json:"notes,omitempty"`
	References  []csafReference `json:"references,omitempty"`
}

type csafPublisher struct {
	Category  string `json:"category"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

type csafTracking struct {
	ID                 string         `json:"id"`
	Status             string         `json:"status"`
	Version            string         `json:"version"`
	InitialReleaseDate string         `json:"initial_release_date"`
	CurrentReleaseDate string         `json:"current_release_date"`
	RevisionHistory    []csafRevision `json:"revision_history"`
	Generator          struct {
		Engine struct {
			Name string `json:"name"`
		} `json:"engine"`
	} `json:"generator"`
}

type csafRevision struct {
	Date    string `json:"date"`
	Number  string `json:"number"`
	Summary string `json:"summary"`
}

type csafNote struct {
	Category string `json:"category"`
	Title    string `json:"title,omitempty"`
	Text     string `json:"text"`
}

type csafReference struct {
	Category string `json:"category"`
	Summary  string `json:"summary"`
	URL      string `json:"url"`
}

type csafTree struct {
	Branches []csafBranch `json:"branches"`
}

type csafBranch struct {
	Category string        `json:"category"`
	Name     string        `json:"name"`
	Branches []csafBranch  `json:"branches,omitempty"`
	Product  *csafFullName `json:"product,omitempty"`
}

type csafFullName struct {
	Name      string `json:"name"`
	ProductID string `json:"product_id"`
}

type csafVuln struct {
	Title           string              `json:"title,omitempty"`
	CVE             string              `json:"cve,omitempty"`
	CWE             *csafCWE            `json:"cwe,omitempty"`
	IDs             []csafID            `json:"ids,omitempty"`
	Notes           []csafNote          `json:"notes,omitempty"`
	ProductStatus   map[string][]string `json:"product_status,omitempty"`
	Remediations    []csafRemediation   `json:"remediations,omitempty"`
	Scores          []map[string]any    `json:"scores,omitempty"`
	Acknowledgments []csafAck           `json:"acknowledgments,omitempty"`
	ReleaseDate     string              `json:"release_date,omitempty"`
}

type csafCWE struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type csafID struct {
	SystemName string `json:"system_name"`
	Text       string `json:"text"`
}

type csafRemediation struct {
	Category   string   `json:"category"`
	Details    string   `json:"details"`
	ProductIDs []string `json:"product_ids,omitempty"`
}

type csafAck struct {
	Names   []string `json:"names"`
	Summary string   `json:"summary,omitempty"`
}

// csafTime is CSAF's date-time: RFC 3339 in UTC.
func csafTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// CSAFName is the file name CSAF 2.0 section 5.1 gives the document: the
// tracking id in lower case, other characters than [+\-a-z0-9] as "_".
func CSAFName(caseID string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '-' {
			return r
		}
		return '_'
	}, strings.ToLower(caseID)) + ".json"
}

// CSAF builds the case's CSAF document. Draft (a case not yet published)
// sets tracking status draft, version 0.
func CSAF(c Case, s Settings, o Options) (any, error) {
	d := csafDoc{Document: csafDocumentOf(c, s, o)}
	tree := newProductTree(s)
	for _, v := range c.Vulns {
		cv, err := csafVulnOf(c, v, s, tree)
		if err != nil {
			return nil, err
		}
		d.Vulnerabilities = append(d.Vulnerabilities, cv)
	}
	d.ProductTree = tree.build()
	return d, nil
}

func csafDocumentOf(c Case, s Settings, o Options) csafDocument {
	doc := csafDocument{Category: "csaf_security_advisory", CSAFVersion: "2.0", Lang: "en",
		Title:     c.Project + ": " + or(c.Vulns[0].Title, c.Case),
		Publisher: csafPublisher{Category: s.PublisherCategory, Name: s.PublisherName, Namespace: s.PublisherNamespace}}
	if len(c.Vulns) > 1 {
		doc.Title = fmt.Sprintf("%s: %d vulnerabilities (%s)", c.Project, len(c.Vulns), c.Case)
	}
	released := o.Modified
	if !c.CRD.IsZero() {
		released = c.CRD.Time
	}
	t := csafTracking{ID: c.Case, Status: "final", Version: "1",
		InitialReleaseDate: csafTime(released), CurrentReleaseDate: csafTime(o.Modified),
		RevisionHistory: []csafRevision{{Date: csafTime(released), Number: "1", Summary: "Initial public release."}}}
	if o.Draft {
		t.Status, t.Version, t.RevisionHistory[0].Number = "draft", "0", "0"
		t.RevisionHistory[0].Summary = "Draft, under embargo."
	}
	t.Generator.Engine.Name = "secbot"
	doc.Tracking = t
	doc.Notes = []csafNote{{Category: "summary", Title: "Summary", Text: or(description(c.Vulns[0]), c.Case)}}
	if adv := s.AdvisoryURL(c.Case); adv != "" {
		doc.References = []csafReference{{Category: "self", Summary: c.Case, URL: adv}}
	} else if s.ProjectURL != "" {
		doc.References = []csafReference{{Category: "external", Summary: c.Project, URL: s.ProjectURL}}
	}
	return doc
}

// csafVulnOf maps one vulnerability; its versions become products of
// the shared tree.
func csafVulnOf(c Case, v Vuln, s Settings, tree *productTree) (csafVuln, error) {
	cv := csafVuln{Title: v.Title, CVE: v.CVE, ProductStatus: map[string][]string{}}
	if !c.CRD.IsZero() {
		cv.ReleaseDate = csafTime(c.CRD.Time)
	}
	if v.Type.CWE != "" {
		cv.CWE = &csafCWE{ID: v.Type.CWE, Name: or(v.Type.Text, v.Type.CWE)}
	}
	if v.CVE == "" {
		cv.IDs = []csafID{{SystemName: c.Project, Text: vulnID(c, v)}}
	}
	affected := tree.add(v.Affected)
	status := map[string][]string{
		"known_affected":      affected,
		"known_not_affected":  tree.add(v.NotAffected),
		"under_investigation": tree.add(v.Unchecked),
		"fixed":               tree.add(fixedVersions(v)),
	}
	for k, ids := range status {
		if len(ids) > 0 {
			cv.ProductStatus[k] = ids
		}
	}
	if len(cv.ProductStatus) == 0 {
		cv.ProductStatus = nil
	}
	cv.Notes = csafNotes(v)
	cv.Remediations = csafRemediations(v, affected)
	if err := csafScores(&cv, v, affected); err != nil {
		return csafVuln{}, err
	}
	for _, cr := range v.Credits {
		cv.Acknowledgments = append(cv.Acknowledgments, csafAck{Names: []string{cr.Name}, Summary: strings.ReplaceAll(cr.Kind, "-", " ")})
	}
	return cv, nil
}

func csafNotes(v Vuln) []csafNote {
	var notes []csafNote
	for _, n := range []struct{ cat, title, text string }{
		{"description", "Description", or(v.Title, "(no description yet)")},
		{"details", "Impact", v.Impact},
		{"general", "Mitigating factors", v.Mitigation},
		{"general", "Workarounds", v.Workaround},
	} {
		if n.text != "" {
			notes = append(notes, csafNote{Category: n.cat, Title: n.title, Text: n.text})
		}
	}
	return notes
}

// csafRemediations are the fixed versions (vendor_fix), the workaround
// and the mitigation, for the affected products.
func csafRemediations(v Vuln, affected []string) []csafRemediation {
	var out []csafRemediation
	for _, b := range v.Branches {
		out = append(out, csafRemediation{Category: "vendor_fix", ProductIDs: affected,
			Details: fmt.Sprintf("Update to %s or later (branch %s).", b.Fixed, b.Name)})
	}
	if v.Workaround != "" {
		out = append(out, csafRemediation{Category: "workaround", Details: v.Workaround, ProductIDs: affected})
	}
	if v.Mitigation != "" {
		out = append(out, csafRemediation{Category: "mitigation", Details: v.Mitigation, ProductIDs: affected})
	}
	return out
}

// csafScores carries a CVSS 3.x vector as a score of the affected
// products. CSAF 2.0 knows no CVSS 4.0, and a score needs products: a
// vector that cannot go in scores goes in a note, with its base score.
func csafScores(cv *csafVuln, v Vuln, affected []string) error {
	sc, ok, err := vulnScore(v)
	if !ok || err != nil {
		return err
	}
	if sc.Version == "4.0" || len(affected) == 0 {
		cv.Notes = append(cv.Notes, csafNote{Category: "other", Title: "CVSS v" + sc.Version,
			Text: fmt.Sprintf("%s (base score %.1f, %s)", sc.Vector, sc.Base, strings.ToLower(sc.Severity))})
		return nil
	}
	cv.Scores = []map[string]any{{"products": affected, "cvss_v3": map[string]any{
		"version": sc.Version, "vectorString": sc.Vector, "baseScore": sc.Base, "baseSeverity": sc.Severity,
	}}}
	return nil
}
