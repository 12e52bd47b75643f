package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/secbot/secbot/mailbot"
	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/store"
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

func newLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

func cmdRun(ctx context.Context, args []string) error {
	cfg, _, err := readFlags(args, "run", nil)
	if err != nil {
		return err
	}
	if err := cfg.Check(mailbot.CheckKeyFile, time.Now()).Err(); err != nil {
		return fmt.Errorf("config has problems (run secbot check):\n%w", err)
	}
	log := newLogger(cfg.Log.Level)
	st, err := store.Open(cfg.Path(cfg.Robot.Store), store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := mailbot.LoadKeys(cfg, time.Now(), log)
	if err != nil {
		return err
	}
	bot, err := mailbot.New(mailbot.Options{Config: cfg, Store: st, Keys: keys, Logger: log})
	if err != nil {
		return err
	}
	if err := serveCtl(ctx, ctlPath(cfg), st, bot, log); err != nil {
		log.Warn("no control socket: `secbot case` commands will not work while secbot runs", "err", err)
	}
	log.Info("secbot running", "address", cfg.Robot.Address, "robot_key", keys.RobotFP)
	err = bot.Run(ctx)
	log.Info("secbot stopped")
	return err
}

func cmdCheck(ctx context.Context, args []string) error {
	cfg, _, err := readFlags(args, "check", nil)
	if err != nil {
		return err
	}
	problems := cfg.Check(mailbot.CheckKeyFile, time.Now())
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
	cfg, _, err := readFlags(args, "key", nil)
	if err != nil {
		return err
	}
	pub, fp, err := mailbot.PublicKey(cfg.Path(cfg.Robot.KeyFile))
	if err != nil {
		return err
	}
	fmt.Printf("# fingerprint %s\n%s", fp, pub)
	return nil
}
