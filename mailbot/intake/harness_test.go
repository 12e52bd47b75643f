package intake

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/secbot/secbot/mailbot/tlsmode"
)

const (
	testUser     = "security@example.org"
	testPassword = "secret"
	waitLimit    = 10 * time.Second
)

func TestMain(m *testing.M) {
	code := m.Run()
	if n := unownedPanics.Load(); n != 0 {
		fmt.Fprintf(os.Stderr, "intake: %d panics recovered during tests\n", n)
		code = 1
	}
	os.Exit(code)
}

// testServer is an in-process IMAP server. The memserver (the mail store)
// outlives the network server, so a test can restart the latter on the same
// address while mail keeps arriving.
type testServer struct {
	t     *testing.T
	mem   *imapmemserver.Server
	user  *imapmemserver.User
	addr  string
	caps  imap.CapSet
	tls   *tls.Config // server side; nil: no STARTTLS
	wrap  bool        // implicit TLS listener
	debug *syncBuffer // server-side wire log

	// strict makes the server refuse a FETCH of a set ending in "*", as
	// some servers do in an empty mailbox.
	strict atomic.Bool
	// rfcStar makes a UID set "n:*" match the highest UID even when n is
	// above it, as RFC 9051 section 6.4.8 says and Dovecot does; the
	// memserver, as the tests drive it, does not. highest is the UID
	// appendMsg gave last.
	rfcStar atomic.Bool
	highest atomic.Uint32

	mu      sync.Mutex
	srv     *imapserver.Server
	onFetch func(imap.NumSet, *imap.FetchOptions) // runs before each FETCH; nil: none
}

// fetchHook is the hook set by setOnFetch, or nil.
func (ts *testServer) fetchHook() func(imap.NumSet, *imap.FetchOptions) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.onFetch
}

// setOnFetch makes f run before each FETCH the server answers, on the
// server's goroutine of the fetching connection.
func (ts *testServer) setOnFetch(f func(imap.NumSet, *imap.FetchOptions)) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.onFetch = f
}

// strictSession refuses FETCH of a dynamic set ("n:*") when ts.strict is
// set, and runs the test's fetch hook. It passes on what the server's
// IMAP4rev2 capability needs.
type strictSession struct {
	imapserver.Session
	ts *testServer
}

func (s strictSession) Namespace() (*imap.NamespaceData, error) {
	return s.Session.(imapserver.SessionNamespace).Namespace()
}

func (s strictSession) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	return s.Session.(imapserver.SessionMove).Move(w, numSet, dest)
}

func (s strictSession) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	if hook := s.ts.fetchHook(); hook != nil {
		hook(numSet, options)
	}
	if s.ts.strict.Load() && numSet.Dynamic() {
		return &imap.Error{Type: imap.StatusResponseTypeBad, Text: "Invalid messageset"}
	}
	return s.Session.Fetch(w, s.ts.star(numSet), options)
}

func (s strictSession) Search(kind imapserver.NumKind, criteria *imap.SearchCriteria, options *imap.SearchOptions) (*imap.SearchData, error) {
	for i, set := range criteria.UID {
		criteria.UID[i] = s.ts.star(set).(imap.UIDSet)
	}
	return s.Session.Search(kind, criteria, options)
}

// star adds the highest UID to a dynamic UID set when ts.rfcStar is set.
func (ts *testServer) star(set imap.NumSet) imap.NumSet {
	uids, ok := set.(imap.UIDSet)
	top := imap.UID(ts.highest.Load())
	if !ok || !ts.rfcStar.Load() || !uids.Dynamic() || top == 0 {
		return set
	}
	return append(slices.Clone(uids), imap.UIDRange{Start: top, Stop: top})
}

func withRFCStar() serverOption { return func(ts *testServer) { ts.rfcStar.Store(true) } }

func withStrictFetch() serverOption { return func(ts *testServer) { ts.strict.Store(true) } }

type serverOption func(*testServer)

