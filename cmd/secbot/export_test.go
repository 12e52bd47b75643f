package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secbot/secbot/mailbot/export"
	"github.com/secbot/secbot/mailbot/export/exporttest"
)

// TestCaseExport runs `case export` on the store for each format, to
// stdout and to a directory; every document validates.
func TestCaseExport(t *testing.T) {
	cfg := queryFixture(t)
	val, err := exporttest.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range export.Formats {
		var buf bytes.Buffer
		if err := runQuery(cfg, query{Cmd: "export", ID: "SEC-2026-0001", Format: format}, &buf); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		var files []export.File
		if err := json.Unmarshal(buf.Bytes(), &files); err != nil || len(files) != 1 {
			t.Fatalf("%s: %d files, %v", format, len(files), err)
		}
		var out bytes.Buffer
		if err := writeExports(&out, "", files); err != nil {
			t.Fatal(err)
		}
		if err := val.Validate(format, out.Bytes()); err != nil {
			t.Errorf("%s to stdout: %v\n%s", format, err, out.Bytes())
		}
		dir := t.TempDir()
		out.Reset()
		if err := writeExports(&out, dir, files); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(files[0].Path)))
		if err != nil || !strings.HasPrefix(files[0].Path, format+"/") {
			t.Fatalf("%s: %s: %v", format, files[0].Path, err)
		}
		if format == "csaf" && !strings.Contains(string(b), `"status": "draft"`) {
			t.Errorf("an unpublished case does not export as a draft:\n%s", b)
		}
	}
}
