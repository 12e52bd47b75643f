package export

import (
	"strings"
	"time"
)

// OSV 1.x (ossf/osv-schema): one entry per vulnerability.

// OSVSchemaVersion is the OSV schema version the entries follow.
const OSVSchemaVersion = "1.7.0"

type osvEntry struct {
	SchemaVersion string         `json:"schema_version"`
	ID            string         `json:"id"`
	Modified      string         `json:"modified"`
	Published     string         `json:"published,omitempty"`
	Aliases       []string       `json:"aliases,omitempty"`
	Summary       string         `json:"summary,omitempty"`
	Details       string         `json:"details,omitempty"`
	Severity      []osvSeverity  `json:"severity,omitempty"`
	Affected      []osvAffect    `json:"affected,omitempty"`
	References    []osvReference `json:"references,omitempty"`
	Credits       []osvCredit    `json:"credits,omitempty"`
	DB            map[string]any `json:"database_specific,omitempty"`
}

type osvSeverity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

type osvAffect struct {
	Package struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
	} `json:"package"`
	Ranges   []osvRange `json:"ranges,omitempty"`
	Versions []string   `json:"versions,omitempty"`
}

type osvRange struct {
	Type   string     `json:"type"`
	Events []osvEvent `json:"events"`
}

type osvReference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

type osvCredit struct {
	Name    string   `json:"name"`
	Contact []string `json:"contact,omitempty"`
	Type    string   `json:"type"`
}

// osvTime is OSV's RFC 3339 timestamp in UTC.
func osvTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// OSVID is the OSV id of vulnerability v: the configured prefix, the
// case id, the vulnerability's number ("x_SEC-2026-0001-1").
func OSVID(c Case, v Vuln, s Settings) string { return s.OSVPrefix + vulnID(c, v) }

// OSV builds the OSV entry of vulnerability v. What OSV cannot carry
// exactly (versions not affected or not checked, bounds it has no event
// for, the computed score, every version list when no ecosystem is
// configured) goes in database_specific.
func OSV(c Case, v Vuln, s Settings, modified time.Time) (any, error) {
	e := osvEntry{SchemaVersion: OSVSchemaVersion, ID: OSVID(c, v, s), Modified: osvTime(modified),
		Summary: v.Title, Details: description(v), DB: map[string]any{}}
	if !c.CRD.IsZero() {
		e.Published = osvTime(c.CRD.Time)
	}
	if v.CVE != "" {
		e.Aliases = []string{v.CVE}
	}
	if err := osvSeverityOf(&e, v); err != nil {
		return nil, err
	}
	osvAffectedOf(&e, v, s)
	e.References = osvReferences(c, s)
	for _, cr := range v.Credits {
		oc := osvCredit{Name: cr.Name, Type: strings.ToUpper(strings.ReplaceAll(cr.Kind, "-", "_"))}
		if cr.Address != "" {
			oc.Contact = []string{"mailto:" + cr.Address}
		}
		e.Credits = append(e.Credits, oc)
	}
	if v.Type.CWE != "" {
		e.DB["cwe_ids"] = []string{v.Type.CWE}
	}
	if v.Severity.Level != "" {
		e.DB["severity"] = v.Severity.Level
	}
	if len(e.DB) == 0 {
		e.DB = nil
	}
	return e, nil
}

func osvSeverityOf(e *osvEntry, v Vuln) error {
	sc, ok, err := vulnScore(v)
	if !ok || err != nil {
		return err
	}
	typ := "CVSS_V3"
	if sc.Version == "4.0" {
		typ = "CVSS_V4"
	}
	e.Severity = []osvSeverity{{typ, sc.Vector}}
	e.DB["cvss_base_score"] = sc.Base
	e.DB["cvss_base_severity"] = sc.Severity
	return nil
}

// osvAffectedOf maps the version lists. OSV says only what is affected:
// the other two lists go to database_specific as their text.
func osvAffectedOf(e *osvEntry, v Vuln, s Settings) {
	if v.NotAffected.String() != "" {
		e.DB["not_affected"] = v.NotAffected.String()
	}
	if v.Unchecked.String() != "" {
		e.DB["not_checked"] = v.Unchecked.String()
	}
	if s.OSVEcosystem == "" {
		if v.Affected.String() != "" {
			e.DB["affected"] = v.Affected.String() // no package to attach ranges to
		}
		return
	}
	ranges, single, unmapped := osvAffected(v.Affected)
	if len(unmapped) > 0 {
		e.DB["affected_unmapped"] = unmapped
	}
	typ := "ECOSYSTEM"
	if s.semver() {
		typ = "SEMVER"
	}
	a := osvAffect{Versions: single}
	a.Package.Ecosystem, a.Package.Name = s.OSVEcosystem, s.OSVPackage
	for _, ev := range ranges {
		a.Ranges = append(a.Ranges, osvRange{Type: typ, Events: ev})
	}
	if len(v.Branches) > 0 {
		e.DB["fixed_in"] = v.Branches.String()
	}
	e.Affected = []osvAffect{a}
}

func osvReferences(c Case, s Settings) []osvReference {
	adv := s.AdvisoryURL(c.Case)
	if adv == "" {
		if s.ProjectURL == "" {
			return nil
		}
		return []osvReference{{"WEB", s.ProjectURL}}
	}
	refs := []osvReference{{"ADVISORY", adv}}
	for _, p := range c.Patches {
		refs = append(refs, osvReference{"FIX", adv + PatchPath(p.Name)})
	}
	return refs
}
