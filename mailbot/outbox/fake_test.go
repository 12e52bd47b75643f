package outbox

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// events is an ordered log shared by the fake queue and the test server, so
// tests can check that an attempt is recorded before the server sees a
// connection.
type events struct {
	mu   sync.Mutex
	list []string
}

func (e *events) add(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, s)
}

func (e *events) snapshot() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.list)
}

// fakeClock is the injectable Now; tests advance it instead of sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// failure is one Failed call.
type failure struct {
	reply     string
	permanent bool
}

// qitem is the fake queue's record of one entry.
type qitem struct {
	e         Entry
	next      time.Time
	retired   bool
	delivered []string // replies of Delivered calls
	fails     []failure
	nexts     []time.Time // nextAttempt of each Attempt call
}

// fakeQueue is an in-memory Queue. It records misuse (calls on retired
// entries) in errs instead of hiding it.
type fakeQueue struct {
	ev *events

	mu         sync.Mutex
	items      map[string]*qitem
	order      []string
	errs       []string
	dueCalls   int
	panicDue   int   // Due panics this many more times
	attemptErr error // Attempt fails while set
}

func newQueue(ev *events) *fakeQueue {
	return &fakeQueue{ev: ev, items: map[string]*qitem{}}
}

func (q *fakeQueue) add(e Entry) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items[e.ID] = &qitem{e: e, next: e.Queued}
	q.order = append(q.order, e.ID)
}

func (q *fakeQueue) Due(now time.Time, max int) ([]Entry, time.Time, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.dueCalls++
	if q.panicDue > 0 {
		q.panicDue--
		panic("fake queue: scripted panic")
	}
	var due []Entry
	var next time.Time
	for _, id := range q.order {
		it := q.items[id]
		switch {
		case it.retired:
		case !it.next.After(now) && len(due) < max:
			due = append(due, it.e)
		case next.IsZero() || it.next.Before(next):
			next = it.next
		}
	}
	return due, next, nil
}

func (q *fakeQueue) Attempt(id string, now, nextAttempt time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.attemptErr != nil {
		q.ev.add("attempt-error " + id)
		return q.attemptErr
	}
	it := q.live(id, "Attempt")
	if it == nil {
		return fmt.Errorf("no live entry %s", id)
	}
	it.e.Attempts++
	it.next = nextAttempt
	it.nexts = append(it.nexts, nextAttempt)
	q.ev.add("attempt " + id)
	return nil
}

func (q *fakeQueue) Delivered(id string, now time.Time, reply string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	it := q.live(id, "Delivered")
	if it == nil {
		return fmt.Errorf("no live entry %s", id)
	}
	it.retired = true
	it.delivered = append(it.delivered, reply)
	q.ev.add("delivered " + id)
	return nil
}

func (q *fakeQueue) Failed(id string, now time.Time, reply string, permanent bool) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	it := q.live(id, "Failed")
	if it == nil {
		return fmt.Errorf("no live entry %s", id)
	}
	it.retired = permanent
	it.fails = append(it.fails, failure{reply: reply, permanent: permanent})
	q.ev.add("failed " + id)
	return nil
}

// live returns the entry if it may still be worked on; call with q.mu held.
func (q *fakeQueue) live(id, call string) *qitem {
	it := q.items[id]
	if it == nil || it.retired {
		q.errs = append(q.errs, fmt.Sprintf("%s on unknown or retired entry %s", call, id))
		return nil
	}
	return it
}

// get returns a copy of the entry's record.
func (q *fakeQueue) get(id string) qitem {
	q.mu.Lock()
	defer q.mu.Unlock()
	it := *q.items[id]
	it.delivered = slices.Clone(it.delivered)
	it.fails = slices.Clone(it.fails)
	it.nexts = slices.Clone(it.nexts)
	return it
}

func (q *fakeQueue) misuse() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.errs)
}

// syncBuffer collects log output from the sender goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond until it holds or a generous deadline passes; it is
// how tests wait for the sender goroutine without fixed sleeps.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
