// Package exporttest validates export documents against the official
// schemas kept under mailbot/export/testdata/schemas, offline: the CVSS
// schemas the CSAF schema refers to are registered under their
// https://www.first.org/... ids. Only tests import it.
package exporttest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Validator checks documents of each export format.
type Validator struct {
	schemas map[string]*jsonschema.Schema // by format; "cve-cna" is a bare CNA container
}

// dir is testdata/schemas beside this package, found from this file so
// that any package's tests can use it.
func dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "schemas")
}

// New compiles the schemas.
func New() (*Validator, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	local := map[string]string{
		"https://www.first.org/cvss/cvss-v2.0.json": "csaf-2.0/cvss-v2.0.json",
		"https://www.first.org/cvss/cvss-v3.0.json": "csaf-2.0/cvss-v3.0.json",
		"https://www.first.org/cvss/cvss-v3.1.json": "csaf-2.0/cvss-v3.1.json",
		"file:///cve.json":                          "cve-5/CVE_Record_Format_bundled.json",
		"file:///osv.json":                          "osv/schema.json",
		"file:///csaf.json":                         "csaf-2.0/csaf_json_schema.json",
	}
	for url, path := range local {
		b, err := os.ReadFile(filepath.Join(dir(), path))
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := c.AddResource(url, doc); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	v := &Validator{schemas: map[string]*jsonschema.Schema{}}
	for format, url := range map[string]string{
		"cve": "file:///cve.json", "cve-cna": "file:///cve.json#/definitions/cnaPublishedContainer",
		"osv": "file:///osv.json", "csaf": "file:///csaf.json",
	} {
		s, err := c.Compile(url)
		if err != nil {
			return nil, fmt.Errorf("compile %s: %w", format, err)
		}
		v.schemas[format] = s
	}
	return v, nil
}

// Validate checks one document of format ("cve", "osv", "csaf"). A CVE
// document without cveMetadata is checked as a CNA container.
func (v *Validator) Validate(format string, data []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	if format == "cve" && !strings.Contains(string(data), `"cveMetadata"`) {
		format = "cve-cna"
	}
	s, ok := v.schemas[format]
	if !ok {
		return fmt.Errorf("no schema for format %q", format)
	}
	return s.Validate(doc)
}
