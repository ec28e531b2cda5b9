package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"asiakassivu/internal/app"
	"asiakassivu/internal/httpx/httpxtest"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestErrorTable drives the API's front end (route wrapper, JSON answer)
// with one error of each row of internal/httpx's table: each gets the
// status, code and Retry-After the table gives — the same the pages give
// (web's TestErrorTable checks the same cases) — the code is one the
// OpenAPI document lists, and a logged cause's reference is in the
// message and in its log line.
func TestErrorTable(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite, nil))
	log := &strings.Builder{}
	s := New(e.app, Config{Log: slog.New(slog.NewJSONHandler(log, nil))})
	var doc struct {
		Components struct {
			Schemas struct {
				Error struct {
					Properties struct {
						Error struct {
							Properties struct {
								Code struct {
									Enum []string `json:"enum"`
								} `json:"code"`
							} `json:"properties"`
						} `json:"error"`
					} `json:"properties"`
				} `json:"Error"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	codes := doc.Components.Schemas.Error.Properties.Error.Properties.Code.Enum
	refPattern := regexp.MustCompile(`reference ([0-9a-f]{12})$`)
	for _, c := range httpxtest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			h := s.handle(route{"GET", Prefix + "virhe", false,
				func(http.ResponseWriter, *http.Request, app.Integration) error { return c.Err }})
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", Prefix+"virhe", nil))
			if c.Status == 0 {
				if w.Body.Len() != 0 {
					t.Errorf("answered a request whose client went away: %d %s", w.Code, w.Body)
				}
				return
			}
			var out errorOut
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatalf("not a JSON error: %v\n%s", err, w.Body)
			}
			if w.Code != c.Status || out.Error.Code != c.Code || w.Header().Get("Retry-After") != c.RetryAfter {
				t.Errorf("got %d %s Retry-After %q, want %d %s %q", w.Code, out.Error.Code, w.Header().Get("Retry-After"),
					c.Status, c.Code, c.RetryAfter)
			}
			if !slices.Contains(codes, out.Error.Code) {
				t.Errorf("the OpenAPI document does not list the code %q", out.Error.Code)
			}
			m := refPattern.FindStringSubmatch(out.Error.Message)
			switch {
			case c.Logged && m == nil:
				t.Errorf("a logged failure gives no reference: %q", out.Error.Message)
			case c.Logged && !strings.Contains(log.String(), `"ref":"`+m[1]+`"`):
				t.Errorf("no log line carries the reference %s", m[1])
			case !c.Logged && m != nil:
				t.Errorf("an expected failure gives a reference: %q", out.Error.Message)
			}
		})
	}
}
