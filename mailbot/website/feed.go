package website

import (
	"encoding/xml"
	"strings"
	"time"
)

// RFC 4287 (Atom): one entry per published case, the newest FeedEntries,
// newest first.

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Author  atomAuthor  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
}

// feed is the Atom feed of entries (the newest FeedEntries). Its ids are the pages' URLs when publish.url
// is set, else tag URIs made of the contact's domain and the case id
// (RFC 4151), which never change.
func (s Site) feed(entries []Entry) ([]byte, error) {
	f := atomFeed{Title: s.Title + " security advisories", ID: s.id(""), Author: atomAuthor{s.Title},
		Updated: time.Unix(0, 0).UTC().Format(time.RFC3339)}
	if s.Settings.SiteURL != "" {
		f.Links = []atomLink{{Rel: "self", Href: siteURL(s.Settings.SiteURL, "feed.atom")}, {Href: s.Settings.SiteURL}}
	}
	if len(entries) > 0 {
		f.Updated = entries[0].Published.UTC().Format(time.RFC3339)
	}
	for _, e := range entries {
		var titles []string
		for _, v := range e.Vulns {
			titles = append(titles, v.Title)
		}
		href := e.Case + "/"
		if s.Settings.SiteURL != "" {
			href = siteURL(s.Settings.SiteURL, href)
		}
		f.Entries = append(f.Entries, atomEntry{Title: e.Subject, ID: s.id(e.Case),
			Updated: e.Published.UTC().Format(time.RFC3339), Link: atomLink{Href: href},
			Summary: strings.Join(titles, "; ")})
	}
	b, err := xml.MarshalIndent(f, "", "  ")
	return append([]byte(xml.Header), append(b, '\n')...), err
}

func (s Site) id(caseID string) string {
	if s.Settings.SiteURL != "" {
		return siteURL(s.Settings.SiteURL, caseID)
	}
	domain := s.Contact[strings.LastIndexByte(s.Contact, '@')+1:]
	return "tag:" + domain + ",2026:" + or(caseID, "security")
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
