package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/secbot/secbot/mailbot"
	"github.com/secbot/secbot/store"
)

func cmdCaseAdvisory(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("case advisory", flag.ContinueOnError)
	load := configFlag(fs)
	final := fs.Bool("final", false, "render the final advisory, as announced on the CRD")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errUsage
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	keys, err := mailbot.LoadKeys(cfg, time.Now(), log)
	if err != nil {
		return err
	}
	st, err := store.Open(cfg.Path(cfg.Robot.Store), store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	bot, err := mailbot.New(mailbot.Options{Config: cfg, Store: st, Keys: keys, Logger: log})
	if err != nil {
		return err
	}
	return st.View(func(tx *store.Tx) error {
		text, err := mailbot.RenderAdvisory(bot, tx, fs.Arg(0), !*final)
		if err != nil {
			return err
		}
		fmt.Print(text)
		return nil
	})
}
