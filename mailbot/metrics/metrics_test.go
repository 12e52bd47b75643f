package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/mailbot/metrics"
	"github.com/secbot/secbot/store"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestMetricsOfARun: a report and a maintainer's unsigned command mail
// go through a real bot; the scrape counts them, the mails sent and the
// SMTP replies, and holds no address, subject, case id or report text.
func TestMetricsOfARun(t *testing.T) {
	m := metrics.New()
	w, err := demo.NewWorld(t.TempDir(), demo.Options{Tune: func(o *mailbot.Options) { o.Metrics = m }})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx := context.Background()
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	m.WatchStore(w.Store())
	const subject, secret = "Heap overflow in parse_frob", "the overflow is at offset 4242"
	if _, err := w.Send(w.Reporter, demo.Mail{Subject: subject, Body: secret, Encrypt: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.WaitMail(ctx, w.Reporter.Address, 1, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Send(w.Maintainer(0), demo.Mail{Subject: "Re: [SEC-2026-0001] " + subject, Body: "severity: high\n"}); err != nil {
		t.Fatal(err)
	}
	if !w.Sim.WaitFor(ctx, func() bool {
		var n int
		w.View(func(tx *store.Tx) error { n = tx.MessageCount(); return nil })
		return n == 2
	}) {
		t.Fatal("the command mail was not recorded")
	}
	if err := w.WaitSent(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(metrics.Handler(m, metrics.NewHealth(m, w.Store(), time.Minute, time.Now)))
	defer srv.Close()
	code, text := get(t, srv.URL+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		`secbot_messages_total{status="ingested"} 2`,
		`secbot_mails_total{kind="ack",result="sent"} 1`,
		`secbot_smtp_replies_total{class="2xx"}`,
		`secbot_command_mails_refused_total{reason="unsigned"} 1`,
		`secbot_announcements_armed 0`,
		`secbot_site_pages_pending 0`,
		`secbot_panics_total 0`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(text, "secbot_last_imap_sync_timestamp_seconds 0\n") {
		t.Error("no IMAP sync recorded")
	}
	for _, leak := range []string{"@", "SEC-", "parse_frob", "4242", "Heap overflow", "reporter"} {
		if strings.Contains(text, leak) {
			t.Errorf("/metrics holds %q", leak)
		}
	}
	if code, body := get(t, srv.URL+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
}

// TestHealthz: /healthz fails, naming why, when the intake has not
// synced within 3 poll intervals and when a due mail is over an hour late.
func TestHealthz(t *testing.T) {
	st, err := store.Open(t.TempDir()+"/s.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	now := t0
	m := metrics.New()
	h := metrics.NewHealth(m, st, time.Minute, func() time.Time { return now })
	srv := httptest.NewServer(metrics.Handler(m, h))
	defer srv.Close()
	check := func(at time.Time, wantCode int, want string) {
		t.Helper()
		now = at
		code, body := get(t, srv.URL+"/healthz")
		if code != wantCode || !strings.Contains(body, want) {
			t.Errorf("at +%s: %d %q, want %d %q", at.Sub(t0), code, body, wantCode, want)
		}
	}
	check(t0.Add(2*time.Minute), 200, "ok")
	check(t0.Add(4*time.Minute), 503, "intake: no IMAP sync for 4m0s (limit 3m0s)")
	m.Synced(t0.Add(4 * time.Minute))
	check(t0.Add(5*time.Minute), 200, "ok")
	st.Update(func(tx *store.Tx) error {
		_, err := tx.Enqueue(&store.OutMail{ID: "a@x", Kind: "ack", Queued: t0})
		return err
	})
	m.Synced(t0.Add(61 * time.Minute))
	check(t0.Add(61*time.Minute), 503, "outbox: the oldest due mail is 1h1m0s late")
}
