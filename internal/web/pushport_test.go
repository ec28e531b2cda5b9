package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestPushEndpointOnly443: a push endpoint is a URL the server will POST
// to; one on another port (an internal service on a public address, say
// :8443 or :25) is refused with the same message as any unusable service,
// and port 443, written or implied, is taken.
func TestPushEndpointOnly443(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		c := e.client(t)
		e.signIn(t, c, "maija@example.fi")
		p256dh, auth := browserKeys(t)
		for _, endpoint := range []string{"https://93.184.215.14:8443/push/x", "https://93.184.215.14:25/push/x",
			"https://[2a00:1450:400f:80d::200a]:444/push/x"} {
			r := postJSON(t, c, e.srv.URL+"/profiili/ilmoitukset/laitteet", subscriptionJSON(endpoint, p256dh, auth))
			var answer struct{ Error string }
			if r.StatusCode != http.StatusUnprocessableEntity || json.Unmarshal([]byte(r.body), &answer) != nil ||
				!strings.Contains(answer.Error, "Tämän selaimen ilmoituspalvelua ei voi käyttää") {
				t.Errorf("%s: %d %s, want 422", endpoint, r.StatusCode, r.body)
			}
		}
		if n := countRows(t, db, "push_subscriptions"); n != 0 {
			t.Errorf("%d subscriptions stored", n)
		}
		for _, endpoint := range []string{"https://93.184.215.14:443/push/a", "https://93.184.215.14/push/b"} {
			if r := postJSON(t, c, e.srv.URL+"/profiili/ilmoitukset/laitteet", subscriptionJSON(endpoint, p256dh, auth)); r.StatusCode != http.StatusCreated {
				t.Errorf("%s: %d %s", endpoint, r.StatusCode, r.body)
			}
		}
	})
}
