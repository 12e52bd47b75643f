package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/secbot/secbot/mailbot"
	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/mailbot/metrics"
	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// configFlag adds -c to fs and returns a loader for it.
func configFlag(fs *flag.FlagSet) func() (*config.Config, error) {
	path := fs.String("c", "secbot.toml", "configuration file")
	return func() (*config.Config, error) { return config.Load(*path) }
}

func parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(os.Stderr)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	return nil
}

func cmdRun(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	path := fs.String("c", "secbot.toml", "configuration file")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadChecked(*path)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, os.Stderr)
	st, err := store.Open(cfg.Path(cfg.Robot.Store), store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	lv := &live{m: metrics.New()}
	lv.m.WatchStore(st)
	lv.health = metrics.NewHealth(lv.m, st, cfg.IMAP.PollInterval, time.Now)
	if cfg.Metrics.Addr != "" {
		if err := metrics.Serve(ctx, cfg.Metrics.Addr, metrics.Handler(lv.m, lv.health), log); err != nil {
			return err
		}
	}
	var current atomic.Pointer[renderEnv]
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for serving := false; ; {
		env, err := newRenderEnv(cfg)
		if err != nil {
			return err
		}
		bot, err := newBot(cfg, st, env.tmpl, lv.m, log)
		if err != nil {
			return err
		}
		lv.m.CountPanics(bot.Panics)
		lv.health.SetPoll(cfg.IMAP.PollInterval)
		env.live = lv
		current.Store(env)
		// The socket answers once the first Bot exists: a query never
		// meets a daemon still starting.
		if !serving {
			serving = true
			if err := serveCtl(ctx, ctlPath(cfg), st, current.Load, log); err != nil {
				log.Warn("no control socket: `secbot case` commands will not work while secbot runs", "err", err)
			}
		}
		next, err := runUntilReload(ctx, bot, *path, cfg, hup, log)
		if next == nil {
			log.Info("secbot stopped")
			return err
		}
		cfg, log = next, newLogger(next.Log, os.Stderr)
		log.Info("configuration reloaded")
	}
}

// loadChecked reads the config and refuses one with problems.
func loadChecked(path string) (*config.Config, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if err := cfg.Check(keyring.CheckKeyFile, time.Now()).Err(); err != nil {
		return nil, fmt.Errorf("config has problems (run secbot check):\n%w", err)
	}
	return cfg, nil
}

func newBot(cfg *config.Config, st *store.Store, tmpl *templates.Set, m *metrics.Metrics, log *slog.Logger) (*mailbot.Bot, error) {
	keys, err := keyring.Load(cfg, time.Now(), log)
	if err != nil {
		return nil, err
	}
	bot, err := mailbot.New(mailbot.Options{Config: cfg, Store: st, Keys: keys, Templates: tmpl, Logger: log, Metrics: m})
	if err != nil {
		return nil, err
	}
	log.Info("secbot running", "address", cfg.Robot.Address, "robot_key", keys.RobotFP)
	return bot, nil
}

// runUntilReload runs bot until ctx ends (it returns a nil config) or a
// SIGHUP brings a config that passes the checks (it returns that config,
// after the bot stopped). A config with problems is refused and the bot
// runs on. The store stays open across reloads: its path cannot change.
func runUntilReload(ctx context.Context, bot *mailbot.Bot, path string, cfg *config.Config, hup <-chan os.Signal, log *slog.Logger) (*config.Config, error) {
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- bot.Run(runCtx) }()
	for {
		select {
		case err := <-done:
			return nil, err
		case <-hup:
			next, err := loadChecked(path)
			if err == nil && next.Path(next.Robot.Store) != cfg.Path(cfg.Robot.Store) {
				err = fmt.Errorf("robot.store cannot change on reload; restart secbot for that")
			}
			if err != nil {
				log.Error("reload refused: keeping the running configuration", "err", err)
				continue
			}
			stop()
			if err := <-done; err != nil {
				return nil, err
			}
			return next, nil
		}
	}
}

func cmdCheck(ctx context.Context, args []string) error {
	cfg, _, err := readFlags(args, "check", nil)
	if err != nil {
		return err
	}
	problems := cfg.Check(keyring.CheckKeyFile, time.Now())
	for _, p := range problems {
		fmt.Println("problem:", p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problem(s) in the config", len(problems))
	}
	fmt.Println("config ok")
	return nil
}

func cmdKey(ctx context.Context, args []string) error {
	var wkdDir *string
	cfg, _, err := readFlags(args, "key", func(fs *flag.FlagSet) {
		wkdDir = fs.String("wkd", "", "write the Web Key Directory layout for the robot key into this directory")
	})
	if err != nil {
		return err
	}
	if *wkdDir != "" {
		return writeWKD(os.Stdout, cfg, *wkdDir)
	}
	pub, fp, err := keyring.PublicKey(cfg.Path(cfg.Robot.KeyFile))
	if err != nil {
		return err
	}
	fmt.Printf("# fingerprint %s\n%s", fp, pub)
	return nil
}