func withCaps(caps imap.CapSet) serverOption { return func(ts *testServer) { ts.caps = caps } }

func withTLS(cfg *tls.Config, implicit bool) serverOption {
	return func(ts *testServer) { ts.tls, ts.wrap = cfg, implicit }
}

func newTestServer(t *testing.T, opts ...serverOption) *testServer {
	t.Helper()
	user := imapmemserver.NewUser(testUser, testPassword)
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatalf("create inbox: %v", err)
	}
	mem := imapmemserver.New()
	mem.AddUser(user)
	ts := &testServer{
		t: t, mem: mem, user: user, debug: &syncBuffer{},
		caps: imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
	}
	for _, o := range opts {
		o(ts)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ts.addr = ln.Addr().String()
	ts.serve(ln)
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testServer) serve(ln net.Listener) {
	if ts.wrap {
		ln = tls.NewListener(ln, ts.tls)
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			if ts.strict.Load() || ts.fetchHook() != nil {
				return strictSession{ts.mem.NewSession(), ts}, nil, nil
			}
			return ts.mem.NewSession(), nil, nil
		},
		Caps:         ts.caps,
		TLSConfig:    ts.tls,
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0), // closed connections are expected noise
		DebugWriter:  ts.debug,
	})
	ts.mu.Lock()
	ts.srv = srv
	ts.mu.Unlock()
	go srv.Serve(ln) //nolint:errcheck // returns when stopped
}

// stop closes the listener and every connection, keeping the mail store.
func (ts *testServer) stop() {
	ts.mu.Lock()
	srv := ts.srv
	ts.srv = nil
	ts.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// start listens again on the same address (bounded retries: the port may
// take a moment to be free).
func (ts *testServer) start() {
	ts.t.Helper()
	var err error
	for range 100 {
		var ln net.Listener
		if ln, err = net.Listen("tcp", ts.addr); err == nil {
			ts.serve(ln)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.t.Fatalf("listen again on %s: %v", ts.addr, err)
}

// appendMsg stores raw in mailbox and returns its UID.
func (ts *testServer) appendMsg(mailbox, raw string) uint32 {
	ts.t.Helper()
	data, err := ts.user.Append(mailbox, bytes.NewReader([]byte(raw)), &imap.AppendOptions{})
	if err != nil {
		ts.t.Fatalf("append: %v", err)
	}
	ts.highest.Store(uint32(data.UID))
	return uint32(data.UID)
}

func (ts *testServer) appendN(n int) []string {
	ts.t.Helper()
	var raws []string
	for i := range n {
		raw := testMessage(i + 1)
		ts.appendMsg("INBOX", raw)
		raws = append(raws, raw)
	}
	return raws
}

func testMessage(i int) string {
	return fmt.Sprintf("From: reporter%d@example.net\r\nTo: %s\r\nSubject: report %d\r\n"+
		"Message-ID: <%d@example.net>\r\n\r\nbody of report %d\r\n", i, testUser, i, i, i)
}

// client opens an inspection connection, independent of the loop under test.
func (ts *testServer) client() *imapclient.Client {
	ts.t.Helper()
	opts := &imapclient.Options{TLSConfig: &tls.Config{InsecureSkipVerify: true}}
	var (
		c   *imapclient.Client
		err error
	)
	if ts.wrap {
		c, err = imapclient.DialTLS(ts.addr, opts)
	} else {
		c, err = imapclient.DialInsecure(ts.addr, opts)
	}
	if err != nil {
		ts.t.Fatalf("inspect dial: %v", err)
	}
	if err := c.Login(testUser, testPassword).Wait(); err != nil {
		ts.t.Fatalf("inspect login: %v", err)
	}
	return c
}

// status returns message count and UIDVALIDITY of mailbox.
func (ts *testServer) status(mailbox string) (n int, uidValidity uint32) {
	ts.t.Helper()
	c := ts.client()
	defer c.Close()
	opts := &imap.StatusOptions{NumMessages: true, UIDValidity: true}
	data, err := c.Status(mailbox, opts).Wait()
	if err != nil {
		ts.t.Fatalf("status %s: %v", mailbox, err)
	}
	return int(*data.NumMessages), data.UIDValidity
}

func (ts *testServer) uidValidity() uint32 {
	_, v := ts.status("INBOX")
	return v
}

// seen returns, per UID in mailbox, whether \Seen is set.
func (ts *testServer) seen(mailbox string) map[uint32]bool {
	ts.t.Helper()
	c := ts.client()
	defer c.Close()
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		ts.t.Fatalf("examine %s: %v", mailbox, err)
	}
	out := map[uint32]bool{}
	if sel.NumMessages == 0 {
		return out
	}
	msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		ts.t.Fatalf("fetch flags: %v", err)
	}
	for _, m := range msgs {
		out[uint32(m.UID)] = hasFlag(m.Flags, imap.FlagSeen)
	}
	return out
}

// expunge removes uids from INBOX, as another mail client would.
func (ts *testServer) expunge(uids ...imap.UID) error {
	c := ts.client()
	defer c.Close()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		return err
	}
	set := imap.UIDSetNum(uids...)
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}
	if err := c.Store(set, store, nil).Close(); err != nil {
		return err
	}
	return c.UIDExpunge(set).Close()
}

