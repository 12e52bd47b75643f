package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/export"
	"github.com/secbot/secbot/store"
)

func cmdCaseExport(ctx context.Context, args []string) error {
	var format, dir *string
	cfg, fs, err := readFlags(args, "case export", func(fs *flag.FlagSet) {
		format = fs.String("format", "", "cve, osv or csaf")
		dir = fs.String("dir", "", "write the documents under this directory instead of stdout")
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 1 || !slices.Contains(export.Formats, *format) {
		return errUsage
	}
	var buf bytes.Buffer
	if err := runQuery(cfg, query{Cmd: "export", ID: fs.Arg(0), Format: *format}, &buf); err != nil {
		return err
	}
	var files []export.File
	if err := json.Unmarshal(buf.Bytes(), &files); err != nil {
		return fmt.Errorf("read export: %w", err)
	}
	return writeExports(os.Stdout, *dir, files)
}

// writeExports prints the documents one after another, or writes each
// under dir at its path (cve/CVE-2026-1234.json).
func writeExports(w io.Writer, dir string, files []export.File) error {
	for _, f := range files {
		if dir == "" {
			if _, err := w.Write(f.Data); err != nil {
				return err
			}
			continue
		}
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(w, path)
	}
	return nil
}

// exportFiles builds the export documents of case id. A case not yet
// published exports as a draft, dated now.
func exportFiles(w io.Writer, tx *store.Tx, env *renderEnv, id, format string, now time.Time) error {
	c, err := tx.Case(id)
	if err != nil {
		return err
	}
	a, err := advisory.Load(tx, c.ID, advisory.ProjectOf(env.cfg))
	if err != nil {
		return err
	}
	o := export.Options{Modified: c.Embargo.Published}
	if c.State != store.StatePublished {
		o = export.Options{Modified: now, Draft: true}
	}
	files, err := export.Files(export.NewCase(a), format, export.SettingsOf(env.cfg), o)
	if err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(files)
}
