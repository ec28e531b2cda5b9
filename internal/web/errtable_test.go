package web

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"asiakassivu/internal/httpx/httpxtest"
	"asiakassivu/internal/i18n"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestErrorTable drives the pages' front end (middleware, route wrapper,
// error page) with one error of each row of internal/httpx's table: each
// gets the status and Retry-After the table gives (the API's test checks
// the same cases), the localised page of its status, and a logged cause
// shows the reference its log line carries.
func TestErrorTable(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite, nil), "")
	fi := e.server.catalog.Printer(i18n.Finnish)
	refPattern := regexp.MustCompile(`<strong>([0-9a-f]{12})</strong>`)
	for _, c := range httpxtest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			h := e.server.middleware(e.server.handle(route{"GET", "/virhe", open,
				func(http.ResponseWriter, *http.Request, *viewer) error { return c.Err }}))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", "/virhe", nil))
			body := w.Body.String()
			if c.Status == 0 {
				if body != "" {
					t.Errorf("answered a request whose client went away: %d %q", w.Code, body)
				}
				return
			}
			if w.Code != c.Status || w.Header().Get("Retry-After") != c.RetryAfter {
				t.Errorf("got %d Retry-After %q, want %d %q", w.Code, w.Header().Get("Retry-After"), c.Status, c.RetryAfter)
			}
			key := "errorpage." + strconv.Itoa(c.Status) + ".title"
			if !e.server.catalog.Has(key) {
				key = "errorpage.400.title"
				if c.Status >= 500 {
					key = "errorpage.500.title"
				}
			}
			if title := fi.T(key); !strings.Contains(body, title) {
				t.Errorf("the page does not say %q", title)
			}
			m := refPattern.FindStringSubmatch(body)
			switch {
			case c.Logged && m == nil:
				t.Errorf("a logged failure shows no reference:\n%s", body)
			case c.Logged && !strings.Contains(e.log.String(), `"ref":"`+m[1]+`"`):
				t.Errorf("no log line carries the reference %s", m[1])
			case !c.Logged && m != nil:
				t.Errorf("an expected failure shows a reference %s", m[1])
			}
		})
	}
}
