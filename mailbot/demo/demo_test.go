package demo

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secbot/secbot/mailbot/export/exporttest"
)

// TestDemoRuns plays the whole demo: it fails when any claim the demo
// narrates is false. Every export publication wrote validates against
// its official schema.
func TestDemoRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole demo: skipped under -short")
	}
	dir := t.TempDir()
	if err := Run(context.Background(), io.Discard, dir); err != nil {
		t.Fatal(err)
	}
	val, err := exporttest.New()
	if err != nil {
		t.Fatal(err)
	}
	site := filepath.Join(dir, "site")
	files, err := SiteFiles(site)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, f := range files {
		parts := strings.Split(f, "/")
		if len(parts) != 3 || !strings.HasSuffix(f, ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(site, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := val.Validate(parts[1], b); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		seen[parts[1]]++
	}
	for _, format := range []string{"cve", "osv", "csaf"} {
		if seen[format] == 0 {
			t.Errorf("publication wrote no %s export (files: %v)", format, files)
		}
	}
}
