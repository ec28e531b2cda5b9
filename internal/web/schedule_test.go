package web

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// scheduleLink finds the visits listed on the provider's pages.
var scheduleLink = regexp.MustCompile(`href="/tuottaja/palveluvuorot/(\d+)"`)

// listedVisits returns the ids of the visits a provider's page links to.
func listedVisits(body string) map[string]bool {
	out := map[string]bool{}
	for _, m := range scheduleLink.FindAllStringSubmatch(body, -1) {
		out[m[1]] = true
	}
	return out
}

// addVisits writes visits of a site of the env: each starts at the given
// Helsinki time, lasts an hour and has the given status and worker.
func (e *env) addVisits(t *testing.T, site string, vs ...portal.Visit) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		for i, v := range vs {
			v.SiteID, v.Source = e.sites[site], "t"
			v.ExternalID = fmt.Sprintf("sched-%s-%d-%d", site, v.StartsAt.Unix(), i)
			v.EndsAt = v.StartsAt.Add(time.Hour)
			id, err := tx.UpsertVisit(ctx, v)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestScheduleGroupsByHelsinkiDay(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		sari := e.client(t)
		e.signIn(t, sari, "sari@kotikulma.example")
		// Late tonight and just after midnight (the same UTC day in winter
		// and in summer), a cancelled and a done visit today.
		ids := e.addVisits(t, "koti",
			portal.Visit{StartsAt: e.at(0, 23, 0), Status: portal.VisitConfirmed, WorkerFirstName: "Ilta"},
			portal.Visit{StartsAt: e.at(1, 0, 15), Status: portal.VisitConfirmed, WorkerFirstName: "Yö"},
			portal.Visit{StartsAt: e.at(0, 12, 0), Status: portal.VisitCancelledByCustomer, WorkerFirstName: "Peru"},
			portal.Visit{StartsAt: e.at(0, 8, 0), Status: portal.VisitDone, WorkerFirstName: "Bertil"})
		late, night, cancelled, done := fmt.Sprint(ids[0]), fmt.Sprint(ids[1]), fmt.Sprint(ids[2]), fmt.Sprint(ids[3])
		today, tomorrow := isoDate(e.at(0, 12, 0)), isoDate(e.at(1, 12, 0))

		r := do(t, sari, "GET", e.srv.URL+"/tuottaja", nil)
		got := listedVisits(r.body)
		if !got[late] || !got[done] || got[night] || got[cancelled] {
			t.Errorf("today's schedule lists %v, want %s and %s only (not tomorrow's %s, not cancelled %s)\n%s",
				got, late, done, night, cancelled, r.body)
		}
		for _, want := range []string{"Tänään", "Huomenna", "Näytä myös perutut", `name="paiva" value="` + today + `"`,
			`href="/tuottaja?paiva=` + tomorrow + `"`, `href="/tuottaja?paiva=` + isoDate(e.at(-1, 12, 0)) + `"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("today's schedule lacks %q", want)
			}
		}
		// The date picker is a plain GET form: it works without JavaScript.
		r = do(t, sari, "GET", e.srv.URL+"/tuottaja?"+url.Values{"paiva": {tomorrow}}.Encode(), nil)
		if got := listedVisits(r.body); !got[night] || got[late] || got[done] {
			t.Errorf("tomorrow's schedule lists %v, want %s", got, night)
		}
		r = do(t, sari, "GET", e.srv.URL+"/tuottaja?tila=kaikki", nil)
		if got := listedVisits(r.body); !got[cancelled] || !got[late] || !got[done] {
			t.Errorf("all of today lists %v, want the cancelled %s too", got, cancelled)
		}
		r = do(t, sari, "GET", e.srv.URL+"/tuottaja?tila=perutut", nil)
		if got := listedVisits(r.body); !got[cancelled] || got[late] || got[done] {
			t.Errorf("today's cancelled visits: %v, want %s only", got, cancelled)
		}
		if !strings.Contains(r.body, "st-cancelled") || !strings.Contains(r.body, "Peruttu") {
			t.Errorf("a cancelled visit is not marked in colour and words:\n%s", r.body)
		}
		r = do(t, sari, "GET", e.srv.URL+"/tuottaja?tekija=Bertil", nil)
		if got := listedVisits(r.body); !got[done] || got[late] {
			t.Errorf("Bertil's day lists %v, want %s only", got, done)
		}
		// A day that cannot be read is today.
		r = do(t, sari, "GET", e.srv.URL+"/tuottaja?paiva=31.13.2026", nil)
		if got := listedVisits(r.body); r.StatusCode != 200 || !got[late] {
			t.Errorf("an unreadable day: %d, %v", r.StatusCode, got)
		}
	})
}

// scheduleNext and schedulePrev find the schedule's page links.
var (
	scheduleNext = regexp.MustCompile(`<nav class="pager"[^>]*>.*?<a href="([^"]*sivu=\d+[^"]*)">Seuraavat käynnit`)
	schedulePrev = regexp.MustCompile(`<nav class="pager"[^>]*>\s*<a href="([^"]*)">← Edelliset käynnit`)
)

