package export

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestVersionMapping maps each kind of version list item onto the three
// formats' models.
func TestVersionMapping(t *testing.T) {
	check := func(in, cve, osv, csaf string) {
		t.Helper()
		l := list(t, in)
		cv, cveUn := cveVersions(l, cveAffected, "custom")
		ranges, single, osvUn := osvAffected(l)
		got := map[string]string{
			"cve":  js(cv) + " unmapped " + js(cveUn),
			"osv":  js(ranges) + " versions " + js(single) + " unmapped " + js(osvUn),
			"csaf": js(csafVersions(l, false)),
		}
		for f, want := range map[string]string{"cve": cve, "osv": osv, "csaf": csaf} {
			if got[f] != want {
				t.Errorf("%q %s:\n got %s\nwant %s", in, f, got[f], want)
			}
		}
	}
	check("1.2.3",
		`[{"version":"1.2.3","status":"affected"}] unmapped null`,
		`null versions ["1.2.3"] unmapped null`,
		`[{"Category":"product_version","Name":"1.2.3"}]`)
	check("<1.4.2",
		`[{"version":"0","status":"affected","versionType":"custom","lessThan":"1.4.2"}] unmapped null`,
		`[[{"introduced":"0"},{"fixed":"1.4.2"}]] versions null unmapped null`,
		`[{"Category":"product_version_range","Name":"vers:generic/<1.4.2"}]`)
	check("<=1.4.1",
		`[{"version":"0","status":"affected","versionType":"custom","lessThanOrEqual":"1.4.1"}] unmapped null`,
		`[[{"introduced":"0"},{"last_affected":"1.4.1"}]] versions null unmapped null`,
		`[{"Category":"product_version_range","Name":"vers:generic/<=1.4.1"}]`)
	check(">=2.0",
		`[{"version":"2.0","status":"affected","versionType":"custom","lessThan":"*"}] unmapped null`,
		`[[{"introduced":"2.0"}]] versions null unmapped null`,
		`[{"Category":"product_version_range","Name":"vers:generic/>=2.0"}]`)
	check(">=1.0 <1.4.2, 2.0.0..2.0.3",
		`[{"version":"1.0","status":"affected","versionType":"custom","lessThan":"1.4.2"},{"version":"2.0.0","status":"affected","versionType":"custom","lessThanOrEqual":"2.0.3"}] unmapped null`,
		`[[{"introduced":"1.0"},{"fixed":"1.4.2"}],[{"introduced":"2.0.0"},{"last_affected":"2.0.3"}]] versions null unmapped null`,
		`[{"Category":"product_version_range","Name":"vers:generic/>=1.0|<1.4.2"},{"Category":"product_version_range","Name":"vers:generic/>=2.0.0|<=2.0.3"}]`)
	// An exclusive lower bound has no CVE or OSV form: unmapped, not
	// widened to include 1.0.
	check(">1.0 <2.0",
		`null unmapped [">1.0 <2.0"]`,
		`null versions null unmapped [">1.0 <2.0"]`,
		`[{"Category":"product_version_range","Name":"vers:generic/>1.0|<2.0"}]`)
}

func TestVersionMappingSemver(t *testing.T) {
	got := js(csafVersions(list(t, ">=1.0.0 <1.4.2"), true))
	if !strings.Contains(got, "vers:semver/>=1.0.0|<1.4.2") {
		t.Errorf("semver vers: %s", got)
	}
}

func js(v any) string {
	var b strings.Builder
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}
