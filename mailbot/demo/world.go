// Package demo builds a whole secbot world in one process: an in-process
// mail system, generated keys for the robot, two maintainers and a
// reporter, a config file, and a running Bot. `secbot demo` narrates a
// case through it, and the end-to-end tests drive it.
package demo

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"
	"github.com/emersion/go-smtp"

	"github.com/secbot/secbot/mailbot"
	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/mailbot/mailsim"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
)

// Domain is the mail domain of the demo world.
const Domain = "demo.example"

// Person is someone in the world who sends and reads mail.
type Person struct {
	Name    string
	Address string
	Key     *crypto.Key // private
}

// World is a mail system, people, keys and a secbot.
type World struct {
	Dir string
	// SiteDir is publish.dir: the public pages written at the CRD.
	SiteDir     string
	Sim         *mailsim.Sim
	ConfigPath  string
	Robot       Person
	Maintainers []Person
	Reporter    Person
	// Downstream are the pre-notification contacts: "distros" (the
	// distros list) and "acme" (a vendor).
	Downstream map[string]Person
	CNA        Person
	// Announce receives the public advisory on the CRD.
	Announce string
	// Clock is the bot's clock: tests and the demo move it to the CRD.
	Clock *Clock
	Log   *slog.Logger

	mu     sync.Mutex
	store  *store.Store
	bot    *mailbot.Bot
	cancel context.CancelFunc
	done   chan error
	idle   chan struct{}
	// site receives the case id of each publication whose pages were
	// written (Options.OnSite).
	site      chan string
	options   func(*mailbot.Options)
	skipCheck bool
	seq       int // numbers the Message-IDs Compose makes; under mu
}

// Options tune NewWorld.
type Options struct {
	Logger *slog.Logger
	// EMLDir receives every mail sent as a .eml file.
	EMLDir string
	// Tune edits the bot options before each start (tests set a clock).
	Tune func(*mailbot.Options)
	// ConfigExtra is appended to the generated config file.
	ConfigExtra string
	// MaxMessageBytes overrides the size limit.
	MaxMessageBytes int64
	// SMTPFail lets tests make the SMTP server refuse recipients.
	SMTPFail func(rcpt string, attempt int) *smtp.SMTPError
	// IntakeAlert is alert.intake_after; zero turns the alert off, since
	// the demo and most tests move the clock by days between syncs.
	IntakeAlert time.Duration
	// SkipCheck starts the bot even when the config check finds problems
	// (tests of what secbot does with a broken maintainer key).
	SkipCheck bool
}

// NewWorld generates keys, writes the config into dir and starts the
// mail system. The bot is started with Start.
func NewWorld(dir string, opts Options) (*World, error) {
	w := &World{Dir: dir, SiteDir: filepath.Join(dir, "site"), site: make(chan string, 16), Log: opts.Logger, options: opts.Tune, skipCheck: opts.SkipCheck}
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
	var err error
	if w.Robot, err = newPerson("Demo Project security team", "security@"+Domain); err != nil {
		return nil, err
	}
	for _, n := range []string{"alice", "bob"} {
		p, err := newPerson(strings.ToUpper(n[:1])+n[1:]+" Maintainer", n+"@"+Domain)
		if err != nil {
			return nil, err
		}
		w.Maintainers = append(w.Maintainers, p)
	}
	if w.Reporter, err = newPerson("Rita Reporter", "rita@reporter.example"); err != nil {
		return nil, err
	}
	w.Downstream = map[string]Person{}
	for id, addr := range map[string]string{"distros": "distros@lists.demo.example", "acme": "security@acme.example"} {
		if w.Downstream[id], err = newPerson(id+" security team", addr); err != nil {
			return nil, err
		}
	}
	if w.CNA, err = newPerson("Demo CNA", "cna@cve.demo.example"); err != nil {
		return nil, err
	}
	w.Announce = "announce@lists.demo.example"
	w.Clock = NewClock()
	accounts := []string{w.Robot.Address, w.Reporter.Address, w.CNA.Address, w.Announce}
	for _, d := range w.Downstream {
		accounts = append(accounts, d.Address)
	}
	for _, m := range w.Maintainers {
		accounts = append(accounts, m.Address)
	}
	if w.Sim, err = mailsim.Start(mailsim.Options{Accounts: accounts, EMLDir: opts.EMLDir, Fail: opts.SMTPFail}); err != nil {
		return nil, err
	}
	if err := w.writeConfig(opts); err != nil {
		w.Sim.Close()
		return nil, err
	}
	return w, nil
}

