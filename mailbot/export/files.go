package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Formats are the export formats, as `case export -format` names them.
var Formats = []string{"cve", "osv", "csaf"}

// Options are what an export needs besides the case and the settings.
type Options struct {
	// Modified is the time of the latest change the exports state: the
	// publication time for a published case, so that writing them again
	// writes the same bytes.
	Modified time.Time
	// Draft marks a case not yet published (CSAF tracking status).
	Draft bool
}

// File is one export document: its path below the case's directory
// ("cve/CVE-2026-1234.json") and its JSON.
type File struct {
	Format string
	Path   string
	Data   []byte
}

// Files builds the documents of format f ("cve", "osv", "csaf") for case c.
func Files(c Case, f string, s Settings, o Options) ([]File, error) {
	var out []File
	add := func(path string, doc any, err error) error {
		if err != nil {
			return err
		}
		var b bytes.Buffer
		e := json.NewEncoder(&b)
		e.SetEscapeHTML(false) // "<1.4.2" stays readable
		e.SetIndent("", "  ")
		if err := e.Encode(doc); err != nil {
			return fmt.Errorf("encode %s: %w", path, err)
		}
		out = append(out, File{Format: f, Path: path, Data: b.Bytes()})
		return nil
	}
	switch f {
	case "csaf":
		doc, err := CSAF(c, s, o)
		return out, add("csaf/"+CSAFName(c.Case), doc, err)
	case "cve", "osv":
	default:
		return nil, fmt.Errorf("unknown export format %q (want cve, osv or csaf)", f)
	}
	for _, v := range c.Vulns {
		var err error
		if f == "cve" {
			doc, e := CVE(c, v, s)
			err = add("cve/"+or(v.CVE, vulnID(c, v))+".json", doc, e)
		} else {
			doc, e := OSV(c, v, s, o.Modified)
			err = add("osv/"+OSVID(c, v, s)+".json", doc, e)
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// All builds the documents of every format.
func All(c Case, s Settings, o Options) ([]File, error) {
	var out []File
	for _, f := range Formats {
		fs, err := Files(c, f, s, o)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

// CNAContainers are the draft CVE JSON 5 CNA containers of every
// vulnerability of case c, for the CNA a CVE request goes to: named
// "SEC-2026-0001-1.cve.json", whether or not the vulnerability has an id.
func CNAContainers(c Case, s Settings) ([]File, error) {
	var out []File
	for _, v := range c.Vulns {
		k, err := cveCNA(c, v, s)
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		e := json.NewEncoder(&b)
		e.SetEscapeHTML(false)
		e.SetIndent("", "  ")
		if err := e.Encode(k); err != nil {
			return nil, fmt.Errorf("encode cve container: %w", err)
		}
		out = append(out, File{Format: "cve", Path: vulnID(c, v) + ".cve.json", Data: b.Bytes()})
	}
	return out, nil
}
