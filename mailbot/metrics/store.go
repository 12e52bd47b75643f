package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/secbot/secbot/store"
)

// storeCollector reads what the store knows at scrape time: the pending
// mail by kind, the armed announcements and the next CRD, and the
// published cases whose public pages are still to be written.
type storeCollector struct {
	st                        *store.Store
	pending, armed, crd, site *prometheus.Desc
}

// WatchStore adds the store's gauges.
func (m *Metrics) WatchStore(st *store.Store) {
	m.reg.MustRegister(&storeCollector{st: st,
		pending: prometheus.NewDesc("secbot_outbox_pending", "Pending outgoing mails, by kind (fanout: not yet expanded).", []string{"kind"}, nil),
		armed:   prometheus.NewDesc("secbot_announcements_armed", "Cases whose announcement is armed for their CRD.", nil, nil),
		crd:     prometheus.NewDesc("secbot_next_crd_timestamp_seconds", "The earliest CRD of an armed announcement (0: none).", nil, nil),
		site:    prometheus.NewDesc("secbot_site_pages_pending", "Published cases whose public pages are owed: the site writer writes them when publish.dir is set.", nil, nil),
	})
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.armed
	ch <- c.crd
	ch <- c.site
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	c.st.View(func(tx *store.Tx) error {
		for kind, n := range tx.PendingByKind() {
			ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(n), kind)
		}
		n, next := tx.Publications()
		ch <- prometheus.MustNewConstMetric(c.armed, prometheus.GaugeValue, float64(n))
		var at float64
		if !next.IsZero() {
			at = float64(next.UnixNano()) / 1e9
		}
		ch <- prometheus.MustNewConstMetric(c.crd, prometheus.GaugeValue, at)
		ch <- prometheus.MustNewConstMetric(c.site, prometheus.GaugeValue, float64(tx.SitePendingCount()))
		return nil
	})
}
