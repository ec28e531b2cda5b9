package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// addVisit gives a site one more visit starting at, for the copy's tests.
func addVisit(t *testing.T, e *env, site, ext string, at time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = tx.UpsertVisit(ctx, portal.Visit{SiteID: e.sites[site], Source: "t", ExternalID: ext, StartsAt: at,
			EndsAt: at.Add(2 * time.Hour), Status: portal.VisitConfirmed, WorkerFirstName: "Aino"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func copyListOf(t *testing.T, e *env, c *http.Client) (copyList, resp) {
	t.Helper()
	r := do(t, c, "GET", e.srv.URL+copyListPath, nil)
	var l copyList
	if r.StatusCode == 200 {
		if err := json.Unmarshal([]byte(r.body), &l); err != nil {
			t.Fatalf("%s: %v\n%s", copyListPath, err, r.body)
		}
	}
	return l, r
}

// TestOfflineCopyList: the server decides what a device keeps — a
// customer's own sites, each with its upcoming visits of the next 14 days
// (Helsinki) and its latest bill, under a name of the account's own; never
// the profile, the consent page or anyone else's pages; nothing for staff;
// a signed-out caller is sent to sign in.
func TestOfflineCopyList(t *testing.T) {
	// Tuesday 8.12.2026 at 8.05 in Helsinki.
	clock := storetest.NewClock(time.Date(2026, 12, 8, 8, 5, 0, 0, portal.Helsinki))
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		koti, mokki := sitePath(e.sites["koti"]), sitePath(e.sites["mokki"])
		last := addVisit(t, e, "koti", "last", e.at(14, 23, 0))    // the 14th day ahead: kept
		beyond := addVisit(t, e, "koti", "beyond", e.at(15, 7, 0)) // the 15th: not
		past := addVisit(t, e, "koti", "past", e.at(-2, 9, 0))
		_, inv := addInvoice(t, e)

		maija := e.client(t)
		if _, r := copyListOf(t, e, maija); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/kirjaudu") {
			t.Errorf("signed out: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		e.signIn(t, maija, "maija@example.fi")
		l, r := copyListOf(t, e, maija)
		if r.Header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("list headers %v", r.Header)
		}
		visit := func(site string, id int64) string { return site + "/palveluvuorot/" + strconv.FormatInt(id, 10) }
		want := []string{"/kohteet", koti, koti + "/palveluvuorot", visit(koti, e.visits["koti"]), visit(koti, last),
			koti + "/laskut/" + strconv.FormatInt(inv, 10), mokki, mokki + "/palveluvuorot", visit(mokki, e.visits["mokki"])}
		got := slices.Clone(l.Pages)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("pages\n got %q\nwant %q", got, want)
		}
		if l.Copy != maijaCopy(t, e) || len(l.Copy) != 24 {
			t.Errorf("copy name %q", l.Copy)
		}
		if l.Home != koti {
			t.Errorf("home %q, want the first site %s", l.Home, koti)
		}
		// The front page leads to the site opened last on this device.
		do(t, maija, "GET", e.srv.URL+mokki, nil)
		if l, _ := copyListOf(t, e, maija); l.Home != mokki {
			t.Errorf("home after opening mokki: %q", l.Home)
		}
		for _, p := range l.Pages {
			for _, never := range []string{visit(koti, beyond), visit(koti, past), "/profiili", "/kotitalousvahennys",
				"/viestit", sitePath(e.sites["matti"]), sitePath(e.sites["pekka"])} {
				if strings.HasPrefix(p, never) {
					t.Errorf("list holds %s", p)
				}
			}
		}

		// Matti's list is his own, under another name.
		matti := e.client(t)
		e.signIn(t, matti, "matti@example.fi")
		ml, _ := copyListOf(t, e, matti)
		if ml.Copy == "" || ml.Copy == l.Copy || !slices.Contains(ml.Pages, sitePath(e.sites["matti"])) || slices.Contains(ml.Pages, koti) {
			t.Errorf("matti's list %+v", ml)
		}
		// Staff and a customer with no sites: nothing to keep.
		for _, who := range []string{"sari@kotikulma.example", "tyhja@example.fi"} {
			c := e.client(t)
			e.signIn(t, c, who)
			l, r := copyListOf(t, e, c)
			wantName := ""
			if who == "tyhja@example.fi" {
				wantName = l.Copy // a customer: the name, and only the sites list
				if len(l.Pages) != 1 || l.Pages[0] != "/kohteet" {
					t.Errorf("%s: %+v", who, l)
				}
			} else if len(l.Pages) != 0 {
				t.Errorf("%s: %+v", who, l)
			}
			if r.StatusCode != 200 || l.Copy != wantName {
				t.Errorf("%s: %d %+v", who, r.StatusCode, l)
			}
		}
	})
}

