package website

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/export"
)

//go:embed style.css
var styleCSS []byte

//go:embed page.html
var pageHTML string

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"score": func(v export.Vuln) string {
		if v.Severity.CVSS == "" {
			return ""
		}
		s, err := export.ScoreOf(v.Severity.CVSS)
		if err != nil {
			return ""
		}
		return fmt.Sprintf("%.1f %s", s.Base, strings.ToLower(s.Severity))
	},
	"date": func(t time.Time) string { return t.UTC().Format("2006-01-02") },
}).Parse(pageHTML))

// advisoryData is what the page template shows of one case.
type advisoryData struct {
	Site    Site
	Page    Page
	Exports []export.File
	Up      string // the path back to the index
}

func (s Site) advisoryHTML(p Page, files []export.File) ([]byte, error) {
	var b bytes.Buffer
	err := pageTmpl.ExecuteTemplate(&b, "advisory", advisoryData{Site: s, Page: p, Exports: files, Up: "../"})
	return b.Bytes(), err
}

// index streams the index page to w: the head, a row per entry as ix
// yields them, the foot. It keeps the first FeedEntries entries for the
// feed.
func (s Site) index(w io.Writer, ix Index) (feed []Entry, err error) {
	head := struct {
		Site Site
		N    int
	}{s, ix.N}
	if err := pageTmpl.ExecuteTemplate(w, "index-head", head); err != nil {
		return nil, err
	}
	for i := range ix.N {
		e, err := ix.Next()
		if err != nil {
			return nil, err
		}
		if i < FeedEntries {
			feed = append(feed, e)
		}
		if err := pageTmpl.ExecuteTemplate(w, "index-row", e); err != nil {
			return nil, err
		}
	}
	return feed, pageTmpl.ExecuteTemplate(w, "index-foot", head)
}
