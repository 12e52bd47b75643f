package mailbot_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/benchkit"
	"github.com/secbot/secbot/mailbot/website"
	"github.com/secbot/secbot/store"
)

// BenchmarkStoreGrowth builds a store as ten years of a busy project
// would leave it (50,000 cases and 1,000,000 messages of about 5 KB,
// through the store API, 1,000 messages a transaction), then measures
// against it: ingestion of the 10,000-message backlog as a ratio to the
// same backlog into an empty store in the same run; reading the case list
// from the full case records (as `case list` did up to schema 6) and from
// the summary index (as it does now), and an old case (what `case show`
// reads), on the store; then the built secbot run on the grown store: its
// start-up until its first IMAP sync, its memory, and `case list` and
// `case show` over its control socket, without publish.dir, with it on a
// site never written (the site writer writes every published case in the
// background: how long, and the memory meanwhile) and again once it is
// written; and the store size per message before and after compaction. SECBOT_GROWTH_SCALE
// scales the built store (default 1; 0.05 builds 2,500 cases and 50,000
// messages). Run it with:
//
//	SECBOT_GROWTH_SCALE=0.05 go test -run '^$' -bench StoreGrowth -benchtime 1x -timeout 2h ./mailbot/
func BenchmarkStoreGrowth(b *testing.B) {
	scale := 1.0
	if s := os.Getenv("SECBOT_GROWTH_SCALE"); s != "" {
		var err error
		if scale, err = strconv.ParseFloat(s, 64); err != nil || scale <= 0 {
			b.Fatalf("SECBOT_GROWTH_SCALE %q: want a positive number", s)
		}
	}
	nCases, nMsgs := int(50000*scale), int(1000000*scale)
	w, cfg, ic := backlogWorld(b)
	ctx := context.Background()
	bin := buildSecbot(b)
	storePath := cfg.Path(cfg.Robot.Store)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		big := filepath.Join(w.Dir, fmt.Sprintf("big-%d.db", i))
		start := time.Now()
		if err := buildGrown(big, nCases, nMsgs); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "build-s")
		sizeBefore := fileSize(b, big)

		empty, err := benchkit.Ingest(ctx, cfg, ic, filepath.Join(w.Dir, fmt.Sprintf("empty-%d.db", i)), w.Log)
		if err != nil {
			b.Fatal(err)
		}
		grown, err := benchkit.Ingest(ctx, cfg, ic, big, w.Log)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(empty.Elapsed.Seconds(), "ingest-empty-s")
		b.ReportMetric(grown.Elapsed.Seconds(), "ingest-grown-s")
		b.ReportMetric(grown.Elapsed.Seconds()/empty.Elapsed.Seconds(), "ingest-ratio")

		full, list, show := readP99(b, big)
		b.ReportMetric(ms(full), "case-list-full-p99-ms")
		b.ReportMetric(ms(list), "case-list-p99-ms")
		b.ReportMetric(ms(show), "case-show-p99-ms")

		if err := os.Rename(big, storePath); err != nil {
			b.Fatal(err)
		}
		// Without publish.dir; then with it, first on a site never
		// written (the site writer writes every published case's pages in
		// the background), then again once it is written (it renders none).
		stamp := filepath.Join(w.SiteDir, website.StampName)
		for _, run := range []struct{ config, suffix, stamp string }{
			{noPublish(b, w.ConfigPath), "-nopublish", ""}, {w.ConfigPath, "-site-build", stamp}, {w.ConfigPath, "", ""},
		} {
			d := measureDaemon(b, bin, run.config, storePath+".sock", "SEC-2016-00002", run.stamp)
			b.ReportMetric(ms(d.startup), "daemon-startup-ms"+run.suffix)
			b.ReportMetric(float64(d.rssAnon)/(1<<20), "daemon-rss-anon-MiB"+run.suffix)
			b.ReportMetric(float64(d.rssFile)/(1<<20), "daemon-rss-file-MiB"+run.suffix)
			b.ReportMetric(float64(d.peakAnon)/(1<<20), "daemon-peak-rss-anon-MiB"+run.suffix)
			b.ReportMetric(ms(d.list), "socket-case-list-p99-ms"+run.suffix)
			b.ReportMetric(ms(d.show), "socket-case-show-p99-ms"+run.suffix)
			if run.stamp != "" {
				b.ReportMetric(d.site.Seconds(), "site-build-s")
			}
		}
		if err := os.Rename(storePath, big); err != nil {
			b.Fatal(err)
		}

		before, after, err := store.Compact(big)
		if err != nil {
			b.Fatal(err)
		}
		total := float64(nMsgs + benchkit.Size)
		b.ReportMetric(float64(sizeBefore)/float64(nMsgs), "bytes/msg-built")
		b.ReportMetric(float64(before)/total, "bytes/msg-before-compact")
		b.ReportMetric(float64(after)/total, "bytes/msg-after-compact")
	}
}

