// Command secbot is the robot behind a project's security@ address.
//
// main holds flags, config loading and signals only; the work is in
// package mailbot.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand.
type command struct {
	name  string
	usage string
	run   func(ctx context.Context, args []string) error
}

var commands = []command{
	{"run", "run -c FILE: run the daemon", cmdRun},
	{"demo", "demo [-dir DIR]: run a whole case on in-process mail servers", cmdDemo},
	{"init", "init [-dir DIR]: write a sample config and generate the robot's key", cmdInit},
	{"check", "check -c FILE: validate a config, reporting every problem", cmdCheck},
	{"key", "key -c FILE [-wkd DIR]: print the robot's public key, or write its Web Key Directory into DIR", cmdKey},
	{"key rotate", "key rotate -c FILE [-algo x25519|rsa4096]: make a new robot key, certified by the old one, which is kept to decrypt only", cmdKeyRotate},
	{"case list", "case list -c FILE: list cases", cmdCaseList},
	{"case show", "case show -c FILE ID: show a case and its timeline", cmdCaseShow},
	{"case advisory", "case advisory -c FILE [-final] ID: render the case's advisory (a draft unless -final)", cmdCaseAdvisory},
	{"case export", "case export -c FILE -format cve|osv|csaf [-dir DIR] ID: write the case's CVE JSON 5, OSV or CSAF 2.0 documents", cmdCaseExport},
	{"outbox", "outbox -c FILE [-all]: list pending and failed mail", cmdOutbox},
	{"status", "status -c FILE: the running daemon's health and counters; exit 1 when unhealthy", cmdStatus},
	{"backup", "backup -c FILE OUT: copy the store to OUT (mode 0600, never overwritten), also while secbot runs", cmdBackup},
	{"store check", "store check -c FILE: check the store's pages and indexes; exit 1 on any problem", cmdStoreCheck},
	{"store compact", "store compact -c FILE: rewrite the store without free pages (secbot stopped)", cmdStoreCompact},
}

// errUsage makes main print the usage and exit 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd, args := find(os.Args[1:])
	if cmd == nil {
		usage()
		os.Exit(2)
	}
	if err := cmd.run(ctx, args); err != nil {
		if errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "usage: secbot", cmd.usage)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "secbot:", err)
		os.Exit(1)
	}
}

// find picks the longest command name that prefixes args.
func find(args []string) (*command, []string) {
	sorted := append([]command(nil), commands...)
	sort.SliceStable(sorted, func(i, j int) bool { return len(sorted[i].name) > len(sorted[j].name) })
	for _, c := range sorted {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && equal(args[:len(words)], words) {
			return &c, args[len(words):]
		}
	}
	return nil, nil
}

func equal(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: secbot COMMAND [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintln(os.Stderr, "  secbot", c.usage)
	}
}
