package export

import (
	"strings"

	"github.com/secbot/secbot/mailbot/config"
)

// Settings are the config keys the exports read (config.Export), with
// the project's name and URL filled in where those keys default to them.
type Settings struct {
	config.Export
	// ProjectURL is robot.project_url: a reference when there is no
	// advisory URL.
	ProjectURL string
	// SiteURL is publish.url, where the published pages are served; ""
	// when not configured.
	SiteURL string
}

// SettingsOf reads the settings from the config.
func SettingsOf(cfg *config.Config) Settings {
	s := Settings{Export: cfg.Export, ProjectURL: cfg.Robot.ProjectURL, SiteURL: cfg.Publish.URL}
	name := cfg.Robot.ProjectName
	if name == "" {
		name = cfg.Robot.Name
	}
	if s.CollectionURL == "" {
		s.Vendor = or(s.Vendor, name)
		s.Product = or(s.Product, name)
	}
	s.OSVPackage = or(s.OSVPackage, s.PackageName, s.Product, name)
	s.PublisherName = or(s.PublisherName, name)
	s.PublisherNamespace = or(s.PublisherNamespace, cfg.Robot.ProjectURL, cfg.Publish.URL)
	return s
}

// or returns the first non-empty string.
func or(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// AdvisoryURL is where the case's published advisory is served
// (publish.url/SEC-…/), or "" when publish.url is not set.
func (s Settings) AdvisoryURL(caseID string) string {
	if s.SiteURL == "" {
		return ""
	}
	return strings.TrimSuffix(s.SiteURL, "/") + "/" + caseID + "/"
}

// semver reports whether versions follow SemVer (export.version_scheme).
func (s Settings) semver() bool { return s.VersionScheme == "semver" }

// productName is how texts name the product: the package, else the product.
func (s Settings) productName() string { return or(s.PackageName, s.Product) }

// PatchPath is where a published patch is served, relative to its
// advisory's directory.
func PatchPath(name string) string { return "patches/" + name }
