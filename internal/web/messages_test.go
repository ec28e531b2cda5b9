package web

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

func TestMessagesPages(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		maija, sari := e.client(t), e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		e.signIn(t, sari, "sari@kotikulma.example")
		thread := e.srv.URL + threadPath(e.sites["koti"])

		for _, body := range []string{" ", strings.Repeat("y", 5001)} {
			r := do(t, maija, "POST", thread, url.Values{"body": {body}})
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, `class="error-summary"`) {
				t.Errorf("message of %d characters: %d", len(body), r.StatusCode)
			}
		}
		r := do(t, maija, "POST", thread, url.Values{"body": {"Hei! <script>alert(1)</script> https://esimerkki.example"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("post: %d\n%s", r.StatusCode, r.body)
		}
		r = do(t, maija, "GET", thread+"?ok=viesti", nil)
		if !strings.Contains(r.body, "&lt;script&gt;alert(1)&lt;/script&gt; https://esimerkki.example") ||
			strings.Contains(r.body, `<a href="https://esimerkki.example`) || !strings.Contains(r.body, "Viesti on lähetetty.") {
			t.Errorf("thread page does not show the message as plain text:\n%s", r.body)
		}
		r = do(t, sari, "GET", e.srv.URL+"/tuottaja/viestit", nil)
		if !strings.Contains(r.body, "Kohde koti") || !strings.Contains(r.body, "1 lukematon") {
			t.Errorf("inbox:\n%s", r.body)
		}
		r = do(t, sari, "GET", thread, nil)
		if !strings.Contains(r.body, "Hei! &lt;script&gt;") || !strings.Contains(r.body, "Viestisi asiakkaalle") {
			t.Errorf("staff's thread page:\n%s", r.body)
		}
		if r := do(t, sari, "GET", e.srv.URL+"/tuottaja/viestit", nil); strings.Contains(r.body, "lukematon") {
			t.Error("still unread in the inbox after reading")
		}
		do(t, sari, "POST", thread, url.Values{"body": {"Kiitos viestistä!"}})
		r = do(t, maija, "GET", e.srv.URL+sitePath(e.sites["koti"]), nil)
		if !strings.Contains(r.body, "1 lukematon viesti") || !strings.Contains(r.body, `<span class="badge">1 uusi</span></a>`) {
			t.Errorf("customer's dashboard and navigation after the reply:\n%s", r.body)
		}
		do(t, maija, "GET", thread, nil)
		if r := do(t, maija, "GET", e.srv.URL+sitePath(e.sites["koti"]), nil); !strings.Contains(r.body, "Ei lukemattomia viestejä") ||
			strings.Contains(r.body, "uusi</span>") {
			t.Error("still unread after reading the thread")
		}
	})
}

// stream opens a site's message stream as a client and sends its events
// (id and data) on a channel.
type sseEvent struct{ id, data string }

func openStream(t *testing.T, c *http.Client, u, lastID string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	r, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	out := make(chan sseEvent, 16)
	go func() {
		defer close(out)
		defer r.Body.Close()
		sc := bufio.NewScanner(r.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "data: "):
				ev.data += strings.TrimPrefix(line, "data: ") + "\n"
			case line == "" && ev.id != "":
				out <- ev
				ev = sseEvent{}
			}
		}
	}()
	return out
}

func nextEvent(t *testing.T, ch <-chan sseEvent) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("the stream ended")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return sseEvent{}
}

func TestMessageStream(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		maija, sari := e.client(t), e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		e.signIn(t, sari, "sari@kotikulma.example")
		thread := e.srv.URL + threadPath(e.sites["koti"])
		do(t, maija, "POST", thread, url.Values{"body": {"Ensimmäinen"}})
		// The page shows the first message; its stream starts after it.
		page := do(t, maija, "GET", thread, nil)
		i := strings.Index(page.body, `data-events="`)
		if i < 0 {
			t.Fatalf("no stream address:\n%s", page.body)
		}
		events := page.body[i+len(`data-events="`):]
		events = strings.ReplaceAll(events[:strings.IndexByte(events, '"')], "&amp;", "&")
		ch := openStream(t, maija, e.srv.URL+events, "")
		do(t, sari, "POST", thread, url.Values{"body": {"Vastaus tuottajalta"}})
		ev := nextEvent(t, ch)
		if !strings.Contains(ev.data, "Vastaus tuottajalta") || !strings.Contains(ev.data, "Sari") || strings.Contains(ev.data, "Ensimmäinen") {
			t.Fatalf("first event %+v", ev)
		}
		// Reconnecting with the last id seen replays nothing old.
		ch2 := openStream(t, maija, e.srv.URL+threadPath(e.sites["koti"])+"/tapahtumat", ev.id)
		do(t, sari, "POST", thread, url.Values{"body": {"Toinen vastaus"}})
		ev2 := nextEvent(t, ch2)
		if !strings.Contains(ev2.data, "Toinen vastaus") || ev2.id == ev.id {
			t.Errorf("after reconnecting %+v", ev2)
		}
		if ev := nextEvent(t, ch); !strings.Contains(ev.data, "Toinen vastaus") {
			t.Errorf("the first stream got %+v", ev)
		}
		// The other tenant's stream is not found.
		matti := e.client(t)
		e.signIn(t, matti, "matti@example.fi")
		if r := do(t, matti, "GET", e.srv.URL+threadPath(e.sites["koti"])+"/tapahtumat", nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("matti's stream of maija's site: %d", r.StatusCode)
		}
		// Closing the hub (server shutdown) ends the streams.
		e.hub.Close()
		deadline := time.After(5 * time.Second)
		for open := true; open; {
			select {
			case _, open = <-ch:
			case <-deadline:
				t.Fatal("the stream is still open 5 s after the hub closed")
			}
		}
	})
}

