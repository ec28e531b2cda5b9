// Package metrics is the portal's Prometheus instrumentation: its own
// registry with the HTTP requests by route pattern, the Go runtime, the
// process and the database pools, served as the /metrics page.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is a server's own Prometheus registry (never the global default
// one, so two servers in one test process do not collide) and the HTTP
// instruments fed by the middleware.
type Metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	handler  http.Handler
}

// New registers the HTTP instruments, the Go runtime and process
// collectors, when poolStats is given the database pools, and when pages
// is given how many pages are worked on and how many at most (the rest
// wait their turn).
func New(poolStats func() map[string]sql.DBStats, pages func() (working, places int)) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "asiakassivu_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "asiakassivu_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if poolStats != nil {
		reg.MustRegister(newPoolCollector(poolStats))
	}
	if pages != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "asiakassivu_pages_working",
			Help: "Requests that read the session being worked on now; at asiakassivu_pages_places the next ones wait.",
		}, func() float64 { n, _ := pages(); return float64(n) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "asiakassivu_pages_places",
				Help: "How many requests that read the session are worked on at once at most.",
			}, func() float64 { _, n := pages(); return float64(n) }))
	}
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	return m
}

// ServeHTTP answers with every metric in the Prometheus text format.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.handler.ServeHTTP(w, r) }

// Observe counts one answered request. The route label is the pattern the
// ServeMux matched (one of routes.go's), never the raw path, so an id in
// a URL cannot blow up the number of series; requests that matched no
// route share "unmatched".
func (m *Metrics) Observe(r *http.Request, status int, took time.Duration) {
	route := "unmatched"
	if _, pattern, ok := strings.Cut(r.Pattern, " "); ok {
		route = pattern
	}
	method := r.Method
	switch method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
	default:
		method = "OTHER"
	}
	if status == 0 {
		status = http.StatusOK // nothing written: net/http answers 200
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(took.Seconds())
}

// poolCollector reports database/sql pool statistics under the names of
// client_golang's DBStatsCollector, with one db_name per pool.
type poolCollector struct {
	stats                                     func() map[string]sql.DBStats
	maxOpen, open, inUse, idle                *prometheus.Desc
	waitCount, waitSeconds                    *prometheus.Desc
	maxIdleClosed, idleTimeClosed, lifeClosed *prometheus.Desc
}

func newPoolCollector(stats func() map[string]sql.DBStats) *poolCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("go_sql_"+name, help, []string{"db_name"}, nil)
	}
	return &poolCollector{
		stats:          stats,
		maxOpen:        d("max_open_connections", "Maximum number of open connections to the database."),
		open:           d("open_connections", "The number of established connections both in use and idle."),
		inUse:          d("in_use_connections", "The number of connections currently in use."),
		idle:           d("idle_connections", "The number of idle connections."),
		waitCount:      d("wait_count_total", "The total number of connections waited for."),
		waitSeconds:    d("wait_duration_seconds_total", "The total time blocked waiting for a new connection."),
		maxIdleClosed:  d("max_idle_closed_total", "The total number of connections closed due to SetMaxIdleConns."),
		idleTimeClosed: d("max_idle_time_closed_total", "The total number of connections closed due to SetConnMaxIdleTime."),
		lifeClosed:     d("max_lifetime_closed_total", "The total number of connections closed due to SetConnMaxLifetime."),
	}
}

// Describe implements prometheus.Collector.
func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.maxOpen, c.open, c.inUse, c.idle, c.waitCount, c.waitSeconds,
		c.maxIdleClosed, c.idleTimeClosed, c.lifeClosed} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for name, s := range c.stats() {
		gauge := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, name)
		}
		counter := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, name)
		}
		gauge(c.maxOpen, float64(s.MaxOpenConnections))
		gauge(c.open, float64(s.OpenConnections))
		gauge(c.inUse, float64(s.InUse))
		gauge(c.idle, float64(s.Idle))
		counter(c.waitCount, float64(s.WaitCount))
		counter(c.waitSeconds, s.WaitDuration.Seconds())
		counter(c.maxIdleClosed, float64(s.MaxIdleClosed))
		counter(c.idleTimeClosed, float64(s.MaxIdleTimeClosed))
		counter(c.lifeClosed, float64(s.MaxLifetimeClosed))
	}
}