// maijaCopy is the name of maija's copy: her account and her two homes.
func maijaCopy(t *testing.T, e *env) string {
	t.Helper()
	return copyName(maijaID(t, e), []portal.Site{{ID: e.sites["koti"]}, {ID: e.sites["mokki"]}})
}

func maijaID(t *testing.T, e *env) int64 {
	t.Helper()
	var id int64
	err := e.db.Read(context.Background(), func(tx *store.Tx) error {
		acc, err := tx.VerifiedAccountByEmail(context.Background(), "maija@example.fi")
		id = acc.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestOfflineCopyPages: a page fetched for the copy (the worker's header)
// may be kept — no no-store — and carries the banner with the time of the
// fetch in Helsinki, in the page's language; the same page opened normally
// says no-store and has no banner; pages that are never kept say no-store
// also when asked for the copy, and so does anyone else's page; fetching
// for the copy does not move the device's remembered site.
func TestOfflineCopyPages(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 12, 8, 8, 5, 0, 0, portal.Helsinki))
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		_, inv := addInvoice(t, e)
		koti := sitePath(e.sites["koti"])
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		name := maijaCopy(t, e)
		kept := []string{"/kohteet", koti, koti + "/palveluvuorot", koti + "/palveluvuorot/" + strconv.FormatInt(e.visits["koti"], 10),
			koti + "/laskut/" + strconv.FormatInt(inv, 10)}
		for _, lang := range []struct{ code, banner, note string }{
			{"fi", "Ei verkkoyhteyttä — tiedot ajalta ti 8.12. klo 8.05", "Lomakkeita ei voi lähettää ilman verkkoyhteyttä."},
			{"sv", "Ingen nätverksanslutning — uppgifter från tis 8.12. kl. 8.05", "Formulär kan inte skickas utan nätverksanslutning."},
			{"en", "No network connection — details from Tue 8 Dec at 8:05", "Forms cannot be sent without a network connection."},
		} {
			for _, p := range kept {
				r := do(t, maija, "GET", e.srv.URL+p, nil, copyHeader, "1", "Cookie", langCookie+"="+lang.code)
				if r.StatusCode != 200 || r.Header.Get("Cache-Control") != "private, no-cache" || r.Header.Get("Vary") != copyHeader {
					t.Errorf("%s for the copy: %d %q", p, r.StatusCode, r.Header.Get("Cache-Control"))
				}
				if !strings.Contains(r.body, `<p class="offline-banner" id="offline-banner" role="status" data-forms-off="`+lang.note) ||
					!strings.Contains(r.body, lang.banner+"</p>") || !strings.Contains(r.body, `data-copy="`+name+`"`) {
					t.Errorf("%s (%s) for the copy lacks the banner %q", p, lang.code, lang.banner)
				}
				for _, c := range r.Cookies() {
					if c.Name == siteCookie {
						t.Errorf("%s for the copy sets the remembered site", p)
					}
				}
			}
		}
		for _, p := range kept {
			r := do(t, maija, "GET", e.srv.URL+p, nil)
			if r.Header.Get("Cache-Control") != "no-store" || strings.Contains(r.body, "offline-banner") || !strings.Contains(r.body, `data-copy="`+name+`"`) {
				t.Errorf("%s opened normally: %q, banner %v", p, r.Header.Get("Cache-Control"), strings.Contains(r.body, "offline-banner"))
			}
		}
		// Never kept, also when asked for the copy.
		for _, p := range []string{"/profiili", "/profiili/omat-tiedot", "/kotitalousvahennys", koti + "/viestit", koti + "/laskut",
			"/vuosikooste", copyListPath} {
			r := do(t, maija, "GET", e.srv.URL+p, nil, copyHeader, "1")
			if r.Header.Get("Cache-Control") != "no-store" || strings.Contains(r.body, "offline-banner") {
				t.Errorf("%s for the copy: %d %q", p, r.StatusCode, r.Header.Get("Cache-Control"))
			}
		}
		// Another customer's pages, a staff member and a stale session:
		// no-store, no banner.
		matti := e.client(t)
		e.signIn(t, matti, "matti@example.fi")
		sari := e.client(t)
		e.signIn(t, sari, "sari@kotikulma.example")
		stale := e.client(t)
		e.signIn(t, stale, "maija@example.fi")
		do(t, stale, "POST", e.srv.URL+"/kirjaudu-ulos", nil)
		for _, c := range []*http.Client{matti, sari, stale} {
			for _, p := range kept[1:] {
				r := do(t, c, "GET", e.srv.URL+p, nil, copyHeader, "1")
				if r.Header.Get("Cache-Control") != "no-store" || r.StatusCode == 200 || strings.Contains(r.body, "offline-banner") {
					t.Errorf("%s for another's copy: %d %q", p, r.StatusCode, r.Header.Get("Cache-Control"))
				}
			}
		}
	})
}