// TestMessageStreamOutlivesTimeouts: a stream is open far longer than the
// server's read and write timeouts allow a request, and still delivers.
func TestMessageStreamOutlivesTimeouts(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		short := httptest.NewUnstartedServer(e.srv.Config.Handler)
		short.Config.ReadTimeout = 200 * time.Millisecond
		short.Config.WriteTimeout = 200 * time.Millisecond
		short.Start()
		t.Cleanup(short.Close)
		maija, sari := e.client(t), e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		e.signIn(t, sari, "sari@kotikulma.example")
		ch := openStream(t, maija, short.URL+threadPath(e.sites["koti"])+"/tapahtumat", "")
		time.Sleep(time.Second)
		do(t, sari, "POST", e.srv.URL+threadPath(e.sites["koti"]), url.Values{"body": {"Myöhemmin tullut viesti"}})
		if ev := nextEvent(t, ch); !strings.Contains(ev.data, "Myöhemmin tullut viesti") {
			t.Errorf("event %+v", ev)
		}
	})
}

// TestClosedStreamReadsNothing: a page that was left does not mark new
// messages read (the stream notices its client has gone).
func TestClosedStreamReadsNothing(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		maija, sari := e.client(t), e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		e.signIn(t, sari, "sari@kotikulma.example")
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+threadPath(e.sites["koti"])+"/tapahtumat", nil)
		r, err := maija.Do(req)
		if err != nil || r.StatusCode != 200 {
			t.Fatalf("stream: %v", err)
		}
		cancel()
		r.Body.Close()
		time.Sleep(200 * time.Millisecond)
		do(t, sari, "POST", e.srv.URL+threadPath(e.sites["koti"]), url.Values{"body": {"Luitko tämän?"}})
		time.Sleep(300 * time.Millisecond) // the stream's send runs meanwhile
		if r := do(t, maija, "GET", e.srv.URL+sitePath(e.sites["koti"]), nil); !strings.Contains(r.body, "1 lukematon viesti") {
			t.Errorf("the message was marked read by a closed stream:\n%s", r.body)
		}
		deadline := time.Now().Add(5 * time.Second)
		for e.streams() != 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if n := e.streams(); n != 0 {
			t.Errorf("%d streams still open after their client left", n)
		}
	})
}

// TestMessageStreamOverHTTP2: behind a server that speaks HTTP/2 (TLS),
// where a connection cannot be taken over, a stream stays in its request:
// it delivers live messages and ends when its session is revoked.
func TestMessageStreamOverHTTP2(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		e.server.streams.Heartbeat = 100 * time.Millisecond
		protos := make(chan string, 4)
		h2 := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/tapahtumat") {
				protos <- r.Proto
			}
			e.srv.Config.Handler.ServeHTTP(w, r)
		}))
		h2.EnableHTTP2 = true
		h2.StartTLS()
		t.Cleanup(h2.Close)
		maija, sari := e.client(t), e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		e.signIn(t, sari, "sari@kotikulma.example")
		// The session cookie (not Secure: the base URL is http) goes to
		// the TLS server on the same host too.
		c := h2.Client()
		c.Jar, c.CheckRedirect = maija.Jar, maija.CheckRedirect
		ch := openStream(t, c, h2.URL+threadPath(e.sites["koti"])+"/tapahtumat", "")
		if p := <-protos; p != "HTTP/2.0" {
			t.Fatalf("the stream was served over %s, want HTTP/2.0", p)
		}
		thread := e.srv.URL + threadPath(e.sites["koti"])
		for _, text := range []string{"Ensimmäinen HTTP/2:lla", "Toinen HTTP/2:lla"} {
			do(t, sari, "POST", thread, url.Values{"body": {text}})
			if ev := nextEvent(t, ch); !strings.Contains(ev.data, text) {
				t.Fatalf("event %+v, want %q", ev, text)
			}
		}
		if n := e.streams(); n != 1 {
			t.Errorf("%d streams open, want 1", n)
		}
		do(t, c, "POST", h2.URL+"/kirjaudu-ulos", url.Values{})
		deadline := time.After(5 * time.Second)
		for open := true; open; {
			select {
			case _, open = <-ch:
			case <-deadline:
				t.Fatal("the HTTP/2 stream is still open 5 s after sign-out")
			}
		}
		for end := time.Now().Add(5 * time.Second); e.streams() != 0 && time.Now().Before(end); {
			time.Sleep(20 * time.Millisecond)
		}
		if n := e.streams(); n != 0 {
			t.Errorf("%d streams still open after sign-out", n)
		}
	})
}