// TestSchedulePagesADay: a day of 120 visits, many at the same minute,
// pages by 50 through the links, which carry where the next page starts
// (keyset paging) and where the previous one ends; every visit is listed
// once, in order; a page asked for by number alone, or with a cursor that
// cannot be read, is found by counting.
func TestSchedulePagesADay(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		sari := e.client(t)
		e.signIn(t, sari, "sari@kotikulma.example")
		var vs []portal.Visit
		for i := range 120 {
			vs = append(vs, portal.Visit{StartsAt: e.at(5, 7, 0).Add(time.Duration(i/3) * time.Minute), Status: portal.VisitPlanned})
		}
		ids := e.addVisits(t, "mokki", vs...)
		day := isoDate(e.at(5, 12, 0))
		page := func(path string) (listed []string, next, prev string) {
			t.Helper()
			r := do(t, sari, "GET", e.srv.URL+path, nil)
			if r.StatusCode != 200 {
				t.Fatalf("%s: %d", path, r.StatusCode)
			}
			for _, m := range scheduleLink.FindAllStringSubmatch(r.body, -1) {
				listed = append(listed, m[1])
			}
			if m := scheduleNext.FindStringSubmatch(r.body); m != nil {
				next = html.UnescapeString(m[1])
			}
			if m := schedulePrev.FindStringSubmatch(r.body); m != nil {
				prev = html.UnescapeString(m[1])
			}
			return listed, next, prev
		}
		want := func(from, to int) []string {
			var out []string
			for _, id := range ids[from:to] {
				out = append(out, fmt.Sprint(id))
			}
			return out
		}
		p1, next, prev := page("/tuottaja?paiva=" + day)
		if !slices.Equal(p1, want(0, 50)) || prev != "" || !strings.Contains(next, "sivu=2") || !strings.Contains(next, "jalkeen=") {
			t.Fatalf("page 1 of a day of 120 visits: %v, next %q, prev %q", p1, next, prev)
		}
		p2, next, prev := page(next)
		if !slices.Equal(p2, want(50, 100)) || prev != "/tuottaja?paiva="+day || !strings.Contains(next, "sivu=3") {
			t.Errorf("page 2: %v, next %q, prev %q", p2, next, prev)
		}
		p3, next, prev := page(next)
		if !slices.Equal(p3, want(100, 120)) || next != "" || !strings.Contains(prev, "sivu=2") || !strings.Contains(prev, "ennen=") {
			t.Errorf("page 3: %v, next %q, prev %q", p3, next, prev)
		}
		back, next, prev := page(prev)
		if !slices.Equal(back, want(50, 100)) || prev != "/tuottaja?paiva="+day || !strings.Contains(next, "sivu=3") {
			t.Errorf("back from page 3: %v, next %q, prev %q", back, next, prev)
		}
		// A cursor says where the page starts (or ends), whatever its number.
		tenth := app.ScheduleCursor(portal.Visit{ID: ids[9], StartsAt: vs[9].StartsAt})
		if got, _, _ := page("/tuottaja?paiva=" + day + "&sivu=2&jalkeen=" + tenth); !slices.Equal(got, want(10, 60)) {
			t.Errorf("the page after the tenth visit lists %v", got)
		}
		sixtieth := app.ScheduleCursor(portal.Visit{ID: ids[59], StartsAt: vs[59].StartsAt})
		if got, _, _ := page("/tuottaja?paiva=" + day + "&sivu=2&ennen=" + sixtieth); !slices.Equal(got, want(9, 59)) {
			t.Errorf("the page before the sixtieth visit lists %v", got)
		}
		// The page's number alone, and a cursor that cannot be read.
		for _, path := range []string{"/tuottaja?paiva=" + day + "&sivu=2", "/tuottaja?paiva=" + day + "&sivu=2&jalkeen=x-1",
			"/tuottaja?paiva=" + day + "&sivu=2&ennen=%27%3B--"} {
			if got, _, _ := page(path); !slices.Equal(got, want(50, 100)) {
				t.Errorf("%s lists %v, want page 2", path, got)
			}
		}
	})
}

