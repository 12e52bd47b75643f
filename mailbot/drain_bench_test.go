package mailbot_test

import (
	"context"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/benchkit"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/store"
)

// BenchmarkDrainBacklog measures the whole way of a backlog: 1,000
// reports and replies wait in the in-process IMAP server; the real daemon
// starts, ingests them, expands their fan-outs, renders, encrypts and
// signs every acknowledgement and relay, and sends them to the in-process
// SMTP server. It reports mails sent per second until the outbox is empty.
//
//	go test -run '^$' -bench DrainBacklog -benchtime 1x ./mailbot/
func BenchmarkDrainBacklog(b *testing.B) {
	const n = 1000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w, err := demo.NewWorld(b.TempDir(), demo.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for j := range n {
			raw, _ := benchkit.Message(j, w.Robot.Address)
			if err := w.Sim.Append(w.Robot.Address, []byte(raw)); err != nil {
				b.Fatal(err)
			}
		}
		ctx := context.Background()
		b.StartTimer()
		start := time.Now()
		if err := w.Start(ctx); err != nil {
			b.Fatal(err)
		}
		// Wait until every message is in and every mail it caused is out.
		for {
			var msgs int
			if err := w.View(func(tx *store.Tx) error { msgs = tx.MessageCount(); return nil }); err != nil {
				b.Fatal(err)
			}
			if msgs == n {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err := w.WaitSent(ctx, 5*time.Minute); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		sent := len(w.Sim.Deliveries())
		b.ReportMetric(float64(sent)/elapsed.Seconds(), "mails/s")
		b.ReportMetric(float64(sent), "mails")
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
