package export

import (
	"fmt"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/versions"
)

// CVE JSON 5 (CVEProject/cve-schema, CVE_Record_Format): a record per
// vulnerability that has a CVE id, a CNA container for one without (what
// a CVE request carries for the CNA to fill in).

type cveRecord struct {
	DataType    string      `json:"dataType"`
	DataVersion string      `json:"dataVersion"`
	Metadata    cveMetadata `json:"cveMetadata"`
	Containers  struct {
		CNA *cveContainer `json:"cna"`
	} `json:"containers"`
}

type cveMetadata struct {
	CVEID         string `json:"cveId"`
	AssignerOrgID string `json:"assignerOrgId"`
	State         string `json:"state"`
	DatePublished string `json:"datePublished,omitempty"`
}

type cveContainer struct {
	Provider struct {
		OrgID string `json:"orgId"`
	} `json:"providerMetadata"`
	Title        string           `json:"title,omitempty"`
	DatePublic   string           `json:"datePublic,omitempty"`
	Descriptions []cveText        `json:"descriptions"`
	Affected     []cveProduct     `json:"affected"`
	ProblemTypes []cveProblemType `json:"problemTypes,omitempty"`
	Metrics      []map[string]any `json:"metrics,omitempty"`
	Workarounds  []cveText        `json:"workarounds,omitempty"`
	Credits      []cveCredit      `json:"credits,omitempty"`
	References   []cveReference   `json:"references"`
	// Secbot carries what CVE's model cannot say exactly (x_ fields are
	// the schema's extension point).
	Secbot *cveExtension `json:"x_secbot,omitempty"`
}

type cveText struct {
	Lang  string `json:"lang"`
	Value string `json:"value"`
}

type cveProduct struct {
	Vendor        string       `json:"vendor,omitempty"`
	Product       string       `json:"product,omitempty"`
	CollectionURL string       `json:"collectionURL,omitempty"`
	PackageName   string       `json:"packageName,omitempty"`
	DefaultStatus string       `json:"defaultStatus"`
	Versions      []cveVersion `json:"versions,omitempty"`
}

type cveProblemType struct {
	Descriptions []cveProblem `json:"descriptions"`
}

type cveProblem struct {
	Lang        string `json:"lang"`
	Description string `json:"description"`
	CWEID       string `json:"cweId,omitempty"`
	Type        string `json:"type"`
}

type cveCredit struct {
	Lang  string `json:"lang"`
	Value string `json:"value"`
	Type  string `json:"type"`
}

type cveReference struct {
	URL  string   `json:"url"`
	Name string   `json:"name,omitempty"`
	Tags []string `json:"tags,omitempty"`
}

type cveExtension struct {
	// Unmapped are version list items CVE cannot express, by status.
	Unmapped map[string][]string `json:"unmapped_versions,omitempty"`
}

// cveTime is the CVE schema's timestamp: UTC, to the second.
func cveTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// CVE builds the CVE JSON 5 document of vulnerability v: a full record
// when it has a CVE id, else its CNA container.
func CVE(c Case, v Vuln, s Settings) (any, error) {
	cna, err := cveCNA(c, v, s)
	if err != nil {
		return nil, err
	}
	if v.CVE == "" {
		return cna, nil
	}
	r := cveRecord{DataType: "CVE_RECORD", DataVersion: "5.1",
		Metadata: cveMetadata{CVEID: v.CVE, AssignerOrgID: s.CVEOrgID, State: "PUBLISHED", DatePublished: cveTime(c.CRD.Time)}}
	r.Containers.CNA = cna
	return r, nil
}

