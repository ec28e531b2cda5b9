package api

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"asiakassivu/internal/store/storetest"
)

// TestDatabaseOutage makes the database unreachable for real (PostgreSQL:
// its proxy refuses connections and cuts the open ones; SQLite: its file
// cannot be opened) under a signed-in person's page, a public page and
// the API: each answers 503 with Retry-After and says so (a localised page,
// a JSON code) instead of reading the outage as "signed out"; the cause is
// logged once per request; the session cookie is kept; and when the
// database is back the same cookie shows the page again.
func TestDatabaseOutage(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(string(eng), func(t *testing.T) {
			o := storetest.OpenOutage(t, eng, nil)
			e := newEnv(t, o.DB)
			e.seed()
			c := e.browser()
			base, _ := url.Parse(e.srv.URL)
			cookie := func() string {
				for _, k := range c.Jar.Cookies(base) {
					if k.Name == "asiakassivu" {
						return k.Value
					}
				}
				return ""
			}
			session := cookie()
			if session == "" {
				t.Fatal("no session cookie after signing in")
			}
			get := func(path, lang string) (*http.Response, string) {
				t.Helper()
				req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
				req.Header.Set("Accept-Language", lang)
				r, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Body.Close()
				b, _ := io.ReadAll(r.Body)
				return r, string(b)
			}
			if r, body := get("/kohteet", "fi"); r.StatusCode != 200 || !strings.Contains(body, "Koti") {
				t.Fatalf("before the outage /kohteet: %d", r.StatusCode)
			}

			o.Begin()
			logged := strings.Count(e.log.String(), `"database unavailable"`)
			failed := 0
			titles := map[string]string{"fi": "Palvelu on hetken poissa käytöstä", "sv": "Tjänsten är tillfälligt ur bruk",
				"en": "The service is unavailable for a moment"}
			for _, path := range []string{"/kohteet", "/kirjaudu"} { // behind sign-in; public
				for lang, title := range titles {
					r, body := get(path, lang)
					failed++
					if r.StatusCode != http.StatusServiceUnavailable {
						t.Errorf("%s (%s) with the database down: %d %q, want 503", path, lang, r.StatusCode,
							r.Header.Get("Location"))
						continue
					}
					if r.Header.Get("Retry-After") != "30" {
						t.Errorf("%s: Retry-After %q, want 30", path, r.Header.Get("Retry-After"))
					}
					if !strings.Contains(body, title) {
						t.Errorf("%s (%s): the page does not say %q:\n%s", path, lang, title, body)
					}
					if sc := r.Header.Values("Set-Cookie"); len(sc) > 0 {
						t.Errorf("%s: the outage answer sets cookies %q", path, sc)
					}
				}
			}
			a := e.call("GET", "/api/v1/changes", nil, conforms)
			failed++
			if code, _ := a.errField(t); a.status != http.StatusServiceUnavailable || code != "unavailable" ||
				a.header.Get("Retry-After") != "30" {
				t.Errorf("API with the database down: %d %s, Retry-After %q", a.status, a.body, a.header.Get("Retry-After"))
			}
			if n := strings.Count(e.log.String(), `"database unavailable"`) - logged; n != failed {
				t.Errorf("the outage was logged %d times for %d requests, want once each:\n%s", n, failed, e.log.String())
			}
			if strings.Contains(e.log.String(), `"msg":"authenticate"`) {
				t.Error("the outage is logged by a second layer too")
			}
			if cookie() != session {
				t.Error("the session cookie changed during the outage")
			}

			o.End()
			if r, body := get("/kohteet", "fi"); r.StatusCode != 200 || !strings.Contains(body, "Koti") {
				t.Errorf("after the outage /kohteet with the same cookie: %d %q", r.StatusCode, r.Header.Get("Location"))
			}
			if r, _ := get("/kirjaudu", "fi"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
				t.Errorf("after the outage /kirjaudu with the session: %d %q, want 303 to /", r.StatusCode, r.Header.Get("Location"))
			}
			if a := e.call("GET", "/api/v1/changes", nil, conforms); a.status != 200 {
				t.Errorf("API after the outage: %d %s", a.status, a.body)
			}
			if cookie() != session {
				t.Error("the session cookie changed")
			}
		})
	}
}
