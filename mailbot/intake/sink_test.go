package intake

import (
	"context"
	"fmt"
	"sync"
)

// delivered is a message as the sink recorded it.
type delivered struct {
	Message
	validity uint32
}

// memSink is a mutex-protected in-memory Sink with failure injection.
type memSink struct {
	mu       sync.Mutex
	validity uint32
	last     uint32
	msgs     []delivered
	batches  [][]uint32
	calls    int
	failWith error
}

func (s *memSink) State(_ context.Context, _ string) (uint32, uint32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.validity, s.last, nil
}

func (s *memSink) Deliver(_ context.Context, _ string, validity uint32, msgs []Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.failWith != nil {
		return s.failWith
	}
	if len(msgs) == 0 {
		return fmt.Errorf("empty batch")
	}
	var uids []uint32
	for _, m := range msgs {
		s.msgs = append(s.msgs, delivered{Message: m, validity: validity})
		uids = append(uids, m.UID)
	}
	s.batches = append(s.batches, uids)
	s.validity, s.last = validity, msgs[len(msgs)-1].UID
	return nil
}

func (s *memSink) setFail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failWith = err
}

func (s *memSink) delivered() []delivered {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]delivered(nil), s.msgs...)
}

func (s *memSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

func (s *memSink) numCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *memSink) batchSizes() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for _, b := range s.batches {
		out = append(out, len(b))
	}
	return out
}
