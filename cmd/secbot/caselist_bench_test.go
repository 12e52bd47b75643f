package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/secbot/secbot/store"
)

// BenchmarkCaseListSocket times `case list` over the control socket on a
// store of 56,000 cases (the growth benchmark's size), from connect to
// the last byte, as the CLI reads it. It reports the p99 of the
// iterations and the bytes the daemon allocated per list.
func BenchmarkCaseListSocket(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "s.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	states := []string{store.StatePublished, store.StatePublished, store.StatePublished, store.StateClosed, store.StateAccepted}
	for first := 0; first < 56000; first += 1000 {
		err := st.Update(func(tx *store.Tx) error {
			for i := first; i < first+1000; i++ {
				c := &store.Case{ID: fmt.Sprintf("SEC-%d-%05d", 2016+i/5600, i+1), State: states[i%len(states)],
					Opened: t0.Add(time.Duration(i) * time.Hour), Subject: fmt.Sprintf("report %d: a heap overflow in the parser", i),
					Messages: make([]uint64, 20), Vulns: []store.Vuln{{N: 1}}, VulnSeq: 1}
				if err := tx.PutCase(c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sock := filepath.Join(b.TempDir(), "s.sock")
	if err := serveCtl(ctx, sock, st, func() *renderEnv { return nil }, slog.New(slog.DiscardHandler)); err != nil {
		b.Fatal(err)
	}
	var times []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		conn, err := net.Dial("unix", sock)
		if err != nil {
			b.Fatal(err)
		}
		if err := askDaemon(conn, query{Cmd: "list"}, io.Discard); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}