// TestCopyMarks: each page tells the worker whose it is — a customer's
// page names the copy, a signed-out page says "none" (drop it), a staff
// member's page says "none", the offline page and error pages say nothing.
func TestCopyMarks(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	anon := e.client(t)
	for _, p := range []string{"/kirjaudu", "/asenna", "/yhteystiedot"} {
		if r := do(t, anon, "GET", e.srv.URL+p, nil); !strings.Contains(r.body, `data-copy="none"`) {
			t.Errorf("signed-out %s lacks data-copy=none", p)
		}
	}
	maija := e.client(t)
	e.signIn(t, maija, "maija@example.fi")
	name := maijaCopy(t, e)
	for _, p := range []string{"/kohteet", "/profiili", "/asenna", "/kotitalousvahennys"} {
		if r := do(t, maija, "GET", e.srv.URL+p, nil); !strings.Contains(r.body, `data-copy="`+name+`"`) {
			t.Errorf("maija's %s lacks her copy's name", p)
		}
	}
	for _, p := range []string{"/offline", "/kohteet/999999"} {
		if r := do(t, maija, "GET", e.srv.URL+p, nil); strings.Contains(r.body, "data-copy") {
			t.Errorf("%s speaks of the copy", p)
		}
	}
	sari := e.client(t)
	e.signIn(t, sari, "sari@kotikulma.example")
	if r := do(t, sari, "GET", e.srv.URL+"/tuottaja", nil); !strings.Contains(r.body, `data-copy="none"`) {
		t.Error("staff page does not drop a copy")
	}
	one := []portal.Site{{ID: 1}, {ID: 2}}
	if copyName(1, one) == copyName(2, one) || copyName(1, one) != copyName(1, []portal.Site{{ID: 2}, {ID: 1}}) {
		t.Error("copy names are not per account")
	}
	// A home granted, revoked or left, or another role: another copy.
	for _, other := range [][]portal.Site{{{ID: 1}}, {{ID: 1}, {ID: 2}, {ID: 3, Grant: portal.GrantLink{Role: portal.GrantFollower}}},
		{{ID: 1}, {ID: 2, Grant: portal.GrantLink{Role: portal.GrantCaretaker}}}} {
		if copyName(1, other) == copyName(1, one) {
			t.Errorf("copy of %+v is named as of %+v", other, one)
		}
	}
}

// TestOfflineCopyFollowsGrants: a relative's device keeps the home granted
// to them (without its bills for a follower), and once the owner revokes
// the grant the relative's pages name another copy, so the worker drops
// the one holding the home at once; the new list holds nothing of it.
func TestOfflineCopyFollowsGrants(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		_, inv := addInvoice(t, e)
		koti := sitePath(e.sites["koti"])
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		liisa := e.grantKoti(t, maija, "liisa@example.fi", portal.GrantFollower)
		l, _ := copyListOf(t, e, liisa)
		if !slices.Contains(l.Pages, koti) || slices.Contains(l.Pages, koti+"/laskut/"+strconv.FormatInt(inv, 10)) {
			t.Errorf("a follower's list %q: want koti, not its bill", l.Pages)
		}
		if r := do(t, liisa, "GET", e.srv.URL+"/kohteet", nil); !strings.Contains(r.body, `data-copy="`+l.Copy+`"`) {
			t.Fatal("liisa's page does not name her copy")
		}
		r := do(t, maija, "GET", e.srv.URL+koti+"/paasy", nil)
		m := regexp.MustCompile(`/paasy/(\d+)/poista`).FindStringSubmatch(r.body)
		if m == nil {
			t.Fatal("no revoke button on maija's page")
		}
		if r := do(t, maija, "POST", e.srv.URL+koti+"/paasy/"+m[1]+"/poista", url.Values{}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: %d", r.StatusCode)
		}
		after, _ := copyListOf(t, e, liisa)
		if after.Copy == l.Copy || after.Copy == "" {
			t.Errorf("the copy keeps its name %q after the revocation", after.Copy)
		}
		for _, p := range after.Pages {
			if strings.HasPrefix(p, koti) {
				t.Errorf("the list still holds %s", p)
			}
		}
		if r := do(t, liisa, "GET", e.srv.URL+"/kohteet", nil); !strings.Contains(r.body, `data-copy="`+after.Copy+`"`) {
			t.Error("liisa's page does not name her new copy")
		}
	})
}
