package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestPagesWaitTheirTurn: with every place among the pages taken
// (Config.Pages), a page waits until one is given back and is then served;
// files and probes do not wait; a request whose client leaves while
// waiting takes no place; a form sent slowly takes none while it comes;
// and an answer that has started (an open stream of messages or of live
// status) gives its place back, so that neither slow clients nor open
// streams hold pages up.
func TestPagesWaitTheirTurn(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		cfg := e.server.cfg
		cfg.Pages = 1
		// Streams kept in their requests, as every HTTP/2 stream is (an
		// HTTP/1 stream's connection is otherwise taken over and its
		// request ends at once).
		cfg.PlainStreams = true
		s, err := New(cfg, e.server.app)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s)
		t.Cleanup(srv.Close) // after the streams' own cleanups, which end them
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi") // the cookie is the host's, whatever the port
		home := srv.URL + sitePath(e.sites["koti"])

		// get answers the status of a GET, or 0 when there is none in time.
		get := func(u string, within time.Duration) int {
			ctx, cancel := context.WithTimeout(context.Background(), within)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
			r, err := maija.Do(req)
			if err != nil {
				return 0
			}
			r.Body.Close()
			return r.StatusCode
		}
		if got := get(home, 5*time.Second); got != http.StatusOK {
			t.Fatalf("with a place free: %d", got)
		}

		// The one place taken: a page waits, a probe and a file do not.
		leave, _ := s.admit(httptest.NewRequest("GET", "/", nil))
		served := make(chan int, 1)
		go func() { served <- get(home, 10*time.Second) }()
		select {
		case got := <-served:
			t.Fatalf("a page was answered (%d) while no place was free", got)
		case <-time.After(300 * time.Millisecond):
		}
		if got := get(srv.URL+"/healthz", 5*time.Second); got != http.StatusOK {
			t.Errorf("the health probe waited for a page's place: %d", got)
		}
		if got := get(srv.URL+"/manifest.webmanifest", 5*time.Second); got != http.StatusOK {
			t.Errorf("the manifest waited for a page's place: %d", got)
		}
		leave()
		leave() // giving it back twice frees one place, not two
		if got := <-served; got != http.StatusOK {
			t.Fatalf("the waiting page, once a place was free: %d", got)
		}
		// Its handler gives the place back just after the answer is sent.
		for deadline := time.Now().Add(5 * time.Second); len(s.pages) != 0; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d places still taken after every page was answered", len(s.pages))
			}
		}

		// A client that leaves while waiting takes no place with it.
		leave, _ = s.admit(httptest.NewRequest("GET", "/", nil))
		if got := get(home, 300*time.Millisecond); got != 0 {
			t.Fatalf("answered %d while no place was free", got)
		}
		leave()
		if got := get(home, 5*time.Second); got != http.StatusOK {
			t.Fatalf("after a client left while waiting: %d", got)
		}

		// A form whose body comes slowly waits for its place only once it
		// has all come, and then is answered as usual.
		body, sending := io.Pipe()
		t.Cleanup(func() { sending.Close() }) // before the server's Close, which waits for the form
		req, _ := http.NewRequest("POST", srv.URL+sitePath(e.sites["koti"])+"/ohjeet", body)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		posted := make(chan int, 1)
		go func() {
			r, err := maija.Do(req)
			if err != nil {
				posted <- 0
				return
			}
			r.Body.Close()
			posted <- r.StatusCode
		}()
		io.WriteString(sending, "access_pets=")
		if got := get(home, 5*time.Second); got != http.StatusOK {
			t.Fatalf("while a form was still being sent: %d", got)
		}
		io.WriteString(sending, "Kissa")
		sending.Close()
		select {
		case got := <-posted:
			if got != http.StatusSeeOther {
				t.Errorf("the slowly sent form: %d", got)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the slowly sent form was not answered")
		}
		if page := do(t, maija, "GET", home, nil); !strings.Contains(page.body, "Kissa") {
			t.Error("the slowly sent form's text was not saved")
		}

		// Open streams give their places back: pages are served beside them.
		for _, stream := range []string{threadPath(e.sites["koti"]) + "/tapahtumat", "/palveluvuorot/tapahtumat?jalkeen=0"} {
			openStream(t, maija, srv.URL+stream, "")
			if got := get(home, 5*time.Second); got != http.StatusOK {
				t.Fatalf("beside the open stream %s: %d", stream, got)
			}
		}
	})
}
