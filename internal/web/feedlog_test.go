package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestLogHoldsNoFeedToken: the calendar feed's address is its secret, and
// calendar services fetch it for ever; the request log names the route
// pattern, never the path, so the token is not in the log whether the
// feed is found or not.
func TestLogHoldsNoFeedToken(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	c := e.client(t)
	e.signIn(t, c, "maija@example.fi")
	m := feedURL.FindStringSubmatch(do(t, c, "POST", e.srv.URL+"/profiili/kalenteri", url.Values{}).body)
	if m == nil {
		t.Fatal("no feed address shown")
	}
	plain := &http.Client{}
	if r := do(t, plain, "GET", e.srv.URL+"/kalenteri/"+m[1], nil); r.StatusCode != 200 {
		t.Fatalf("feed: %d", r.StatusCode)
	}
	unknown := strings.Repeat("Q", 43)
	if r := do(t, plain, "GET", e.srv.URL+"/kalenteri/"+unknown, nil); r.StatusCode != 404 {
		t.Fatalf("unknown feed: %d", r.StatusCode)
	}
	log := e.log.String()
	for _, token := range []string{m[1], unknown} {
		if strings.Contains(log, token) {
			t.Errorf("the log holds the feed token %s:\n%s", token, log)
		}
	}
	if !strings.Contains(log, `"route":"GET /kalenteri/{token}"`) {
		t.Errorf("the request log does not name the route:\n%s", log)
	}
}