func TestScheduleAndInboxIsolation(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		sari, bertta := e.client(t), e.client(t)
		e.signIn(t, sari, "sari@kotikulma.example")
		e.signIn(t, bertta, "bertta@toinen.example")
		// Kotikulma's visits on the day of Toinen's visit, a page and more.
		var vs []portal.Visit
		for i := range 60 {
			vs = append(vs, portal.Visit{StartsAt: e.at(4, 8, 0).Add(time.Duration(i) * time.Minute), Status: portal.VisitConfirmed,
				WorkerFirstName: "Aino"})
		}
		mine := map[string]bool{}
		for _, id := range e.addVisits(t, "koti", vs...) {
			mine[fmt.Sprint(id)] = true
		}
		for _, k := range []string{"koti", "mokki", "matti"} {
			mine[fmt.Sprint(e.visits[k])] = true
		}
		threads := e.addThreads(t, 60, "matti")
		pekka := fmt.Sprint(e.visits["pekka"])
		for d := -1; d <= 6; d++ {
			for _, f := range []string{"", "kaikki", "sovitut", "tehdyt", "perutut", "siirtopyynnot"} {
				for _, page := range []string{"1", "2"} {
					q := url.Values{"paiva": {isoDate(e.at(d, 12, 0))}, "tila": {f}, "sivu": {page}, "tekija": {"Aino"}}
					for _, worker := range []bool{false, true} {
						if !worker {
							q.Del("tekija")
						}
						r := do(t, bertta, "GET", e.srv.URL+"/tuottaja?"+q.Encode(), nil)
						for id := range listedVisits(r.body) {
							if mine[id] {
								t.Errorf("Toinen's staff sees Kotikulma's visit %s at %s", id, q.Encode())
							}
						}
						if strings.Contains(r.body, "Hämeenkatu") || strings.Contains(r.body, ">Aino<") {
							t.Errorf("Toinen's staff sees Kotikulma's homes or workers at %s", q.Encode())
						}
						if r := do(t, sari, "GET", e.srv.URL+"/tuottaja?"+q.Encode(), nil); listedVisits(r.body)[pekka] {
							t.Errorf("Kotikulma's staff sees Toinen's visit at %s", q.Encode())
						}
					}
				}
			}
		}
		for _, page := range []string{"", "?jalkeen=u1", "?jalkeen=r1", "?jalkeen=u9223372036854775807", "?sivu=2"} {
			r := do(t, bertta, "GET", e.srv.URL+"/tuottaja/viestit"+page, nil)
			for _, th := range threads {
				if strings.Contains(r.body, sitePath(th)+"/viestit") {
					t.Errorf("Toinen's staff sees Kotikulma's thread of site %d on inbox page %s", th, page)
				}
			}
		}
	})
}

