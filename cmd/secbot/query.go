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
	"syscall"
	"time"

	"github.com/secbot/secbot/mailbot/advisory"
	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/store"
	"github.com/secbot/secbot/templates"
)

// query is one read-only CLI command. It runs on the store directly when
// no daemon holds it, else the running daemon answers it over its control
// socket: bbolt lets one process hold the file, so the CLI cannot open it
// beside `secbot run`.
type query struct {
	Cmd string `json:"cmd"` // list, show, outbox, advisory, check, backup
	ID  string `json:"id,omitempty"`
	All bool   `json:"all,omitempty"`
	// States limits "list" to cases in these states; empty lists all.
	States []string `json:"states,omitempty"`
	Final  bool     `json:"final,omitempty"`
	// Format is the export format of "export".
	Format string `json:"format,omitempty"`
}

// renderEnv is what rendering an advisory needs: the config (for the
// project's name and URL) and the templates. No Bot and no key: a read
// command never loads the robot's private key.
type renderEnv struct {
	cfg  *config.Config
	tmpl *templates.Set
	// live is the daemon's counters and health; nil outside the daemon.
	live *live
}

func newRenderEnv(cfg *config.Config) (*renderEnv, error) {
	t, err := templates.Load(cfg.Path(cfg.Robot.TemplatesDir))
	if err != nil {
		return nil, err
	}
	return &renderEnv{cfg: cfg, tmpl: t}, nil
}

// errNotReady answers a query that needs the config before the daemon
// has one; run.go starts the socket only after, so it is a safety net.
var errNotReady = errors.New("secbot is starting; ask again")

// answer writes the query's output from one read transaction.
func (q query) answer(w io.Writer, tx *store.Tx, env *renderEnv) error {
	switch q.Cmd {
	case "list":
		cases, err := listCases(tx, q.States)
		if err != nil {
			return err
		}
		return printCases(w, cases)
	case "show":
		return printCase(w, tx, q.ID)
	case "outbox":
		return printOutbox(w, tx, q.All)
	case "check":
		return printCheck(w, tx)
	case "advisory":
		if env == nil {
			return errNotReady
		}
		text, err := advisory.Text(tx, q.ID, env.cfg, env.tmpl, !q.Final)
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, text)
		return err
	case "export":
		if env == nil {
			return errNotReady
		}
		return exportFiles(w, tx, env, q.ID, q.Format, time.Now())
	}
	return fmt.Errorf("unknown query %q", q.Cmd)
}

// runQuery answers q from the store, or asks the daemon when it holds it.
func runQuery(cfg *config.Config, q query, w io.Writer) error {
	if conn, err := net.DialTimeout("unix", ctlPath(cfg), time.Second); err == nil {
		return askDaemon(conn, q, w) // a running secbot holds the store
	}
	st, err := store.Open(cfg.Path(cfg.Robot.Store), store.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%w, and no secbot answers on %s", err, ctlPath(cfg))
	}
	if err != nil {
		return err
	}
	defer st.Close()
	var env *renderEnv
	if q.Cmd == "advisory" || q.Cmd == "export" {
		if env, err = newRenderEnv(cfg); err != nil {
			return err
		}
	}
	return st.View(func(tx *store.Tx) error { return q.answer(w, tx, env) })
}

// ctlPath is the daemon's control socket, beside the store.
func ctlPath(cfg *config.Config) string { return cfg.Path(cfg.Robot.Store) + ".sock" }

func askDaemon(conn net.Conn, q query, w io.Writer) error {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if err := json.NewEncoder(conn).Encode(q); err != nil {
		return fmt.Errorf("ask daemon: %w", err)
	}
	r := bufio.NewReader(conn)
	status, err := r.ReadString('\n')
	if err != nil {
		return fmt.Errorf("read daemon answer: %w", err)
	}
	if status != "ok\n" {
		return fmt.Errorf("daemon: %s", status[:len(status)-1])
	}
	_, err = io.Copy(w, r)
	return err
}

// serveCtl answers queries on a unix socket only the owner can use, until
// ctx ends. Only the read-only queries above exist: nothing that changes
// a case can come in this way. env returns what the running
// configuration renders with; it changes on reload.
func serveCtl(ctx context.Context, path string, st *store.Store, env func() *renderEnv, log *slog.Logger) error {
	os.Remove(path) // a stale socket of a crashed run
	var lc net.ListenConfig
	// The socket is born mode 0600: no window in which others could
	// connect. Only startup runs at this point, so the process-wide
	// umask is ours to change for the call.
	old := syscall.Umask(0o077)
	ln, err := lc.Listen(ctx, "unix", path)
	syscall.Umask(old)
	if err != nil {
		return fmt.Errorf("control socket: %w", err)
	}
	go func() {
		<-ctx.Done()
		ln.Close()
		os.Remove(path)
	}()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go handleCtl(conn, st, env(), log)
		}
	}()
	return nil
}

func handleCtl(conn net.Conn, st *store.Store, env *renderEnv, log *slog.Logger) {
	defer conn.Close()
	defer func() {
		if r := recover(); r != nil {
			log.Error("panic in control query", "panic", r)
		}
	}()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	var q query
	if err := json.NewDecoder(io.LimitReader(conn, 4096)).Decode(&q); err != nil {
		fmt.Fprintf(conn, "error: bad query: %v\n", err)
		return
	}
	switch q.Cmd {
	case "backup":
		sendBackup(conn, st, log)
		return
	case "check": // in a write transaction: see store.Store.Check
		io.WriteString(conn, "ok\n")
		writeProblems(conn, st.Check())
		return
	case "list": // large: read in the transaction, streamed after it
		var cases []store.CaseSummary
		if err := st.View(func(tx *store.Tx) (err error) { cases, err = listCases(tx, q.States); return err }); err != nil {
			fmt.Fprintf(conn, "error: %v\n", err)
			return
		}
		io.WriteString(conn, "ok\n")
		if err := printCases(conn, cases); err != nil {
			log.Warn("control query: case list not sent whole", "err", err)
		}
		return
	case "status": // outside any transaction: the health probe writes
		var out bufferWriter
		if err := printStatus(&out, env); err != nil {
			fmt.Fprintf(conn, "error: %v\n", err)
			return
		}
		io.WriteString(conn, "ok\n")
		conn.Write(out.b)
		return
	}
	var out bufferWriter
	if err := st.View(func(tx *store.Tx) error { return q.answer(&out, tx, env) }); err != nil {
		fmt.Fprintf(conn, "error: %v\n", err)
		return
	}
	io.WriteString(conn, "ok\n")
	conn.Write(out.b)
}

type bufferWriter struct{ b []byte }

func (w *bufferWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
