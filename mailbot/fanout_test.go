package mailbot_test

import (
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/demo"
	"github.com/secbot/secbot/store"
)

// TestFanoutExpandsOnce: a fan-out found again after its mails were
// queued (as a crash between two stores of the same state could leave
// it) is dropped without sending anything twice, because the mails it
// would make keep their Message-IDs.
func TestFanoutExpandsOnce(t *testing.T) {
	e := newEnv(t, demo.Options{})
	e.send(e.Reporter, report("one"))
	e.waitMail(e.Maintainers[1].Address, 1)
	e.waitMail(e.Reporter.Address, 1)
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	c := e.cases()[0]
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(e.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(cfg.Path(cfg.Robot.Store), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(func(tx *store.Tx) error {
		if n := tx.FanoutCount(); n != 0 {
			t.Errorf("%d fan-outs left after sending", n)
		}
		return tx.AddFanout(&store.Fanout{Case: c.ID, Msg: c.Messages[0], New: true, AckTo: c.Reporters, Queued: time.Now()})
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	before := len(e.Sim.Deliveries())
	if err := e.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.WaitSent(e.ctx, wait); err != nil {
		t.Fatal(err)
	}
	e.Sim.WaitFor(ctxTimeout(t, 300*time.Millisecond), func() bool { return len(e.Sim.Deliveries()) > before })
	if after := len(e.Sim.Deliveries()); after != before {
		t.Fatalf("the fan-out was sent again: %d more mails", after-before)
	}
	e.View(func(tx *store.Tx) error {
		if n := tx.FanoutCount(); n != 0 {
			t.Errorf("%d fan-outs left", n)
		}
		return nil
	})
}
