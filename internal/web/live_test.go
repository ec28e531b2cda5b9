package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// streamOf reads the live stream's address from a page.
func streamOf(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, `data-stream="`)
	if i < 0 {
		t.Fatalf("no live stream on the page:\n%s", body)
	}
	s := body[i+len(`data-stream="`):]
	return strings.ReplaceAll(s[:strings.IndexByte(s, '"')], "&amp;", "&")
}

// noEvent fails when ch delivers an event within d.
func noEvent(t *testing.T, ch <-chan sseEvent, d time.Duration) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if ok {
			t.Errorf("unexpected event %+v", ev)
		}
	case <-time.After(d):
	}
}

// TestLiveEvents: the worker's steps on the staff pages, in order, on the
// visit's day, at the page's sequence; the customer's open dashboard hears
// each one over its one stream, and nobody else's stream does.
func TestLiveEvents(t *testing.T) {
	clock := storetest.SuiteClock()
	t0 := clock.Now()
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		e := newEnv(t, db, "")
		maija, matti, sari, bertta := e.client(t), e.client(t), e.client(t), e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		e.signIn(t, matti, "matti@example.fi")
		e.signIn(t, sari, "sari@kotikulma.example")
		e.signIn(t, bertta, "bertta@toinen.example")
		visit := e.visits["koti"]
		pvisit := e.srv.URL + providerPath(visit)
		step := func(c *http.Client, path string, form url.Values) resp {
			t.Helper()
			if form.Get("sequence") == "" {
				form.Set("sequence", sequenceOf(t, do(t, sari, "GET", pvisit, nil).body))
			}
			return do(t, c, "POST", pvisit+path, form)
		}

		// The day before the visit: no buttons, and a post is refused.
		clock.Set(e.at(2, 9, 0))
		if r := do(t, sari, "GET", pvisit, nil); strings.Contains(r.body, "Lähdin matkaan") {
			t.Error("the day before offers Lähdin matkaan")
		}
		if r := step(sari, "/matkalla", url.Values{"eta": {"15"}}); r.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "vain käynnin päivänä") {
			t.Errorf("on the way a day early: %d\n%s", r.StatusCode, r.body)
		}

		// The visit's day, 8.30: the schedule offers the first step.
		clock.Set(e.at(3, 8, 30))
		if r := do(t, sari, "GET", e.srv.URL+"/tuottaja", nil); !strings.Contains(r.body, providerPath(visit)+"/matkalla") ||
			strings.Contains(r.body, providerPath(visit)+"/perilla") {
			t.Errorf("the schedule's step buttons:\n%s", r.body)
		}
		page := do(t, maija, "GET", e.srv.URL+sitePath(e.sites["koti"]), nil)
		if !strings.Contains(page.body, `id="live-`+strconv.FormatInt(visit, 10)+`"`) || !strings.Contains(page.body, "/static/live.") {
			t.Fatalf("the dashboard has no live status line:\n%s", page.body)
		}
		ch := openStream(t, maija, e.srv.URL+streamOf(t, page.body), "")
		other := openStream(t, matti, e.srv.URL+"/palveluvuorot/tapahtumat?jalkeen=0", "")

		// Out of order, bad estimate, other provider, a customer: refused.
		if r := step(sari, "/perilla", url.Values{}); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "järjestyksessä") {
			t.Errorf("arrived first: %d\n%s", r.StatusCode, r.body)
		}
		if r := step(sari, "/matkalla", url.Values{"eta": {"vartti"}}); r.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "minuutteina, numero 1–480") || !strings.Contains(r.body, `value="vartti"`) {
			t.Errorf("a bad estimate: %d\n%s", r.StatusCode, r.body)
		}
		for name, c := range map[string]*http.Client{"bertta": bertta, "matti": matti} {
			if r := step(c, "/matkalla", url.Values{"eta": {"15"}}); r.StatusCode != http.StatusNotFound {
				t.Errorf("%s gives a step: %d", name, r.StatusCode)
			}
		}
		stale := sequenceOf(t, do(t, sari, "GET", pvisit, nil).body)

		// On the way with 15 minutes: the customer's page hears of it.
		if r := step(sari, "/matkalla", url.Values{"eta": {"15"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("on the way: %d\n%s", r.StatusCode, r.body)
		}
		ev := nextEvent(t, ch)
		if !strings.Contains(ev.data, `id="live-`+strconv.FormatInt(visit, 10)+`"`) || !strings.Contains(ev.data, "on matkalla, perillä noin klo 8.45") {
			t.Errorf("the on-the-way event: %+v", ev)
		}
		// A stale page changes nothing.
		if r := step(sari, "/perilla", url.Values{"sequence": {stale}}); r.StatusCode != http.StatusConflict ||
			!strings.Contains(r.body, "muuttuivat sillä välin") {
			t.Errorf("arrived from a stale page: %d\n%s", r.StatusCode, r.body)
		}
		clock.Set(e.at(3, 8, 47))
		if r := step(sari, "/perilla", url.Values{}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("arrived: %d\n%s", r.StatusCode, r.body)
		}
		if ev := nextEvent(t, ch); !strings.Contains(ev.data, "perillä. Saapui klo 8.47") {
			t.Errorf("the arrived event: %+v", ev)
		}
		clock.Set(e.at(3, 11, 40))
		if r := step(sari, "/tehty", url.Values{"note": {"Kukat <kastelin>."}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("done: %d\n%s", r.StatusCode, r.body)
		}
		ev = nextEvent(t, ch)
		if !strings.Contains(ev.data, "Valmis klo 11.40") || !strings.Contains(ev.data, "terveiset: Kukat &lt;kastelin&gt;.") ||
			!strings.Contains(ev.data, visitPath(e.sites["koti"], visit)+"#h-rating") {
			t.Errorf("the done event: %+v", ev)
		}
		// Another customer's stream heard nothing.
		noEvent(t, other, 300*time.Millisecond)

		// Without JavaScript: the pages show the status on load, the
		// dashboard asks for a rating.
		if r := do(t, maija, "GET", e.srv.URL+visitPath(e.sites["koti"], visit), nil); !strings.Contains(r.body, "Valmis klo 11.40") ||
			!strings.Contains(r.body, `id="h-rating"`) {
			t.Errorf("the visit page after done:\n%s", r.body)
		}
		if r := do(t, maija, "GET", e.srv.URL+sitePath(e.sites["koti"]), nil); !strings.Contains(r.body, "rate-prompt") ||
			!strings.Contains(r.body, "Kukat &lt;kastelin&gt;.") {
			t.Errorf("the dashboard after done:\n%s", r.body)
		}
		if r := do(t, sari, "GET", e.srv.URL+"/tuottaja", nil); !strings.Contains(r.body, "Valmis klo 11.40") {
			t.Errorf("the schedule after done:\n%s", r.body)
		}

		// Staff have no stream; a signed-out browser neither.
		if r := do(t, bertta, "GET", e.srv.URL+"/palveluvuorot/tapahtumat", nil); r.StatusCode != http.StatusSeeOther ||
			r.Header.Get("Location") != "/tuottaja" {
			t.Errorf("staff's stream: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		do(t, matti, "POST", e.srv.URL+"/kirjaudu-ulos", url.Values{})
		if r := do(t, matti, "GET", e.srv.URL+"/palveluvuorot/tapahtumat", nil); r.StatusCode == http.StatusOK {
			t.Errorf("a signed-out stream: %d", r.StatusCode)
		}
	})
}

// TestLateOnSchedule: more than 30 minutes after the start with nobody on
// the way, the schedule and the visit page say the visit is late.
func TestLateOnSchedule(t *testing.T) {
	clock := storetest.SuiteClock()
	t0 := clock.Now()
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		e := newEnv(t, db, "")
		sari := e.client(t)
		e.signIn(t, sari, "sari@kotikulma.example")
		pvisit := e.srv.URL + providerPath(e.visits["koti"])
		for _, c := range []struct {
			h, m int
			want bool
		}{{9, 30, false}, {9, 31, true}} {
			clock.Set(e.at(3, c.h, c.m))
			if r := do(t, sari, "GET", e.srv.URL+"/tuottaja", nil); strings.Contains(r.body, "Myöhässä") != c.want {
				t.Errorf("%d.%02d: the schedule says late %v, want %v", c.h, c.m, !c.want, c.want)
			}
			if r := do(t, sari, "GET", pvisit, nil); strings.Contains(r.body, "Myöhässä: käynnin piti alkaa klo 9.00") != c.want {
				t.Errorf("%d.%02d: the visit page says late %v, want %v", c.h, c.m, !c.want, c.want)
			}
		}
	})
}