func newPerson(name, addr string) (Person, error) {
	armored, err := pgpmime.GenerateKey(name, addr, "x25519")
	if err != nil {
		return Person{}, fmt.Errorf("key for %s: %w", addr, err)
	}
	key, err := pgpmime.ReadKey([]byte(armored))
	if err != nil {
		return Person{}, err
	}
	return Person{Name: name, Address: addr, Key: key}, nil
}

func (w *World) writeConfig(opts Options) error {
	if err := os.MkdirAll(filepath.Join(w.Dir, "keys"), 0o700); err != nil {
		return err
	}
	robotKey, err := w.Robot.Key.Armor()
	if err != nil {
		return fmt.Errorf("armor robot key: %w", err)
	}
	if err := os.WriteFile(filepath.Join(w.Dir, "robot.key.asc"), []byte(robotKey), 0o600); err != nil {
		return err
	}
	maxBytes := opts.MaxMessageBytes
	if maxBytes == 0 {
		maxBytes = 25 << 20
	}
	var b strings.Builder
	fmt.Fprintf(&b, `[robot]
address = %q
name = %q
project_name = "Demo Project"
project_url = "https://demo.example/"
case_prefix = "SEC"
key_file = "robot.key.asc"
store = "secbot.db"
max_message_bytes = %d

[imap]
addr = %q
tls = "plain"
username = %q
password = %q
poll_interval = "1s"

[smtp]
addr = %q
tls = "plain"
username = %q
password = %q
`, w.Robot.Address, w.Robot.Name, maxBytes, w.Sim.IMAPAddr, w.Robot.Address, mailsim.Password,
		w.Sim.SMTPAddr, w.Robot.Address, mailsim.Password)
	for _, m := range w.Maintainers {
		file, err := w.writePublicKey(m, strings.Split(m.Address, "@")[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "\n[[maintainer]]\nname = %q\naddress = %q\nkey_file = %q\n", m.Name, m.Address, file)
	}
	for _, id := range []string{"acme", "distros"} {
		d := w.Downstream[id]
		kind := map[string]string{"acme": "vendor", "distros": "distros"}[id]
		file, err := w.writePublicKey(d, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "\n[[downstream]]\nid = %q\nname = %q\naddress = %q\nkey_file = %q\nkind = %q\n", id, d.Name, d.Address, file, kind)
	}
	cnaFile, err := w.writePublicKey(w.CNA, "cna")
	if err != nil {
		return err
	}
	fmt.Fprintf(&b, "\n[cve]\ncna_address = %q\ncna_key_file = %q\n\n[announce]\naddresses = [%q]\n", w.CNA.Address, cnaFile, w.Announce)
	// The public pages go to SiteDir at the CRD.
	fmt.Fprintf(&b, "\n[export]\nosv_ecosystem = \"Go\"\nosv_package = \"demo.example/frob\"\nversion_scheme = \"semver\"\n"+
		"\n[publish]\ndir = \"site\"\nurl = \"https://demo.example/security/\"\n"+
		"\n[publish.security_txt]\npolicy = \"https://demo.example/security/policy\"\npreferred_languages = \"en\"\n")
	fmt.Fprintf(&b, "\n[embargo.holidays]\n\"2026-12-25\" = \"Christmas Day\"\n\"2027-01-01\" = \"New Year's Day\"\n")
	fmt.Fprintf(&b, "\n[alert]\nintake_after = %q\n", opts.IntakeAlert.String())
	b.WriteString(opts.ConfigExtra)
	w.ConfigPath = filepath.Join(w.Dir, "secbot.toml")
	return os.WriteFile(w.ConfigPath, []byte(b.String()), 0o600)
}

// writePublicKey writes p's public key under keys/ and returns its path
// relative to the config.
func (w *World) writePublicKey(p Person, name string) (string, error) {
	file := filepath.Join("keys", name+".asc")
	pub, err := p.Key.GetArmoredPublicKey()
	if err != nil {
		return "", fmt.Errorf("armor key of %s: %w", p.Address, err)
	}
	return file, os.WriteFile(filepath.Join(w.Dir, file), []byte(pub), 0o644)
}

// Start loads the config as `secbot run` does and starts the bot.
func (w *World) Start(ctx context.Context) error {
	cfg, err := config.Load(w.ConfigPath)
	if err != nil {
		return err
	}
	if err := cfg.Check(keyring.CheckKeyFile, time.Now()).Err(); err != nil && !w.skipCheck {
		return fmt.Errorf("demo config: %w", err)
	}
	st, err := store.Open(cfg.Path(cfg.Robot.Store), store.Options{})
	if err != nil {
		return err
	}
	keys, err := keyring.Load(cfg, time.Now(), w.Log)
	if err != nil {
		st.Close()
		return err
	}
	idle := make(chan struct{}, 1)
	opts := mailbot.Options{Config: cfg, Store: st, Keys: keys, Logger: w.Log,
		ShutdownGrace: 200 * time.Millisecond, Now: w.Clock.Now, SchedulerPoll: 50 * time.Millisecond,
		OnIdle: func() {
			select {
			case idle <- struct{}{}:
			default:
			}
		},
		OnSite: func(caseID string, _ []string) {
			select {
			case w.site <- caseID:
			default:
			}
		}}
	if w.options != nil {
		w.options(&opts)
	}
	bot, err := mailbot.New(opts)
	if err != nil {
		st.Close()
		return err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- bot.Run(runCtx) }()
	w.mu.Lock()
	w.store, w.bot, w.cancel, w.done, w.idle = st, bot, cancel, done, idle
	w.mu.Unlock()
	return nil
}

// Stop stops the bot and closes its store, as a SIGTERM would.
func (w *World) Stop() error {
	w.mu.Lock()
	cancel, done, st := w.cancel, w.done, w.store
	w.cancel, w.bot = nil, nil
	w.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	err := <-done
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close stops everything.
func (w *World) Close() error {
	err := w.Stop()
	w.Sim.Close()
	return err
}

// Bot returns the running bot, or nil.
func (w *World) Bot() *mailbot.Bot {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.bot
}

// View reads the running bot's store.
func (w *World) View(fn func(tx *store.Tx) error) error {
	w.mu.Lock()
	st := w.store
	w.mu.Unlock()
	return st.View(fn)
}

// Store returns the running bot's store, or nil: for tests that serve
// the control socket beside it, as secbot run does.
func (w *World) Store() *store.Store {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.store
}

// Maintainer returns maintainer i.
func (w *World) Maintainer(i int) Person { return w.Maintainers[i] }

// WaitIdle waits until the intake has caught up with the mailbox once
// more after this call.
func (w *World) WaitIdle(ctx context.Context, timeout time.Duration) error {
	w.mu.Lock()
	idle := w.idle
	w.mu.Unlock()
	select {
	case <-idle: // drop a stale signal
	default:
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-idle:
		return nil
	case <-t.C:
		return fmt.Errorf("intake not idle after %s", timeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WaitSite waits until the public pages of caseID's publication were
// written.
func (w *World) WaitSite(ctx context.Context, caseID string, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case id := <-w.site:
			if id == caseID {
				return nil
			}
		case <-t.C:
			return fmt.Errorf("pages of %s not written after %s", caseID, timeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitSent waits until the outbox holds no pending mail.
func (w *World) WaitSent(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var pending int
		if err := w.View(func(tx *store.Tx) error { pending = tx.PendingCount(); return nil }); err != nil {
			return err
		}
		if pending == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d mails still pending after %s", pending, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// KickScheduler makes the running bot look at its timers now.
func (w *World) KickScheduler() {
	if b := w.Bot(); b != nil {
		b.KickScheduler()
	}
}
