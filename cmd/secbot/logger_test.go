package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/secbot/secbot/mailbot/config"
)

// TestLogger: log.format picks the handler, log.level filters, and under
// journald (JOURNAL_STREAM set) no line carries its own time.
func TestLogger(t *testing.T) {
	check := func(c config.Log, journal bool, wantJSON, wantTime bool) {
		t.Helper()
		if journal {
			t.Setenv("JOURNAL_STREAM", "8:1234")
		} else {
			t.Setenv("JOURNAL_STREAM", "")
		}
		var out bytes.Buffer
		log := newLogger(c, &out)
		log.Debug("hidden")
		log.Info("started", "case", "SEC-2026-0001")
		line := out.String()
		if strings.Contains(line, "hidden") || strings.Count(line, "\n") != 1 {
			t.Fatalf("%+v: want one info line, got %q", c, line)
		}
		var rec map[string]any
		isJSON := json.Unmarshal([]byte(line), &rec) == nil
		if isJSON != wantJSON {
			t.Errorf("%+v: JSON %v, want %v: %q", c, isJSON, wantJSON, line)
		}
		hasTime := strings.HasPrefix(line, "time=") || rec["time"] != nil
		if hasTime != wantTime {
			t.Errorf("%+v journal=%v: time %v, want %v: %q", c, journal, hasTime, wantTime, line)
		}
	}
	check(config.Log{Level: "info", Format: "text"}, false, false, true)
	check(config.Log{Level: "info", Format: "json"}, false, true, true)
	check(config.Log{Level: "info", Format: "text"}, true, false, false)
	check(config.Log{Level: "info", Format: "json"}, true, true, false)
}
