package metrics

import (
	"database/sql"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestLabels: a request is counted by the pattern its route matched, never
// by its path; unmatched requests and unusual methods share one label
// each; the pools are reported by name.
func TestLabels(t *testing.T) {
	m := New(func() map[string]sql.DBStats { return map[string]sql.DBStats{"read": {MaxOpenConnections: 4}} },
		func() (int, int) { return 3, 16 })
	matched := httptest.NewRequest("GET", "/kohteet/42", nil)
	matched.Pattern = "GET /kohteet/{site}"
	m.Observe(matched, 0, time.Millisecond)
	m.Observe(httptest.NewRequest("PROPFIND", "/salainen/polku", nil), http.StatusNotFound, time.Millisecond)
	w := httptest.NewRecorder()
	m.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body := w.Body.String()
	for _, want := range []string{
		`asiakassivu_http_requests_total{method="GET",route="/kohteet/{site}",status="200"} 1`,
		`asiakassivu_http_requests_total{method="OTHER",route="unmatched",status="404"} 1`,
		`go_sql_max_open_connections{db_name="read"} 4`,
		`go_goroutines `,
		"asiakassivu_pages_working 3\n",
		"asiakassivu_pages_places 16\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	for _, raw := range []string{"/kohteet/42", "salainen", "PROPFIND"} {
		if strings.Contains(body, raw) {
			t.Errorf("metrics hold %s", raw)
		}
	}
}
