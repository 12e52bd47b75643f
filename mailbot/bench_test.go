package mailbot_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/benchkit"
	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/intake"
	"github.com/secbot/secbot/mailbot/mailsim"
	"github.com/secbot/secbot/mailbot/tlsmode"
)

// BenchmarkIngestBacklog ingests a backlog of about 5 KB messages (60%
// new reports, 40% replies threaded by In-Reply-To or subject tag) from
// the in-process IMAP server into cases, and compares it with a bare
// `UID FETCH 1:* BODY.PEEK[]` of the same mailbox by the same client code
// in the same run. Run it with:
//
//	go test -run '^$' -bench IngestBacklog -benchtime 1x ./mailbot/
func BenchmarkIngestBacklog(b *testing.B) {
	w, cfg, ic := backlogWorld(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, floor, err := benchkit.Measured(ctx, cfg, ic, filepath.Join(w.Dir, "bench-"+strconv.Itoa(i)+".db"), w.Log)
		if err != nil {
			b.Fatal(err)
		}
		if res.Messages != benchkit.Size {
			b.Fatalf("ingested %d messages, want %d", res.Messages, benchkit.Size)
		}
		benchkit.ReportRun(b, res, floor)
	}
}

// backlogWorld is a world whose mailbox holds the benchmark backlog
// (benchkit.Size messages), its config, and an intake config that reads
// the mailbox as the robot. The world closes when b ends.
func backlogWorld(b *testing.B) (*demo.World, *config.Config, intake.Config) {
	b.Helper()
	w, err := demo.NewWorld(b.TempDir(), demo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close() })
	for i := range benchkit.Size {
		raw, _ := benchkit.Message(i, w.Robot.Address)
		if err := w.Sim.Append(w.Robot.Address, []byte(raw)); err != nil {
			b.Fatal(err)
		}
	}
	cfg, err := config.Load(w.ConfigPath)
	if err != nil {
		b.Fatal(err)
	}
	ic := intake.Config{Addr: w.Sim.IMAPAddr, TLSMode: tlsmode.Plain, Username: w.Robot.Address,
		Password: mailsim.Password, PollInterval: time.Hour, Logger: w.Log}
	return w, cfg, ic
}
