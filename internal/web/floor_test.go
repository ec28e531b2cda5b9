package web

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// BenchmarkDashboardFloor measures, under the load of BenchmarkDashboardLoad
// (64 connections, one signed-in demo customer each), what the dashboard
// cannot do without, to read its figure against:
//
//   - page: the dashboard's bytes, captured once, written by a handler that
//     does nothing else (the cost of the response's size and headers);
//
//   - lookup: the same after the one query every signed-in request needs,
//     the session by its token hash (sign-out must end it at once);
//
//   - authenticate: the same after the app's whole authentication (the
//     session, its account and the sites for the menu);
//
//   - render: the page rendered from its data, fetched once, with no
//     query at all;
//
//   - dashboard: the page as served.
//
//     go test ./internal/web -run '^$' -bench DashboardFloor -benchtime 20000x
func BenchmarkDashboardFloor(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			e := newPerfEnv(b, engine, time.Now)
			token := e.signIn(b, "asiakas@demo.example")
			v, err := e.app.Authenticate(context.Background(), token)
			if err != nil {
				b.Fatal(err)
			}
			path := sitePath(v.Sites[len(v.Sites)-1].ID)
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", path, nil)
			req.Header.Set("Cookie", "asiakassivu="+token)
			e.srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
			page, header := rec.Body.Bytes(), rec.Result().Header
			write := func(w http.ResponseWriter) {
				for k, vs := range header {
					if k != "Date" && k != "Set-Cookie" {
						w.Header()[k] = vs
					}
				}
				w.Write(page)
			}
			users := make([]loadUser, loadConns)
			for i := range users {
				users[i] = loadUser{e.signIn(b, "asiakas@demo.example"), []string{path}}
			}
			b.Run("page", func(b *testing.B) {
				loadRun(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { write(w) }), users)
			})
			b.Run("lookup", func(b *testing.B) {
				loadRun(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					c, err := r.Cookie("asiakassivu")
					if err != nil {
						http.Error(w, "no cookie", 401)
						return
					}
					h := sha256.Sum256([]byte(c.Value))
					err = e.db.Read(r.Context(), func(tx *store.Tx) error {
						_, err := tx.SessionWithAccount(r.Context(), h[:])
						return err
					})
					if err != nil {
						http.Error(w, err.Error(), 500)
						return
					}
					write(w)
				}), users)
			})
			b.Run("authenticate", func(b *testing.B) {
				loadRun(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					c, _ := r.Cookie("asiakassivu")
					if _, err := e.app.Authenticate(r.Context(), c.Value); err != nil {
						http.Error(w, err.Error(), 500)
						return
					}
					write(w)
				}), users)
			})
			sum, err := e.app.Site(context.Background(), v, v.Sites[len(v.Sites)-1].ID)
			if err != nil {
				b.Fatal(err)
			}
			b.Run("render", func(b *testing.B) {
				loadRun(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					p := sitePage{layout: e.srv.base(r, &viewer{Viewer: v, token: token}, "site.summary"), SiteSummary: sum,
						Access: accessForm(sum.Site.Access)}
					p.CurrentSite, p.Section, p.Title = sum.Site.ID, "home", sum.Site.Name
					if err := e.srv.render(w, r, http.StatusOK, "site", p); err != nil {
						http.Error(w, err.Error(), 500)
					}
				}), users)
			})
			b.Run("dashboard", func(b *testing.B) { loadRun(b, e.srv, users) })
		})
	}
}
