package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/store"
)

func cmdBackup(ctx context.Context, args []string) error {
	cfg, fs, err := readFlags(args, "backup", nil)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errUsage
	}
	n, err := backup(cfg, fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d bytes, mode 0600); it checks clean\n", fs.Arg(0), n)
	return nil
}

// backup copies the store to out: through the running daemon when one
// answers on the control socket, else from the file directly. Either
// way the copy is checked before it counts; one with problems is removed.
func backup(cfg *config.Config, out string) (int64, error) {
	var n int64
	if conn, err := net.DialTimeout("unix", ctlPath(cfg), time.Second); err == nil {
		n, err = backupFromDaemon(conn, out)
		if err != nil {
			return 0, err
		}
	} else {
		st, err := store.Open(cfg.Path(cfg.Robot.Store), store.Options{ReadOnly: true, Timeout: time.Second})
		if err != nil {
			return 0, err
		}
		n, err = st.BackupTo(out)
		st.Close()
		if err != nil {
			return 0, err
		}
	}
	if err := checkCopy(out); err != nil {
		os.Remove(out)
		return 0, err
	}
	return n, nil
}

// backupFromDaemon asks the daemon for a copy and writes it to out, a
// file it creates (never overwrites) with mode 0600.
func backupFromDaemon(conn net.Conn, out string) (n int64, err error) {
	defer conn.Close()
	f, err := store.CreateNew(out)
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(out)
		}
	}()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if err := json.NewEncoder(conn).Encode(query{Cmd: "backup"}); err != nil {
		return 0, fmt.Errorf("ask daemon: %w", err)
	}
	r := bufio.NewReader(&deadlineConn{conn})
	status, err := r.ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("read daemon answer: %w", err)
	}
	size, ok := strings.CutPrefix(strings.TrimSuffix(status, "\n"), "ok ")
	want, perr := strconv.ParseInt(size, 10, 64)
	if !ok || perr != nil {
		return 0, fmt.Errorf("daemon: %s", strings.TrimSuffix(status, "\n"))
	}
	if n, err = io.Copy(f, r); err != nil {
		return 0, fmt.Errorf("receive backup: %w", err)
	}
	if n != want {
		return 0, fmt.Errorf("receive backup: %d of %d bytes", n, want)
	}
	return n, f.Sync()
}

// sendBackup answers a backup query: "ok SIZE", then the copy, from one
// read transaction. Every write pushes the deadline on, so a large store
// may take its time while a stalled reader cannot hold the transaction
// (and with it the store's growth) for long.
func sendBackup(conn net.Conn, st *store.Store, log *slog.Logger) {
	w := &deadlineConn{conn}
	n, err := st.Backup(w, func(size int64) error {
		_, err := fmt.Fprintf(w, "ok %d\n", size)
		return err
	})
	if err != nil {
		log.Error("backup over the control socket failed", "err", err, "bytes", n)
		return
	}
	log.Info("backup sent over the control socket", "bytes", n)
}

// deadlineConn gives every read and write 30 s from its start.
type deadlineConn struct{ net.Conn }

func (c *deadlineConn) Write(p []byte) (int, error) {
	c.Conn.SetDeadline(time.Now().Add(30 * time.Second))
	return c.Conn.Write(p)
}

func (c *deadlineConn) Read(p []byte) (int, error) {
	c.Conn.SetDeadline(time.Now().Add(30 * time.Second))
	return c.Conn.Read(p)
}

// checkCopy opens a backup and runs the store's checks on it.
func checkCopy(path string) error {
	st, err := store.Open(path, store.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("the copy does not open: %w", err)
	}
	defer st.Close()
	if p := st.Check(); len(p) > 0 {
		return fmt.Errorf("the copy has problems:\n%s", strings.Join(p, "\n"))
	}
	return nil
}

func cmdStoreCheck(ctx context.Context, args []string) error {
	cfg, _, err := readFlags(args, "store check", nil)
	if err != nil {
		return err
	}
	var out strings.Builder
	if err := runQuery(cfg, query{Cmd: "check"}, &out); err != nil {
		return err
	}
	fmt.Print(out.String())
	if n := strings.Count(out.String(), "problem: "); n > 0 {
		return fmt.Errorf("%d problem(s) in the store", n)
	}
	return nil
}

// printCheck answers the check query from a read-only store, which no
// writer shares (the daemon answers it with store.Store.Check).
func printCheck(w io.Writer, tx *store.Tx) error {
	writeProblems(w, tx.Check())
	return nil
}

// writeProblems writes one "problem:" line each, or "store ok".
func writeProblems(w io.Writer, problems []string) {
	for _, p := range problems {
		fmt.Fprintln(w, "problem:", p)
	}
	if len(problems) == 0 {
		fmt.Fprintf(w, "store ok (schema %d)\n", store.SchemaVersion)
	}
}

func cmdStoreCompact(ctx context.Context, args []string) error {
	cfg, _, err := readFlags(args, "store compact", nil)
	if err != nil {
		return err
	}
	before, after, err := store.Compact(cfg.Path(cfg.Robot.Store))
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%w: stop secbot first (compaction needs the store to itself)", err)
	}
	if err != nil {
		return err
	}
	fmt.Printf("compacted %s: %d bytes, now %d\n", cfg.Robot.Store, before, after)
	return nil
}