// markSeen sets \Seen on uid in INBOX, as a mail client reading it would.
func (ts *testServer) markSeen(uid uint32) {
	ts.t.Helper()
	c := ts.client()
	defer c.Close()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		ts.t.Fatalf("select: %v", err)
	}
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}
	if err := c.Store(imap.UIDSetNum(imap.UID(uid)), store, nil).Close(); err != nil {
		ts.t.Fatalf("store seen: %v", err)
	}
}

func hasFlag(flags []imap.Flag, f imap.Flag) bool {
	for _, x := range flags {
		if x == f {
			return true
		}
	}
	return false
}

// syncBuffer is a DebugWriter safe for the server's concurrent connections.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testConfig is tuned for speed: the 50ms poll re-scan makes delivery
// independent of the memserver's missed IDLE pushes.
func testConfig(t *testing.T, ts *testServer) Config {
	return Config{
		Addr:           ts.addr,
		TLSMode:        tlsmode.Plain,
		Username:       testUser,
		Password:       testPassword,
		PollInterval:   50 * time.Millisecond,
		MinBackoff:     10 * time.Millisecond,
		MaxBackoff:     100 * time.Millisecond,
		DialTimeout:    2 * time.Second,
		CommandTimeout: 5 * time.Second,
		Logger:         slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

// loop is a Run in the background, stopped (and checked) at cleanup.
type loop struct {
	idles      atomic.Int64
	reconnects atomic.Int64 // sessions that ended before cancel
	cancel     context.CancelFunc
	done       chan error
	once       sync.Once
}

func startLoop(t *testing.T, cfg Config, sink Sink) *loop {
	t.Helper()
	l := &loop{done: make(chan error, 1)}
	cfg.OnIdle = func() { l.idles.Add(1) }
	cfg.OnReconnect = func() { l.reconnects.Add(1) }
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	go func() { l.done <- Run(ctx, cfg, sink) }()
	t.Cleanup(func() { l.stop(t) })
	return l
}

// stop cancels Run and checks it returns nil promptly.
func (l *loop) stop(t *testing.T) {
	t.Helper()
	l.once.Do(func() {
		l.cancel()
		select {
		case err := <-l.done:
			if err != nil {
				t.Errorf("Run returned %v, want nil", err)
			}
		case <-time.After(waitLimit):
			t.Errorf("Run did not return within %v of cancel", waitLimit)
		}
	})
}

// waitIdle waits until the loop has caught up at least n times.
func (l *loop) waitIdle(t *testing.T, n int64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d idle notifications", n), func() bool { return l.idles.Load() >= n })
}

// waitFor polls cond for up to waitLimit: a bound, never an assertion by sleep.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", waitLimit, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
