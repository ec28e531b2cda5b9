package web

import (
	"net/http"
	"strconv"

	"asiakassivu/internal/portal"
)

type sitesPage struct {
	layout
	Sites           []portal.SiteSummary
	OrderServiceURL string
}

// sites is the first signed-in page: every site of the account with its
// provider, contracts, next visit and latest billing summary.
func (s *Server) sites(w http.ResponseWriter, r *http.Request, v *viewer) error {
	sums, err := s.app.Overview(r.Context(), v.Viewer)
	if err != nil {
		return err
	}
	p := sitesPage{layout: s.base(r, v, "sites.title"), Sites: sums}
	if len(sums) == 0 {
		if p.OrderServiceURL, err = s.app.OrderServiceURL(r.Context()); err != nil {
			return err
		}
	}
	return s.render(w, r, http.StatusOK, "sites", p)
}

type sitePage struct {
	layout
	portal.SiteSummary
}

func (s *Server) site(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := strconv.ParseInt(r.PathValue("site"), 10, 64)
	if err != nil || id <= 0 {
		return portal.ErrNotFound
	}
	sum, err := s.app.Site(r.Context(), v.Viewer, id)
	if err != nil {
		return err
	}
	p := sitePage{layout: s.base(r, v, "site.summary"), SiteSummary: sum}
	p.Title = sum.Site.Name
	if p.Title == "" {
		p.Title = sum.Site.Street
	}
	return s.render(w, r, http.StatusOK, "site", p)
}

// static serves embedded files under their content-hashed names; the
// content never changes under a name, so it may be cached for a year.
func (s *Server) static(w http.ResponseWriter, r *http.Request, _ *viewer) error {
	name, ok := s.assets.files[r.PathValue("file")]
	if !ok {
		return portal.ErrNotFound
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeFileFS(w, r, embedded, "static/"+name)
	return nil
}

// health answers load balancers: 200 when the database answers.
func (s *Server) health(w http.ResponseWriter, r *http.Request, _ *viewer) error {
	if err := s.app.Ping(r.Context()); err != nil {
		s.log.Error("health check", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return nil
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
	return nil
}