// buildGrown writes nCases cases, closed or published but the last 1%,
// and nMsgs messages spread over them, with their Message-ID entries.
func buildGrown(path string, nCases, nMsgs int) error {
	st, err := store.Open(path, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	opened := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	per := max(nMsgs/nCases, 1)
	const batch = 1000
	for first := 0; first < nMsgs; first += batch {
		err := st.Update(func(tx *store.Tx) error {
			tx.ReserveRaw(batch * 5200)
			for m := first; m < min(first+batch, nMsgs); m++ {
				if err := addGrown(tx, m, per, nCases, opened); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func addGrown(tx *store.Tx, m, per, nCases int, opened time.Time) error {
	ci := min(m/per, nCases-1)
	at := opened.Add(time.Duration(m) * 5 * time.Minute)
	id := fmt.Sprintf("SEC-%d-%05d", 2016+ci*10/nCases, ci+1)
	// Every case holds one vulnerability since schema 6, as NewCase makes it.
	c := &store.Case{ID: id, State: store.StatePublished, Opened: at, Updated: at, Subject: fmt.Sprintf("report %d", ci),
		Vulns: []store.Vuln{{N: 1}}, VulnSeq: 1}
	c.Embargo.Published = at
	if m%per != 0 {
		old, err := tx.Case(id)
		if err != nil {
			return err
		}
		c = old
	} else if ci >= nCases*99/100 {
		c.State = store.StateAccepted
	} else if ci%7 == 0 {
		c.State = store.StateClosed
	}
	raw, _ := benchkit.Message(m, "security@demo.example")
	msgID := fmt.Sprintf("grown%d@reporter.example", m)
	key, err := tx.AddMessage(&store.Message{Case: id, MessageID: msgID, Received: at, From: "r@reporter.example",
		Subject: c.Subject, Status: "ok", Size: int64(len(raw))}, []byte(raw), nil)
	if err != nil {
		return err
	}
	c.Messages = append(c.Messages, key)
	c.Updated = at
	if err := tx.IndexMessageID(msgID, store.ThreadRef{Case: id, Msg: key}); err != nil {
		return err
	}
	return tx.PutCase(c)
}

// noPublish writes a copy of the config at path without its [publish]
// sections, beside it, and returns its path.
func noPublish(b *testing.B, path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var keep []string
	for _, sec := range strings.Split(string(data), "\n[") {
		if !strings.HasPrefix(sec, "publish") {
			keep = append(keep, sec)
		}
	}
	out := strings.TrimSuffix(path, ".toml") + "-nopublish.toml"
	if err := os.WriteFile(out, []byte(strings.Join(keep, "\n[")), 0o600); err != nil {
		b.Fatal(err)
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// readP99 times 100 reads of every full case record (what `case list`
// read up to schema 6), of every case summary (what it reads now) and of
// an old case with its messages and audit log (what `case show` reads),
// on the store directly.
func readP99(b *testing.B, path string) (full, list, show time.Duration) {
	st, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var fs, ls, ss []time.Duration
	for range 100 {
		start := time.Now()
		if err := st.View(func(tx *store.Tx) error { _, err := tx.Cases(); return err }); err != nil {
			b.Fatal(err)
		}
		fs = append(fs, time.Since(start))
		start = time.Now()
		if err := st.View(func(tx *store.Tx) error { _, err := tx.CaseSummaries(); return err }); err != nil {
			b.Fatal(err)
		}
		ls = append(ls, time.Since(start))
		start = time.Now()
		if err := st.View(func(tx *store.Tx) error {
			c, err := tx.Case("SEC-2016-00002")
			if err != nil {
				return err
			}
			for _, k := range c.Messages {
				if _, err := tx.Message(k); err != nil {
					return err
				}
			}
			_, err = tx.AuditLog(c.ID)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		ss = append(ss, time.Since(start))
	}
	for _, d := range [][]time.Duration{fs, ls, ss} {
		slices.Sort(d)
	}
	return fs[98], ls[98], ss[98]
}

func fileSize(b *testing.B, path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}
