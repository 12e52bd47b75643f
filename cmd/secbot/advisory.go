package main

import (
	"context"
	"flag"
	"os"
)

func cmdCaseAdvisory(ctx context.Context, args []string) error {
	var final *bool
	cfg, fs, err := readFlags(args, "case advisory", func(fs *flag.FlagSet) {
		final = fs.Bool("final", false, "render the final advisory, as announced on the CRD")
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errUsage
	}
	return runQuery(cfg, query{Cmd: "advisory", ID: fs.Arg(0), Final: *final}, os.Stdout)
}
