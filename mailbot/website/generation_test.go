package website

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestGeneration: the generation changes with every setting a page
// shows and with the rest of the rendering, not with the directory or
// with security.txt's Expires; the stamp reads back what was written.
func TestGeneration(t *testing.T) {
	base := testSite(t)
	gen := base.Generation("templates x")
	for _, x := range []struct {
		name string
		edit func(*Site) string // the rendering digest to use
		same bool
	}{
		{"nothing", func(*Site) string { return "templates x" }, true},
		{"dir", func(s *Site) string { s.Dir = t.TempDir(); return "templates x" }, true},
		{"expires", func(s *Site) string { s.Expires = time.Hour; return "templates x" }, true},
		{"title", func(s *Site) string { s.Title = "Frobz"; return "templates x" }, false},
		{"site url", func(s *Site) string { s.Settings.SiteURL = "https://x.example/"; return "templates x" }, false},
		{"osv prefix", func(s *Site) string { s.Settings.OSVPrefix = "FROB-"; return "templates x" }, false},
		{"contact", func(s *Site) string { s.Contact = "sec@frob.example"; return "templates x" }, false},
		{"rendering", func(*Site) string { return "templates y" }, false},
	} {
		s := base
		r := x.edit(&s)
		if got := s.Generation(r); (got == gen) != x.same {
			t.Errorf("%s: generation same = %v, want %v", x.name, got == gen, x.same)
		}
	}
	if got := base.Stamp(); got != "" {
		t.Errorf("stamp before any write = %q", got)
	}
	if err := base.WriteStamp(gen); err != nil {
		t.Fatal(err)
	}
	if got := base.Stamp(); got != gen {
		t.Errorf("stamp = %q, want %q", got, gen)
	}
}

// TestWriteCaseLastIsHTML: a case counts as written (HasCase) only once
// its index.html, the last file WriteCase writes, is on disk: a write
// that failed on an earlier file leaves no index.html.
func TestWriteCaseLastIsHTML(t *testing.T) {
	s := testSite(t)
	p := testPage(t, "SEC-2026-0001", "x", now)
	if s.HasCase("SEC-2026-0001") {
		t.Fatal("HasCase before any write")
	}
	written, err := s.WriteCase(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) == 0 || written[len(written)-1] != "SEC-2026-0001/index.html" || !s.HasCase("SEC-2026-0001") {
		t.Fatalf("written %v, HasCase %v", written, s.HasCase("SEC-2026-0001"))
	}
	bad := testPage(t, "SEC-2026-0002", "x", now)
	bad.Patches[0].Name = "../escape"
	if _, err := s.WriteCase(bad); err == nil || s.HasCase("SEC-2026-0002") {
		t.Fatalf("a failed write: err %v, HasCase %v", err, s.HasCase("SEC-2026-0002"))
	}
	for _, id := range []string{"", "..", "a/b", "../SEC-2026-0001"} {
		if s.HasCase(id) {
			t.Errorf("HasCase(%q)", id)
		}
	}
}

// TestFeedHoldsTheNewest: the feed holds the newest FeedEntries
// advisories, the index every one.
func TestFeedHoldsTheNewest(t *testing.T) {
	s := testSite(t)
	var entries []Entry
	for i := range FeedEntries + 5 {
		entries = append(entries, Entry{Case: fmt.Sprintf("SEC-2026-%04d", i+1), Subject: "s",
			Published: now.Add(time.Duration(i) * time.Hour), Vulns: []EntryVuln{{Title: "t"}}})
	}
	slices.SortStableFunc(entries, Newer)
	i := 0
	if _, err := s.WriteIndex(Index{N: len(entries), Next: func() (Entry, error) { i++; return entries[i-1], nil }}, now); err != nil {
		t.Fatal(err)
	}
	feed, index := string(read(t, s, "feed.atom")), string(read(t, s, "index.html"))
	if n := strings.Count(feed, "<entry>"); n != FeedEntries {
		t.Errorf("feed holds %d entries, want %d", n, FeedEntries)
	}
	newest, oldest := fmt.Sprintf("SEC-2026-%04d", FeedEntries+5), "SEC-2026-0001"
	if !strings.Contains(feed, newest) || strings.Contains(feed, oldest+"<") || strings.Contains(feed, oldest+"/") {
		t.Errorf("feed does not hold the newest only")
	}
	if n := strings.Count(index, "<tr><td>"); n != FeedEntries+5 || !strings.Contains(index, oldest) {
		t.Errorf("index holds %d rows, want %d", n, FeedEntries+5)
	}
}

// TestWriteCasesKeepsGoing: one case that cannot be written does not
// hold back the others of its batch, and is named with why.
func TestWriteCasesKeepsGoing(t *testing.T) {
	s := testSite(t)
	bad := testPage(t, "SEC-2026-0002", "x", now)
	bad.Patches[0].Name = "../escape"
	pages := []Page{testPage(t, "SEC-2026-0001", "x", now), bad, testPage(t, "SEC-2026-0003", "x", now)}
	written, failed, err := s.WriteCases(pages)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 || failed["SEC-2026-0002"] == nil {
		t.Errorf("failed = %v, want SEC-2026-0002 alone", failed)
	}
	for _, id := range []string{"SEC-2026-0001", "SEC-2026-0003"} {
		if !s.HasCase(id) || !slices.Contains(written, id+"/index.html") {
			t.Errorf("%s not written (wrote %v)", id, written)
		}
	}
	if s.HasCase("SEC-2026-0002") {
		t.Error("the failed case counts as written")
	}
}
