package main

import (
	"io"
	"log/slog"
	"os"

	"github.com/secbot/secbot/mailbot/config"
)

// newLogger makes the daemon's logger: slog's text handler, or its JSON
// handler for log shippers (log.format = json). Under systemd, whose
// journal stamps every line itself (it sets JOURNAL_STREAM for a service
// whose output it reads), the lines carry no time of their own.
func newLogger(c config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if os.Getenv("JOURNAL_STREAM") != "" {
		opts.ReplaceAttr = dropTime
	}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// dropTime removes the record's own time (only at the top level: an
// attribute a caller named "time" inside a group stays).
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
