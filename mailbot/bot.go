package mailbot

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/intake"
	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/mailbot/metrics"
	"github.com/secbot/secbot/mailbot/outbox"
	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// Options are what a Bot is built from. Only Config, Store and Keys are
// required.
type Options struct {
	Config    *config.Config
	Store     *store.Store
	Keys      *keyring.Keys
	Templates *templates.Set // default: templates.Load(Config.Robot.TemplatesDir)
	Logger    *slog.Logger
	// Now is the clock; tests and the demo inject their own.
	Now func() time.Time
	// IMAPTLS and SMTPTLS override the TLS client settings (tests trust a
	// throw-away CA this way).
	IMAPTLS, SMTPTLS *tls.Config
	// OnIdle is called each time the intake has caught up with the mailbox.
	OnIdle func()
	// OnSite is called each time the public pages of caseID were
	// written, and with "" when the site writer's first pass after start
	// ended, with the files that changed in that pass.
	OnSite func(caseID string, written []string)
	// SchedulerPoll bounds how long the scheduler sleeps between looks at
	// its timers (default 30s); tests with a moving clock set it short.
	SchedulerPoll time.Duration
	// SiteRenew is how often the site writer renews security.txt
	// (default 24h); tests set it short.
	SiteRenew time.Duration
	// ShutdownGrace is how long the sender may finish after shutdown
	// starts (default 2s).
	ShutdownGrace time.Duration
	// Backoff overrides the sender's retry backoff bounds (tests).
	MinBackoff, MaxBackoff time.Duration
	// Metrics counts what the bot does; nil counts nothing. `secbot run`
	// keeps one across reloads.
	Metrics *metrics.Metrics
}

// Bot is one running secbot.
type Bot struct {
	cfg       *config.Config
	store     *store.Store
	keys      *keyring.Keys
	tmpl      *templates.Set
	log       *slog.Logger
	now       func() time.Time
	tagRE     *regexp.Regexp
	caseIDRE  *regexp.Regexp // this installation's case ids, in text
	opts      Options
	sender    *outbox.Sender
	schedKick chan struct{}
	// siteKick wakes the site writer (site.go); siteErr is the last
	// failure it told, owned by it.
	siteKick chan struct{}
	siteErr  string
	panics   atomic.Int64
	metrics  *metrics.Metrics
	// lastSync is the time of the last successful IMAP sync of this run
	// (unix nanoseconds, 0 before the first), for the intake alert;
	// started is when Run began.
	lastSync atomic.Int64
	started  time.Time
	// looks counts the scheduler's completed looks (tests wait on it).
	looks atomic.Int64
	// failExpand, set only by tests, makes expanding a fan-out fail.
	failExpand func(*store.Fanout) error
}

// New checks opts and builds a Bot.
func New(opts Options) (*Bot, error) {
	if opts.Config == nil || opts.Store == nil || opts.Keys == nil {
		return nil, fmt.Errorf("mailbot: Config, Store and keyring.Keys are required")
	}
	b := &Bot{cfg: opts.Config, store: opts.Store, keys: opts.Keys, tmpl: opts.Templates,
		log: opts.Logger, now: opts.Now, opts: opts, schedKick: make(chan struct{}, 1), siteKick: make(chan struct{}, 1), metrics: opts.Metrics}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.tmpl == nil {
		t, err := templates.Load(opts.Config.Path(opts.Config.Robot.TemplatesDir))
		if err != nil {
			return nil, err
		}
		b.tmpl = t
	}
	b.tagRE = (&Threader{Prefix: b.cfg.Robot.CasePrefix}).tagRE()
	b.caseIDRE = regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(b.cfg.Robot.CasePrefix) + `-\d{4}-\d{4,6}\b`)
	sc, err := b.senderConfig()
	if err != nil {
		return nil, err
	}
	b.sender = outbox.New(sc, &queue{b: b, rendered: map[string][]byte{}})
	return b, nil
}

func (b *Bot) senderConfig() (outbox.Config, error) {
	c := b.cfg.SMTP
	pw, err := b.cfg.Secret(c.Password, c.PasswordFile)
	if err != nil {
		return outbox.Config{}, fmt.Errorf("smtp: %w", err)
	}
	return outbox.Config{
		Addr: c.Addr, TLSMode: c.TLS, TLSConfig: b.opts.SMTPTLS,
		Username: c.Username, Password: pw, HeloName: c.Helo,
		MinBackoff: b.opts.MinBackoff, MaxBackoff: b.opts.MaxBackoff,
		Logger: b.log.With("part", "outbox"), Now: b.now, Panics: &b.panics,
	}, nil
}

