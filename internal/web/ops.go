package web

import (
	"context"
	"net/http"
	"time"

	"asiakassivu/internal/portal"
)

// readyTimeout bounds the database check of /readyz, so that a hung
// database makes the probe fail rather than hang.
const readyTimeout = 2 * time.Second

// health is the liveness probe: 200 while the process serves HTTP. It
// touches nothing else, so a database outage does not get healthy
// processes restarted.
func (s *Server) health(w http.ResponseWriter, r *http.Request, _ *viewer) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
	return nil
}

// ready is the readiness probe for load balancers: 200 when the database
// answers, 503 otherwise.
func (s *Server) ready(w http.ResponseWriter, r *http.Request, _ *viewer) error {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.app.Ping(ctx); err != nil {
		s.log.Error("readiness check", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return nil
	}
	w.Write([]byte("ok\n"))
	return nil
}

// metricsPage serves the Prometheus text format of the server's own
// registry.
func (s *Server) metricsPage(w http.ResponseWriter, r *http.Request, _ *viewer) error {
	s.metrics.ServeHTTP(w, r)
	return nil
}

// apiPrefix is where Config.API is mounted.
const apiPrefix = "/api/v1/"

// api hands a request to the sync API, which answers in JSON and checks
// its own bearer token; without one configured the path does not exist.
func (s *Server) api(w http.ResponseWriter, r *http.Request, _ *viewer) error {
	if s.cfg.API == nil {
		return portal.ErrNotFound
	}
	s.cfg.API.ServeHTTP(w, r)
	return nil
}
