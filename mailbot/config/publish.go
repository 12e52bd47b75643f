package config

import (
	"net/url"
	"path/filepath"
	"regexp"
	"time"
)

// Export says how the advisory maps onto the ecosystem's formats: who
// makes the product (CVE JSON 5), which package it is (OSV) and who
// publishes (CSAF). Every key has a default, so exports work unconfigured.
type Export struct {
	// Vendor and Product name the product in CVE's affected list
	// (default: robot.project_name). CollectionURL and PackageName
	// name it as a package of a collection instead (both or neither).
	Vendor        string `toml:"vendor"`
	Product       string `toml:"product"`
	CollectionURL string `toml:"collection_url"`
	PackageName   string `toml:"package_name"`
	// CVEOrgID is the UUID of the CNA's organisation, which CVE records
	// and containers carry. The default is a placeholder the CNA replaces.
	CVEOrgID string `toml:"cve_org_id"`
	// OSVEcosystem and OSVPackage name the package in OSV ("Go",
	// "example.org/frob"); without an ecosystem an OSV entry carries the
	// versions in database_specific only. OSVPackage defaults to
	// PackageName, then Product.
	OSVEcosystem string `toml:"osv_ecosystem"`
	OSVPackage   string `toml:"osv_package"`
	// OSVPrefix starts OSV ids (default "x_", OSV's prefix for a local
	// database; a registered database uses its own, such as "CURL-").
	OSVPrefix string `toml:"osv_prefix"`
	// VersionScheme is "ecosystem" (default) or "semver": the OSV range
	// type, the CVE versionType and the CSAF vers scheme.
	VersionScheme string `toml:"version_scheme"`
	// The CSAF document's publisher: name (default robot.project_name),
	// namespace URL (default robot.project_url), category (default vendor).
	PublisherName      string `toml:"publisher_name"`
	PublisherNamespace string `toml:"publisher_namespace"`
	PublisherCategory  string `toml:"publisher_category"`
}

// PlaceholderOrgID is the CVE org id used when export.cve_org_id is not
// set: a well-formed UUID that names nobody.
const PlaceholderOrgID = "00000000-0000-4000-8000-000000000000"

// Publish is the project's public security pages, written at the CRD.
type Publish struct {
	// Dir is where the pages are written; "" writes none.
	Dir string `toml:"dir"`
	// URL is where Dir is served: advisory links, the feed, and
	// security.txt's Canonical (default: none; links then name
	// robot.project_url).
	URL string `toml:"url"`
	// Command runs, without a shell, after the pages are written: the
	// program and its arguments.
	Command []string `toml:"command"`
	// SecurityTxt holds the RFC 9116 fields not taken from elsewhere.
	SecurityTxt SecurityTxt `toml:"security_txt"`
}

// SecurityTxt is what .well-known/security.txt says besides Contact
// (robot.address), Encryption (robot.key_url) and Canonical.
type SecurityTxt struct {
	// Expires is how far ahead of each write the file expires (RFC 9116
	// section 2.5.5 asks for less than a year; default 180 days).
	Expires time.Duration `toml:"expires"`
	// Policy is the URL of the disclosure policy.
	Policy string `toml:"policy"`
	// Languages is Preferred-Languages ("en, de").
	Languages string `toml:"preferred_languages"`
}

func (c *Config) exportDefaults() {
	e := &c.Export
	if e.CVEOrgID == "" {
		e.CVEOrgID = PlaceholderOrgID
	}
	if e.OSVPrefix == "" {
		e.OSVPrefix = "x_"
	}
	if e.VersionScheme == "" {
		e.VersionScheme = "ecosystem"
	}
	if e.PublisherCategory == "" {
		e.PublisherCategory = "vendor"
	}
	if c.Publish.SecurityTxt.Expires == 0 {
		c.Publish.SecurityTxt.Expires = 180 * 24 * time.Hour
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-4[0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$`)

func (c *Config) checkPublish(p *Problems) {
	e := c.Export
	if (e.CollectionURL == "") != (e.PackageName == "") {
		p.addf("export.collection_url and export.package_name: set both or neither")
	}
	checkURL(p, "export.collection_url", e.CollectionURL)
	checkURL(p, "export.publisher_namespace", e.PublisherNamespace)
	if !uuidV4.MatchString(e.CVEOrgID) {
		p.addf("export.cve_org_id %q: want a version 4 UUID", e.CVEOrgID)
	}
	if e.VersionScheme != "ecosystem" && e.VersionScheme != "semver" {
		p.addf("export.version_scheme %q: want ecosystem or semver", e.VersionScheme)
	}
	switch e.PublisherCategory {
	case "coordinator", "discoverer", "other", "translator", "user", "vendor":
	default:
		p.addf("export.publisher_category %q: want vendor, coordinator, discoverer, translator, user or other", e.PublisherCategory)
	}
	pub := c.Publish
	if pub.Dir != "" && !filepath.IsAbs(c.Path(pub.Dir)) {
		p.addf("publish.dir %q: cannot resolve", pub.Dir)
	}
	if len(pub.Command) > 0 && pub.Dir == "" {
		p.addf("publish.command is set but publish.dir is not")
	}
	if len(pub.Command) > 0 && pub.Command[0] == "" {
		p.addf("publish.command: the program is empty")
	}
	checkURL(p, "publish.url", pub.URL)
	checkURL(p, "publish.security_txt.policy", pub.SecurityTxt.Policy)
	if pub.SecurityTxt.Expires < 24*time.Hour || pub.SecurityTxt.Expires > 366*24*time.Hour {
		p.addf("publish.security_txt.expires %s: want between 24h and 8784h (RFC 9116: under a year)", pub.SecurityTxt.Expires)
	}
}

// checkURL accepts "" (not set) or an absolute http(s) URL.
func checkURL(p *Problems, where, s string) {
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		p.addf("%s %q: want an absolute http(s) URL", where, s)
	}
}