func (b *Bot) intakeConfig() (intake.Config, error) {
	c := b.cfg.IMAP
	pw, err := b.cfg.Secret(c.Password, c.PasswordFile)
	if err != nil {
		return intake.Config{}, fmt.Errorf("imap: %w", err)
	}
	return intake.Config{
		Addr: c.Addr, TLSMode: c.TLS, TLSConfig: b.opts.IMAPTLS,
		Username: c.Username, Password: pw, Mailbox: c.Mailbox, MoveTo: c.MoveTo,
		MaxSize: b.cfg.Robot.MaxMessageBytes, PollInterval: c.PollInterval,
		Logger: b.log.With("part", "intake"), OnIdle: b.onIdle, Panics: &b.panics,
		OnReconnect: b.metrics.Reconnect,
	}, nil
}

func (b *Bot) kick() { b.sender.Kick() }

// onIdle runs each time the intake has caught up with the mailbox: a
// successful sync.
func (b *Bot) onIdle() {
	now := b.now()
	b.metrics.Synced(now)
	if b.lastSynced().IsZero() || b.cfg.Alert.IntakeAfter > 0 && now.Sub(b.lastSynced()) > b.cfg.Alert.IntakeAfter {
		defer b.KickScheduler() // it may clear the intake alert
	}
	b.synced(now)
	if b.opts.OnIdle != nil {
		b.opts.OnIdle()
	}
}

// Panics counts panics recovered in this Bot's goroutines (ingest, the
// intake, the sender, the scheduler); tests fail when it is not zero.
func (b *Bot) Panics() int64 { return b.panics.Load() }

// Run runs the intake and the sender until ctx is cancelled. Shutdown is
// in two phases: cancelling ctx stops the intake from taking new mail;
// the sender then gets a short grace period to finish the mail in hand.
func (b *Bot) Run(ctx context.Context) error {
	ic, err := b.intakeConfig()
	if err != nil {
		return err
	}
	b.started = b.now()
	b.store.OnSite(b.kickSite) // a commit that marks pages wakes the site writer
	if err := b.noteRobotKey(); err != nil {
		b.log.Error("note the robot key", "err", err)
	}
	if err := b.armDigest(); err != nil { // before the scheduler looks
		b.log.Error("arm the digest", "err", err)
	}
	if err := b.armRetention(); err != nil {
		b.log.Error("arm retention", "err", err)
	}
	runCtx, stopIntake := context.WithCancel(ctx)
	defer stopIntake()
	sendCtx, stopSend := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSend()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	wg.Add(3)
	go func() {
		defer wg.Done()
		errs <- b.guard("scheduler", func() error { return b.runScheduler(runCtx) })
	}()
	go func() {
		defer wg.Done()
		errs <- b.guard("intake", func() error { return intake.Run(runCtx, ic, b) })
	}()
	go func() {
		defer wg.Done()
		errs <- b.guard("sender", func() error { return b.sender.Run(sendCtx) })
	}()
	// The site writer stops with the intake; it ends nothing else, even
	// by a panic (counted and logged by guard): the mail goes on.
	wg.Add(1)
	go func() {
		defer wg.Done()
		b.guard("site", func() error { b.runSite(runCtx); return nil })
	}()
	b.sender.Kick() // deliver what an earlier run left pending
	var first error
	select {
	case <-ctx.Done():
	case first = <-errs:
	}
	// Phase one: take no new mail. Phase two: the sender may finish the
	// mail in hand for a moment; whatever it does not finish stays queued
	// (its attempt was recorded before dialling) and goes out next start.
	stopIntake()
	g := b.opts.ShutdownGrace
	if g == 0 {
		g = shutdownGrace
	}
	if b.pending() == 0 {
		g = 0 // nothing in hand: no reason to wait
	}
	grace := time.AfterFunc(g, stopSend)
	defer grace.Stop()
	wg.Wait()
	return first
}

// shutdownGrace is how long the sender may go on after shutdown starts.
const shutdownGrace = 2 * time.Second

// guard runs fn, turning a panic into an error that is counted.
func (b *Bot) guard(name string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			b.panics.Add(1)
			b.log.Error("panic", "goroutine", name, "panic", r)
			err = fmt.Errorf("%s: panic: %v", name, r)
		}
	}()
	return fn()
}

// pending counts the mails waiting in the outbox.
func (b *Bot) pending() int {
	n := 0
	b.store.View(func(tx *store.Tx) error { n = tx.PendingCount(); return nil })
	return n
}
