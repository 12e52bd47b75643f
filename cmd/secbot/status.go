package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/secbot/secbot/mailbot/metrics"
)

// live is what only the running daemon knows: its counters and health.
type live struct {
	m      *metrics.Metrics
	health *metrics.Health
}

func cmdStatus(ctx context.Context, args []string) error {
	cfg, _, err := readFlags(args, "status", nil)
	if err != nil {
		return err
	}
	conn, err := net.DialTimeout("unix", ctlPath(cfg), time.Second)
	if err != nil {
		return fmt.Errorf("secbot is not running (nothing answers on %s)", ctlPath(cfg))
	}
	var out strings.Builder
	if err := askDaemon(conn, query{Cmd: "status"}, &out); err != nil {
		return err
	}
	fmt.Print(out.String())
	if !strings.HasPrefix(out.String(), "health: ok") {
		return fmt.Errorf("secbot is unhealthy")
	}
	return nil
}

// printStatus writes the health verdict, then every secbot_ metric the
// Prometheus listener serves, one "name{labels} value" a line.
func printStatus(w io.Writer, env *renderEnv) error {
	if env == nil || env.live == nil {
		return errNotReady
	}
	l := env.live
	problems := l.health.Problems()
	if len(problems) == 0 {
		fmt.Fprintln(w, "health: ok")
	} else {
		fmt.Fprintln(w, "health: FAILING")
		for _, p := range problems {
			fmt.Fprintln(w, "  "+p)
		}
	}
	fams, err := l.m.Registry().Gather()
	if err != nil {
		return fmt.Errorf("gather metrics: %w", err)
	}
	for _, f := range fams {
		if strings.HasPrefix(f.GetName(), "secbot_") {
			printFamily(w, f)
		}
	}
	return nil
}

func printFamily(w io.Writer, f *dto.MetricFamily) {
	for _, m := range f.GetMetric() {
		var labels []string
		for _, l := range m.GetLabel() {
			labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
		}
		sort.Strings(labels)
		name := f.GetName()
		if len(labels) > 0 {
			name += "{" + strings.Join(labels, ",") + "}"
		}
		var v float64
		switch {
		case m.Counter != nil:
			v = m.Counter.GetValue()
		case m.Gauge != nil:
			v = m.Gauge.GetValue()
		}
		if strings.HasSuffix(f.GetName(), "_timestamp_seconds") && v > 0 {
			fmt.Fprintf(w, "%s %s\n", name, time.Unix(int64(v), 0).UTC().Format(time.RFC3339))
			continue
		}
		fmt.Fprintf(w, "%s %g\n", name, v)
	}
}
