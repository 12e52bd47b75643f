package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/secbot/secbot/mailbot/demo"
)

func cmdDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	dir := fs.String("dir", "", "directory for the demo's config, keys, store and mail (default: a new temporary directory)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "secbot-demo-")
		if err != nil {
			return err
		}
		*dir = d
	}
	fmt.Printf("secbot demo in %s\n", *dir)
	if err := demo.Run(ctx, os.Stdout, *dir); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Println("\ndemo finished: the whole case ran through the real daemon.")
	return nil
}
