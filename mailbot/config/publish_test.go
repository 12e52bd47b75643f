package config

import (
	"strings"
	"testing"
	"time"
)

func TestPublishChecks(t *testing.T) {
	check := func(text, want string) {
		t.Helper()
		c, err := Load(write(t, text))
		if err != nil {
			t.Fatal(err)
		}
		var p Problems
		c.checkPublish(&p)
		got := p.Err()
		switch {
		case want == "" && got != nil:
			t.Errorf("%q: %v", text, got)
		case want != "" && (got == nil || !strings.Contains(got.Error(), want)):
			t.Errorf("%q: %v, want %q", text, got, want)
		}
	}
	check("", "")
	check("[publish]\ndir = \"site\"\nurl = \"https://example.org/security/\"\ncommand = [\"/bin/true\"]\n", "")
	check("[publish]\ncommand = [\"/bin/true\"]\n", "publish.dir is not")
	check("[publish]\nurl = \"example.org\"\n", "publish.url")
	check("[publish.security_txt]\nexpires = \"9000h\"\n", "under a year")
	check("[export]\ncve_org_id = \"not-a-uuid\"\n", "cve_org_id")
	check("[export]\nversion_scheme = \"calver\"\n", "version_scheme")
	check("[export]\ncollection_url = \"https://pkg.go.dev\"\n", "set both or neither")
	check("[export]\npublisher_category = \"vendors\"\n", "publisher_category")
	c, err := Load(write(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if c.Export.OSVPrefix != "x_" || c.Export.CVEOrgID != PlaceholderOrgID || c.Publish.SecurityTxt.Expires != 180*24*time.Hour {
		t.Errorf("defaults: %+v %+v", c.Export, c.Publish)
	}
}
