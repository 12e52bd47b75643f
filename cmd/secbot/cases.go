package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/secbot/secbot/mailbot"
	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/store"
)

// readFlags parses -c and the query's own flags.
func readFlags(args []string, name string, extra func(*flag.FlagSet)) (*config.Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	load := configFlag(fs)
	if extra != nil {
		extra(fs)
	}
	if err := parse(fs, args); err != nil {
		return nil, nil, err
	}
	cfg, err := load()
	return cfg, fs, err
}

func cmdCaseList(ctx context.Context, args []string) error {
	cfg, _, err := readFlags(args, "case list", nil)
	if err != nil {
		return err
	}
	return runQuery(cfg, query{Cmd: "list"}, os.Stdout)
}

// printCases lists the cases from their summary records: decoding every
// full case record would grow past the 100 ms a list may take. It aligns
// the columns itself, as text/tabwriter did (two spaces after the widest
// cell), at a fraction of tabwriter's cost over 50,000 lines; a tab in a
// subject is printed as it is, not taken for a column.
func printCases(out io.Writer, tx *store.Tx) error {
	cases, err := tx.CaseSummaries()
	if err != nil {
		return err
	}
	rows := make([][4]string, 0, len(cases)+1)
	rows = append(rows, [4]string{"CASE", "STATE", "OPENED", "MSGS"})
	var width [4]int
	for _, c := range cases {
		rows = append(rows, [4]string{c.ID, c.State, c.Opened.UTC().Format("2006-01-02 15:04"), strconv.Itoa(c.Messages)})
	}
	for _, r := range rows {
		for i, cell := range r {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	w := bufio.NewWriter(out)
	for i, r := range rows {
		for j, cell := range r {
			w.WriteString(cell)
			w.WriteString(strings.Repeat(" ", width[j]-utf8.RuneCountInString(cell)+2))
		}
		if i == 0 {
			w.WriteString("SUBJECT\n")
		} else {
			w.WriteString(cases[i-1].Subject + "\n")
		}
	}
	return w.Flush()
}

func cmdCaseShow(ctx context.Context, args []string) error {
	cfg, fs, err := readFlags(args, "case show", nil)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errUsage
	}
	return runQuery(cfg, query{Cmd: "show", ID: fs.Arg(0)}, os.Stdout)
}

// printCase writes a case, its fields and its timeline: messages and
// audit entries in time order.
func printCase(out io.Writer, tx *store.Tx, id string) error {
	c, err := tx.Case(id)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Case:      %s\nState:     %s\nSubject:   %s\nOpened:    %s\nReporters: %s\n",
		c.ID, c.State, c.Subject, c.Opened.UTC().Format(time.RFC3339), strings.Join(c.Reporters, ", "))
	for _, line := range mailbot.ReporterKeyLines(c) {
		fmt.Fprintf(out, "Key:       %s\n", line)
	}
	if c.Internal {
		fmt.Fprintln(out, "Internal:  yes (opened by a maintainer)")
	}
	for _, line := range mailbot.CreditLines(c) {
		fmt.Fprintf(out, "Credit:    %s\n", line)
	}
	for _, line := range mailbot.TalkLines(c) {
		fmt.Fprintf(out, "Talk:      %s\n", line)
	}
	if err := printEmbargo(out, tx, c); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nTimeline:")
	type event struct {
		at   time.Time
		text string
	}
	var events []event
	for _, key := range c.Messages {
		m, err := tx.Message(key)
		if err != nil {
			return err
		}
		flags := m.Status
		if m.Encrypted {
			flags += ", encrypted"
		}
		if m.Signer != "" {
			flags += ", signed by maintainer " + m.Signer
		}
		if !m.Purged.IsZero() {
			flags += ", body purged " + m.Purged.UTC().Format("2006-01-02")
		}
		events = append(events, event{m.Received, fmt.Sprintf("message %d from %s: %q (%s)", m.Key, m.From, m.Subject, flags)})
	}
	log, err := tx.AuditLog(c.ID)
	if err != nil {
		return err
	}
	for _, e := range log {
		events = append(events, event{e.Time, fmt.Sprintf("%s by %s %s", e.Action, e.Actor, e.Detail)})
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].at.Before(events[j].at) })
	for _, e := range events {
		fmt.Fprintf(out, "  %s  %s\n", e.at.UTC().Format("2006-01-02 15:04:05"), e.text)
	}
	return nil
}

func cmdOutbox(ctx context.Context, args []string) error {
	var all *bool
	cfg, _, err := readFlags(args, "outbox", func(fs *flag.FlagSet) {
		all = fs.Bool("all", false, "also list mail already sent")
	})
	if err != nil {
		return err
	}
	return runQuery(cfg, query{Cmd: "outbox", All: *all}, os.Stdout)
}

func printOutbox(out io.Writer, tx *store.Tx, all bool) error {
	mails, err := tx.Outbox()
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "STATE\tCASE\tKIND\tTO\tATTEMPTS\tNEXT/DONE\tLAST REPLY")
	for _, m := range mails {
		if m.State == store.OutSent && !all {
			continue
		}
		when := m.NextAttempt
		if m.State != store.OutPending {
			when = m.Done
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", m.State, m.Case, m.Kind, strings.Join(m.To, ","),
			m.Attempts, when.UTC().Format("2006-01-02 15:04:05"), m.LastReply)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	// Fan-outs are the acknowledgements and relays of received mail that
	// the sender has not made into the mails above yet.
	if n := tx.FanoutCount(); n > 0 {
		_, err = fmt.Fprintf(out, "\n%d received message(s) waiting for their acknowledgement and relays to be queued.\n", n)
	}
	return err
}

func printEmbargo(out io.Writer, tx *store.Tx, c *store.Case) error {
	e := c.Embargo
	if !c.Fields.CRD.IsZero() {
		fmt.Fprintf(out, "CRD:       %s (armed: %v)\n", c.Fields.CRD.UTC().Format(time.RFC3339), e.Armed)
	}
	if len(e.Notify) > 0 {
		fmt.Fprintf(out, "Notify:    %s\n", strings.Join(e.Notify, ", "))
	}
	for id, s := range e.Sent {
		fmt.Fprintf(out, "Sent:      %s: %d time(s), last %s\n", id, s.Count, s.At.UTC().Format(time.RFC3339))
	}
	if !e.Published.IsZero() {
		fmt.Fprintf(out, "Published: %s\n", e.Published.UTC().Format(time.RFC3339))
	}
	patches, err := tx.Patches(c.ID)
	if err != nil {
		return err
	}
	for _, p := range patches {
		fmt.Fprintf(out, "Patch:     %s (%s, branch %q, %d bytes, sha256 %s)\n", p.Name, p.State, p.Branch, p.Size, p.SHA256)
	}
	return nil
}