func cveCNA(c Case, v Vuln, s Settings) (*cveContainer, error) {
	refs, err := cveReferences(c, s)
	if err != nil {
		return nil, err
	}
	k := &cveContainer{Title: v.Title, DatePublic: cveTime(c.CRD.Time), References: refs,
		Descriptions: []cveText{{"en", or(description(v), "(no description yet)")}}}
	k.Provider.OrgID = s.CVEOrgID
	k.Affected = []cveProduct{cveProductOf(v, s, k)}
	if pt, ok := cveProblemTypeOf(v.Type); ok {
		k.ProblemTypes = []cveProblemType{pt}
	}
	if k.Metrics, err = cveMetrics(v); err != nil {
		return nil, err
	}
	if v.Workaround != "" {
		k.Workarounds = []cveText{{"en", v.Workaround}}
	}
	for _, cr := range v.Credits {
		k.Credits = append(k.Credits, cveCredit{"en", cr.Name, strings.ReplaceAll(cr.Kind, "-", " ")})
	}
	return k, nil
}

// cveProductOf is the product entry. Versions not in any list are
// unaffected when the affected list is given (the project said which
// are), unknown otherwise.
func cveProductOf(v Vuln, s Settings, k *cveContainer) cveProduct {
	p := cveProduct{Vendor: s.Vendor, Product: s.Product, CollectionURL: s.CollectionURL, PackageName: s.PackageName,
		DefaultStatus: cveUnknown}
	if len(v.Affected) > 0 {
		p.DefaultStatus = cveUnaffected
	}
	vt := "custom"
	if s.semver() {
		vt = "semver"
	}
	lists := []struct {
		status string
		list   versions.List
	}{{cveAffected, v.Affected}, {cveUnaffected, v.NotAffected}, {cveUnknown, v.Unchecked}}
	for _, l := range lists {
		out, unmapped := cveVersions(l.list, l.status, vt)
		p.Versions = append(p.Versions, out...)
		if len(unmapped) > 0 {
			if k.Secbot == nil {
				k.Secbot = &cveExtension{Unmapped: map[string][]string{}}
			}
			k.Secbot.Unmapped[l.status] = unmapped
		}
	}
	return p
}

func cveProblemTypeOf(t advisory.Type) (cveProblemType, bool) {
	switch {
	case t.CWE != "":
		return cveProblemType{[]cveProblem{{Lang: "en", Description: t.String(), CWEID: t.CWE, Type: "CWE"}}}, true
	case t.Text != "":
		return cveProblemType{[]cveProblem{{Lang: "en", Description: t.Text, Type: "text"}}}, true
	}
	return cveProblemType{}, false
}

// cveMetrics carries the vector with its computed base score, which the
// schema requires beside it.
func cveMetrics(v Vuln) ([]map[string]any, error) {
	sc, ok, err := vulnScore(v)
	if !ok || err != nil {
		return nil, err
	}
	key := map[string]string{"3.0": "cvssV3_0", "3.1": "cvssV3_1", "4.0": "cvssV4_0"}[sc.Version]
	return []map[string]any{{key: map[string]any{
		"version": sc.Version, "vectorString": sc.Vector, "baseScore": sc.Base, "baseSeverity": sc.Severity,
	}}}, nil
}

// cveReferences are the advisory, tagged vendor-advisory, and each
// patch, tagged patch. Without publish.url the project's URL stands for
// the advisory, and patches have no URL to name.
func cveReferences(c Case, s Settings) ([]cveReference, error) {
	adv := s.AdvisoryURL(c.Case)
	if adv == "" {
		if s.ProjectURL == "" {
			return nil, fmt.Errorf("cve export of %s: no reference URL: set publish.url or robot.project_url", c.Case)
		}
		return []cveReference{{URL: s.ProjectURL, Name: c.Project, Tags: []string{"vendor-advisory"}}}, nil
	}
	refs := []cveReference{{URL: adv, Name: c.Case, Tags: []string{"vendor-advisory"}}}
	for _, p := range c.Patches {
		refs = append(refs, cveReference{URL: adv + PatchPath(p.Name), Name: p.Name, Tags: []string{"patch"}})
	}
	return refs, nil
}
