// Package templates holds the text of every mail secbot writes, embedded
// in the binary. A directory named in the config may override any file.
//
// Each mail template renders to a "Subject: ..." line, a blank line and
// the body, so that a site can reword the subject with the body. The body
// is wrapped at Width columns after rendering.
package templates

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
)

//go:embed *.tmpl sample-config.toml
var embedded embed.FS

// Names of the mail templates.
const (
	Ack        = "ack.tmpl"
	Relay      = "relay.tmpl"
	Notice     = "notice.tmpl"
	Transcript = "transcript.tmpl"
	Reply      = "reply.tmpl"
	Advisory   = "advisory.tmpl"
	Prenotify  = "prenotify.tmpl"
	CRD        = "crd.tmpl"
	Announce   = "announce.tmpl"
	Embargo    = "embargo-over.tmpl"
	CVERequest = "cve-request.tmpl"
	Reminder   = "reminder.tmpl"
	KeyConfirm = "key-confirm.tmpl"

	DownstreamRelay = "downstream-relay.tmpl"
	Tell            = "tell.tmpl"
	Share           = "share.tmpl"
	CreditConfirm   = "credit-confirm.tmpl"
	FirstReply      = "first-reply.tmpl"
	Digest          = "digest.tmpl"
	Alert           = "alert.tmpl"
	KeyNotice       = "key-notice.tmpl"
)

// SampleConfig returns the commented sample configuration `secbot init` writes.
func SampleConfig() []byte {
	b, _ := embedded.ReadFile("sample-config.toml")
	return b
}

// Set is a parsed set of templates.
type Set struct {
	t   map[string]*template.Template
	src map[string]string // the text each template was parsed from
}

// Load parses the embedded templates, each replaced by the file of the
// same name in dir when dir is not empty and holds one.
func Load(dir string) (*Set, error) {
	names, err := fs.Glob(embedded, "*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	s := &Set{t: map[string]*template.Template{}, src: map[string]string{}}
	for _, name := range names {
		text, err := readOverride(dir, name)
		if err != nil {
			return nil, err
		}
		if err := s.Add(name, string(text)); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func readOverride(dir, name string) ([]byte, error) {
	if dir != "" {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			return b, nil
		}
		if !os.IsNotExist(err) {
			return nil, fmt.Errorf("read template override: %w", err)
		}
	}
	return embedded.ReadFile(name)
}

var funcs = template.FuncMap{
	// indent wraps s to fit the width after prefix, and prefixes each line.
	"indent": func(prefix, s string) string {
		lines := strings.Split(Wrap(strings.TrimRight(s, "\n"), Width-len(prefix)), "\n")
		return prefix + strings.Join(lines, "\n"+prefix)
	},
	// wrap wraps s at Width (see Wrap).
	"wrap": func(s string) string { return Wrap(s, Width) },
}

// Add parses one more template, or replaces one: for a mail kind being
// written before its file is in templates/, and for tests.
func (s *Set) Add(name, text string) error {
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs).Parse(text)
	if err != nil {
		return fmt.Errorf("parse template %s: %w", name, err)
	}
	s.t[name] = t
	s.src[name] = text
	return nil
}

// Digest is a hash of every template's name and text: it changes when
// an operator's override or a new secbot changes any of them.
func (s *Set) Digest() string {
	names := slices.Sorted(maps.Keys(s.src))
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00%s", n, len(s.src[n]), s.src[n])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Render executes template name and splits its output into the subject
// and the body, wrapped at Width (see Wrap): what a template inserts
// (a maintainer's reply, an error, a date) never runs past the screen.
func (s *Set) Render(name string, data any) (subject string, body []byte, err error) {
	t, ok := s.t[name]
	if !ok {
		return "", nil, fmt.Errorf("no template %s", name)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "", nil, fmt.Errorf("render %s: %w", name, err)
	}
	out := buf.Bytes()
	head, rest, ok := bytes.Cut(out, []byte("\n\n"))
	if !ok || !bytes.HasPrefix(head, []byte("Subject: ")) || bytes.ContainsRune(head, '\n') {
		return "", nil, fmt.Errorf("render %s: output must start with one \"Subject: \" line and a blank line", name)
	}
	return string(head[len("Subject: "):]), []byte(Wrap(string(rest), Width)), nil
}