// addThreads adds n sites of the env's first provider, each with a thread
// whose last message is a customer's (unread by staff), and one more
// thread on site read whose messages are the provider's only. It returns
// the new sites in the order their last messages were written.
func (e *env) addThreads(t *testing.T, n int, read string) []int64 {
	t.Helper()
	ctx := context.Background()
	var sites []int64
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		koti, err := tx.Site(ctx, store.Scope{All: true}, e.sites["koti"])
		if err != nil {
			return err
		}
		for i := range n {
			ext := fmt.Sprintf("viesti-%02d", i)
			sid, err := tx.UpsertSite(ctx, portal.Site{CustomerID: koti.Site.CustomerID, ProviderID: koti.Site.ProviderID, Source: "t",
				ExternalID: ext, Name: "Viestikohde " + ext, Street: "Viestikatu " + fmt.Sprint(i), City: "Tampere"})
			if err != nil {
				return err
			}
			th, err := tx.EnsureThread(ctx, sid)
			if err != nil {
				return err
			}
			if _, err := tx.AddMessage(ctx, portal.Message{ThreadID: th, AuthorKind: "customer", AuthorName: "koti",
				Body: "Hei " + ext, CreatedAt: e.start.Add(time.Duration(i) * time.Minute)}); err != nil {
				return err
			}
			sites = append(sites, sid)
		}
		th, err := tx.EnsureThread(ctx, e.sites[read])
		if err != nil {
			return err
		}
		_, err = tx.AddMessage(ctx, portal.Message{ThreadID: th, AuthorKind: "provider", AuthorName: "Sari", Body: "Tervetuloa"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return sites
}

// inboxLink finds the threads listed in the provider's inbox.
var inboxLink = regexp.MustCompile(`href="/kohteet/(\d+)/viestit"`)

// inboxNext finds the inbox's link to its next page.
var inboxNext = regexp.MustCompile(`href="(/tuottaja/viestit\?jalkeen=[ur]\d+)"`)

func TestInboxPagesBy50(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		sari, bertta := e.client(t), e.client(t)
		e.signIn(t, sari, "sari@kotikulma.example")
		e.signIn(t, bertta, "bertta@toinen.example")
		// 50 unread threads and one the staff wrote last: 51 threads.
		sites := e.addThreads(t, 50, "matti")
		r := do(t, sari, "GET", e.srv.URL+"/tuottaja/viestit", nil)
		first := inboxLink.FindAllStringSubmatch(r.body, -1)
		next := inboxNext.FindStringSubmatch(r.body)
		if len(first) != 50 || next == nil || strings.Contains(r.body, `href="/tuottaja/viestit"`+">") {
			t.Fatalf("inbox page 1: %d threads, next link %v\n%s", len(first), next, r.body)
		}
		// Unread first, the latest first.
		if first[0][1] != fmt.Sprint(sites[49]) || first[49][1] != fmt.Sprint(sites[0]) {
			t.Errorf("inbox page 1 from %s to %s, want %d to %d", first[0][1], first[49][1], sites[49], sites[0])
		}
		page2 := e.srv.URL + next[1]
		r = do(t, sari, "GET", page2, nil)
		second := inboxLink.FindAllStringSubmatch(r.body, -1)
		if r.StatusCode != 200 || len(second) != 1 || second[0][1] != fmt.Sprint(e.sites["matti"]) ||
			!strings.Contains(r.body, `<a href="/tuottaja/viestit">`) || inboxNext.MatchString(r.body) {
			t.Errorf("inbox page 2: %v\n%s", second, r.body)
		}
		// Reading a thread moves it after the unread ones: page 1 now
		// ends in the read group (the staff's thread, its message the
		// newest) and page 2 goes on there.
		do(t, sari, "GET", e.srv.URL+sitePath(sites[49])+"/viestit", nil)
		r = do(t, sari, "GET", e.srv.URL+"/tuottaja/viestit", nil)
		next = inboxNext.FindStringSubmatch(r.body)
		if next == nil {
			t.Fatalf("inbox page 1 after reading: no next link\n%s", r.body)
		}
		r = do(t, sari, "GET", e.srv.URL+next[1], nil)
		second = inboxLink.FindAllStringSubmatch(r.body, -1)
		if len(second) != 1 || second[0][1] != fmt.Sprint(sites[49]) {
			t.Errorf("inbox page 2 after reading the newest thread: %v", second)
		}
		if first := inboxLink.FindAllStringSubmatch(do(t, sari, "GET", e.srv.URL+"/tuottaja/viestit", nil).body, -1); len(first) != 50 ||
			first[49][1] != fmt.Sprint(e.sites["matti"]) {
			t.Errorf("inbox page 1 after reading does not end with the read thread: %v", first)
		}
		// A cursor it cannot read is the first page, not an error.
		for _, bad := range []string{"?jalkeen=x1", "?jalkeen=u-1", "?jalkeen=u0", "?jalkeen=u99999999999999999999", "?jalkeen=%00", "?sivu=2"} {
			r := do(t, sari, "GET", e.srv.URL+"/tuottaja/viestit"+bad, nil)
			if m := inboxLink.FindAllStringSubmatch(r.body, -1); r.StatusCode != 200 || len(m) != 50 || m[0][1] != fmt.Sprint(sites[48]) {
				t.Errorf("inbox at %s: status %d, %d threads", bad, r.StatusCode, len(m))
			}
		}
		// Toinen's staff never sees Kotikulma's threads, whatever cursor
		// they send: none of their own pages, Kotikulma's own page-2
		// cursor copied, or keys past every thread.
		for _, page := range []string{"", next[1][len("/tuottaja/viestit"):], "?jalkeen=u9223372036854775807",
			"?jalkeen=r9223372036854775807", "?jalkeen=u1", "?jalkeen=r1"} {
			r := do(t, bertta, "GET", e.srv.URL+"/tuottaja/viestit"+page, nil)
			if m := inboxLink.FindAllStringSubmatch(r.body, -1); r.StatusCode != 200 || len(m) != 0 {
				t.Errorf("Toinen's inbox at %q: status %d, lists Kotikulma's threads: %v", page, r.StatusCode, m)
			}
		}
	})
}
