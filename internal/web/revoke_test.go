package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/realtime"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestStreamEndsOnRevocation: an open message stream ends soon after its
// session is revoked — by sign-out (on this instance or another one on the
// same database), sign-out everywhere, a password reset, account deletion
// or the deactivation of a staff member — at its next heartbeat, and
// delivers nothing written after it even before that heartbeat. The
// heartbeat is shortened here; in service it is sse.Heartbeat (20 s).
func TestStreamEndsOnRevocation(t *testing.T) {
	signOut := func(t *testing.T, e *env, victim *http.Client) {
		do(t, victim, "POST", e.srv.URL+"/kirjaudu-ulos", url.Values{})
	}
	cases := []struct {
		name, who string
		site      string
		revoke    func(t *testing.T, e *env, victim *http.Client)
		// written: a message is written after the revocation, and the
		// heartbeat is too far away to end the stream first.
		written bool
	}{
		{"sign-out", "maija@example.fi", "koti", signOut, false},
		{"sign-out, then a message", "maija@example.fi", "koti", signOut, true},
		{"sign-out on another instance", "maija@example.fi", "koti", func(t *testing.T, e *env, victim *http.Client) {
			// A second server on the same database with a hub of its own:
			// nothing reaches the first one but the database.
			other, err := New(Config{Log: e.server.log, Hub: realtime.NewHub()}, e.server.app)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(other)
			t.Cleanup(srv.Close)
			u, _ := url.Parse(e.srv.URL)
			do(t, victim, "POST", srv.URL+"/kirjaudu-ulos", url.Values{}, "Cookie",
				e.server.sessionCookieName()+"="+cookieValue(victim, u, e.server.sessionCookieName()))
		}, false},
		{"sign-out everywhere", "maija@example.fi", "koti", func(t *testing.T, e *env, _ *http.Client) {
			other := e.client(t)
			e.signIn(t, other, "maija@example.fi")
			if r := do(t, other, "POST", e.srv.URL+"/profiili/laitteet/kirjaudu-ulos-muualta", url.Values{}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign out elsewhere: %d", r.StatusCode)
			}
		}, false},
		{"password reset", "matti@example.fi", "matti", func(t *testing.T, e *env, _ *http.Client) {
			c := e.client(t)
			do(t, c, "POST", e.srv.URL+"/unohtunut-salasana", url.Values{"email": {"matti@example.fi"}})
			code := e.mails.code(t, "reset_code", "matti@example.fi")
			if r := do(t, c, "POST", e.srv.URL+"/unohtunut-salasana/koodi", url.Values{"code": {code}, "password": {strong}}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("reset: %d", r.StatusCode)
			}
		}, false},
		{"account deletion", "matti@example.fi", "matti", func(t *testing.T, e *env, _ *http.Client) {
			other := e.client(t)
			e.signIn(t, other, "matti@example.fi")
			if r := do(t, other, "POST", e.srv.URL+"/profiili/poista", url.Values{"current": {password}, "confirm": {"yes"}}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("delete: %d", r.StatusCode)
			}
		}, false},
		{"staff deactivation", "sari@kotikulma.example", "koti", func(t *testing.T, e *env, _ *http.Client) {
			boss := e.addAdmin(t)
			page := consolePath + "/tuottajat/" + strconv.FormatInt(e.providerID(t, "Kotikulma Oy"), 10)
			staff := strconv.FormatInt(e.staffID(t, "sari@kotikulma.example"), 10)
			if r := do(t, boss, "POST", e.srv.URL+page+"/henkilosto/"+staff+"/tila", url.Values{"active": {"0"}}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("deactivate: %d", r.StatusCode)
			}
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db, "")
				every := 100 * time.Millisecond
				if tc.written {
					every = time.Hour
				}
				e.server.streams.Heartbeat = every
				victim, writer := e.client(t), e.client(t)
				e.signIn(t, victim, tc.who)
				writerEmail := "sari@kotikulma.example"
				if tc.who == writerEmail {
					writerEmail = "maija@example.fi"
				}
				e.signIn(t, writer, writerEmail)
				thread := e.srv.URL + threadPath(e.sites[tc.site])
				ch := openStream(t, victim, thread+"/tapahtumat", "")
				// The stream is live before the revocation.
				do(t, writer, "POST", thread, url.Values{"body": {"Ennen"}})
				if ev := nextEvent(t, ch); !strings.Contains(ev.data, "Ennen") {
					t.Fatalf("before: %+v", ev)
				}
				tc.revoke(t, e, victim)
				wait := 20 * every
				if tc.written {
					do(t, writer, "POST", thread, url.Values{"body": {"Jälkeen"}})
					wait = 5 * time.Second
				}
				deadline := time.After(wait)
				for {
					select {
					case ev, open := <-ch:
						if !open {
							return
						}
						if strings.Contains(ev.data, "Jälkeen") {
							t.Errorf("the revoked stream delivered a message written after %s", tc.name)
						}
						continue
					case <-deadline:
						t.Fatalf("the stream is still open %v after %s (heartbeat %v)", wait, tc.name, every)
					}
				}
			})
		})
	}
}

// cookieValue is the value of the cookie name that c holds for u.
func cookieValue(c *http.Client, u *url.URL, name string) string {
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}
