// Package metrics counts what the daemon does, for Prometheus and for
// `secbot status`, and judges its health. One Metrics outlives the Bots
// a SIGHUP replaces.
//
// Every label value comes from a closed set the code names (a message
// status, a refusal reason, a mail kind of the outmail table, an SMTP
// reply class): never a subject, an address, a case id or report text.
package metrics

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Refusal reasons of a command mail.
const (
	RefusedUnsigned   = "unsigned"    // not signed, or its OpenPGP part unreadable
	RefusedUnknownKey = "unknown_key" // signed, but not by a maintainer key that may command
	RefusedReplay     = "replay"      // already executed once
	RefusedTooOld     = "too_old"     // signed too long before it arrived
	RefusedWrongCase  = "wrong_case"  // its signed text names another case, or none
)

// Metrics holds the counters. A nil *Metrics counts nothing, so that
// tests and the demo need none.
type Metrics struct {
	reg *prometheus.Registry

	messages       *prometheus.CounterVec // by status
	commandsRun    prometheus.Counter
	commandsRefuse *prometheus.CounterVec // by reason
	mails          *prometheus.CounterVec // by kind and result
	smtpReplies    *prometheus.CounterVec // by class
	imapReconnects prometheus.Counter

	lastSync, lastDelivery atomic.Int64 // unix nanoseconds; 0: never
	panics                 atomic.Pointer[func() int64]
	panicBase              atomic.Int64
}

// New makes the counters and registers them, with the Go and process
// collectors, on a registry of their own.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.messages = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "secbot_messages_total",
		Help: "Messages recorded, by status (ingested, quarantined, undecryptable, too-big)."}, []string{"status"})
	m.commandsRun = prometheus.NewCounter(prometheus.CounterOpts{Name: "secbot_command_mails_run_total",
		Help: "Signed command mails whose commands ran."})
	m.commandsRefuse = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "secbot_command_mails_refused_total",
		Help: "Command mails refused, by reason."}, []string{"reason"})
	m.mails = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "secbot_mails_total",
		Help: "Outgoing mails retired, by kind and result (sent, failed)."}, []string{"kind", "result"})
	m.smtpReplies = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "secbot_smtp_replies_total",
		Help: "SMTP final replies, by class (2xx, 4xx, 5xx, none for a network error)."}, []string{"class"})
	m.imapReconnects = prometheus.NewCounter(prometheus.CounterOpts{Name: "secbot_imap_reconnects_total",
		Help: "IMAP sessions that ended and were reconnected."})
	m.reg.MustRegister(m.messages, m.commandsRun, m.commandsRefuse, m.mails, m.smtpReplies, m.imapReconnects,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "secbot_panics_total",
			Help: "Panics recovered in secbot's goroutines."}, func() float64 { return float64(m.Panics()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "secbot_last_imap_sync_timestamp_seconds",
			Help: "When the intake last caught up with the mailbox (0: not yet)."}, unixGauge(&m.lastSync)),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "secbot_last_delivery_timestamp_seconds",
			Help: "When the SMTP server last accepted a mail (0: not yet)."}, unixGauge(&m.lastDelivery)),
	)
	return m
}

func unixGauge(v *atomic.Int64) func() float64 {
	return func() float64 {
		if n := v.Load(); n != 0 {
			return float64(n) / 1e9
		}
		return 0
	}
}

// Registry is what the HTTP handler serves.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Message counts a recorded message of status.
func (m *Metrics) Message(status string) {
	if m != nil {
		m.messages.WithLabelValues(status).Inc()
	}
}

// CommandsRan counts a command mail whose commands ran.
func (m *Metrics) CommandsRan() {
	if m != nil {
		m.commandsRun.Inc()
	}
}

// CommandRefused counts a refused command mail; reason is one of the
// Refused constants.
func (m *Metrics) CommandRefused(reason string) {
	if m != nil {
		m.commandsRefuse.WithLabelValues(reason).Inc()
	}
}

// Mail counts a mail of kind retired: sent, or failed for good.
func (m *Metrics) Mail(kind string, sent bool, at time.Time) {
	if m == nil {
		return
	}
	result := "failed"
	if sent {
		result = "sent"
		m.lastDelivery.Store(at.UnixNano())
	}
	m.mails.WithLabelValues(kind, result).Inc()
}

// SMTPReply counts a final SMTP reply by its class.
func (m *Metrics) SMTPReply(reply string) {
	if m == nil {
		return
	}
	class := "none"
	if len(reply) >= 3 && reply[0] >= '2' && reply[0] <= '5' && reply[1] >= '0' && reply[1] <= '9' {
		class = reply[:1] + "xx"
	}
	m.smtpReplies.WithLabelValues(class).Inc()
}

// Reconnect counts an IMAP session that ended.
func (m *Metrics) Reconnect() {
	if m != nil {
		m.imapReconnects.Inc()
	}
}

// Synced records that the intake caught up at t.
func (m *Metrics) Synced(t time.Time) {
	if m != nil {
		m.lastSync.Store(t.UnixNano())
	}
}

// LastSync is when the intake last caught up (zero: never).
func (m *Metrics) LastSync() time.Time { return fromNanos(m.lastSync.Load()) }

// LastDelivery is when a mail was last accepted (zero: never).
func (m *Metrics) LastDelivery() time.Time { return fromNanos(m.lastDelivery.Load()) }

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// CountPanics makes panics count the running Bot's panics; the previous
// source's count is carried over, so the total never goes back.
func (m *Metrics) CountPanics(panics func() int64) {
	if old := m.panics.Swap(&panics); old != nil {
		m.panicBase.Add((*old)())
	}
}

// Panics is the number of panics recovered since the daemon started.
func (m *Metrics) Panics() int64 {
	n := m.panicBase.Load()
	if p := m.panics.Load(); p != nil {
		n += (*p)()
	}
	return n
}
