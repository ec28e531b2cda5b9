package e2e

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cachestorage"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// copyState is what the device's offline copy holds, read in the page: the
// language its pages were fetched in and their paths ("" and none when
// there is no copy).
type copyState struct {
	Name, Lang string
	Paths      []string
}

func readCopy(t *testing.T, ctx context.Context) copyState {
	t.Helper()
	st, err := chromedp.Run(ctx, chromedp.Evaluate[copyState](`(async () => {
		for (const name of await caches.keys()) {
			if (!name.startsWith("asiakassivu-copy-")) continue;
			const cache = await caches.open(name);
			const list = await cache.match("/offline/kopio");
			const paths = (await cache.keys()).map((r) => new URL(r.url).pathname);
			return { name, lang: list ? (await list.json()).lang : "", paths };
		}
		return { name: "", lang: "", paths: [] };
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("reading the copy: %v", err)
	}
	return st
}

// waitCopy waits until the copy is complete (its list is written last) in
// the language lang.
func waitCopy(t *testing.T, ctx context.Context, lang string) copyState {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		st := readCopy(t, ctx)
		if st.Lang == lang {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("no offline copy in %s: %+v", lang, st)
		}
	}
}

// bannerOf opens path (offline) and returns the banner's text, "" when the
// page has none, and the page's h1.
func bannerOf(t *testing.T, ctx context.Context, u string) (banner, h1 string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.getElementById("offline-banner")?.innerText ?? "", document.querySelector("h1").innerText]`))
	if err != nil {
		t.Fatal(err)
	}
	return got[0], got[1]
}

var offlineTitles = map[string]bool{"Ei verkkoyhteyttä": true, "Ingen nätverksanslutning": true, "No network connection": true}

// TestOfflineCopy: after a customer's visit, with the network cut, the
// dashboard, a visit page and the access instructions open from the copy
// with the banner and disabled forms, in fi/sv/en; the profile and the
// consent page do not; the banner goes when the network is back; after
// sign-out nothing personal opens offline and the cache storage, read
// through CDP, holds nothing personal.
func TestOfflineCopy(t *testing.T) {
	srv := startServer(t)
	ctx := browserWithin(t, 360, 740, 3*time.Minute)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/asenna"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if active, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`navigator.serviceWorker.ready.then((r) => r.active !== null)`, chromedp.EvalAwaitPromise)); err != nil || !active {
		t.Fatalf("service worker not active: %v %v", active, err)
	}
	signIn(t, ctx, srv.url, "asiakas@demo.example", "demo-salasana-2025")
	site, _ := chromedp.Run(ctx, chromedp.Location())
	sitePath := mustPath(t, site)
	st := waitCopy(t, ctx, "fi")
	visit := ""
	for _, p := range st.Paths {
		if regexp.MustCompile(`^/kohteet/\d+/palveluvuorot/\d+$`).MatchString(p) && strings.HasPrefix(p, sitePath+"/") {
			visit = p
		}
		if strings.HasPrefix(p, "/profiili") || p == "/kotitalousvahennys" || strings.HasSuffix(p, "/viestit") {
			t.Errorf("the copy holds %s", p)
		}
	}
	if visit == "" || !contains(st.Paths, sitePath) || !contains(st.Paths, "/kohteet") {
		t.Fatalf("the copy lacks a page: %v (site %s)", st.Paths, sitePath)
	}

	setOffline(t, ctx, true)
	for _, u := range []string{srv.url + "/", srv.url + visit, site} {
		banner, h1 := bannerOf(t, ctx, u)
		if !strings.HasPrefix(banner, "Ei verkkoyhteyttä — tiedot ajalta ") || offlineTitles[h1] {
			t.Errorf("offline %s: banner %q, h1 %q", u, banner, h1)
		}
	}
	// The site's page: the access instructions and the provider's number,
	// its forms disabled with a note; signing out still works.
	page, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
		Access, Phone, Disabled bool
		Notes                   int
		SignOut                 bool
	}](`({
		access: document.getElementById("h-access") !== null,
		phone: document.querySelector('main a[href^="tel:"]') !== null,
		disabled: [...document.querySelectorAll("main form")].length > 0 &&
			[...document.querySelectorAll("main form")].every((f) => [...f.elements].every((e) => e.disabled)),
		notes: document.querySelectorAll("main .offline-note").length,
		signOut: !document.querySelector("form.signout button").disabled,
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if !page.Access || !page.Phone || !page.Disabled || page.Notes == 0 || !page.SignOut {
		t.Errorf("the site's page from the copy: %+v", page)
	}
	if over, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); over {
		t.Error("the page from the copy scrolls sideways at 360 px")
	}
	shot(t, ctx, "phone-offline-copy-fi")
	axeIfSet(t, ctx, "the site's page from the offline copy")
	// And on a computer's screen.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "desktop-offline-copy-fi")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/profiili", "/kotitalousvahennys", sitePath + "/viestit"} {
		if banner, h1 := bannerOf(t, ctx, srv.url+p); banner != "" || !offlineTitles[h1] {
			t.Errorf("offline %s: banner %q, h1 %q; want the offline page", p, banner, h1)
		}
	}

	// The network comes back: the page loads afresh, without the banner.
	if banner, _ := bannerOf(t, ctx, site); banner == "" {
		t.Fatal("no banner before the network returns")
	}
	setOffline(t, ctx, false)
	if err := chromedp.Do(ctx, chromedp.WaitNotPresent(chromedp.CSS("#offline-banner")), chromedp.WaitVisible(chromedp.CSS("#h-access"))); err != nil {
		t.Errorf("the banner stayed after the network returned: %v", err)
	}

	// Swedish and English: the copy follows the language.
	for _, lang := range []struct{ code, banner string }{{"sv", "Ingen nätverksanslutning — uppgifter från "}, {"en", "No network connection — details from "}} {
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "asiakassivu_lang", Value: lang.code, URL: srv.url}); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(site), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
			t.Fatal(err)
		}
		waitCopy(t, ctx, lang.code)
		setOffline(t, ctx, true)
		if banner, _ := bannerOf(t, ctx, srv.url+visit); !strings.HasPrefix(banner, lang.banner) {
			t.Errorf("%s: banner %q", lang.code, banner)
		}
		bannerOf(t, ctx, site)
		shot(t, ctx, "phone-offline-copy-"+lang.code)
		setOffline(t, ctx, false)
	}

	// Sign-out: the copy goes.
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "asiakassivu_lang", Value: "fi", URL: srv.url}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(site), chromedp.WaitVisible(chromedp.CSS("#h-access")),
		chromedp.Click(chromedp.CSS("details.menu summary")),
		leavePage(chromedp.Click(chromedp.CSS("form.signout button"))),
		chromedp.WaitVisible(chromedp.CSS("#email")))
	if err != nil {
		t.Fatalf("sign out: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); readCopy(t, ctx).Name != ""; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the copy outlived the sign-out: %+v", readCopy(t, ctx))
		}
	}
	setOffline(t, ctx, true)
	for _, p := range []string{"/", sitePath, visit, "/kohteet"} {
		banner, h1 := bannerOf(t, ctx, srv.url+p)
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		if banner != "" || !offlineTitles[h1] || strings.Contains(text, "asiakas@demo.example") {
			t.Errorf("after sign-out, offline %s: banner %q, h1 %q", p, banner, h1)
		}
	}
	// The cache storage as the browser holds it: the offline page and the
	// static files only.
	names, err := chromedp.Call(ctx, cachestorage.RequestCacheNames, cachestorage.RequestCacheNamesParams{SecurityOrigin: srv.url})
	if err != nil {
		t.Fatal(err)
	}
	if len(names.Caches) == 0 {
		t.Error("CDP lists no caches (the release's should be there)")
	}
	for _, c := range names.Caches {
		if strings.HasPrefix(c.CacheName, "asiakassivu-copy-") {
			t.Errorf("cache %s after sign-out", c.CacheName)
		}
		entries, err := chromedp.Call(ctx, cachestorage.RequestEntries, cachestorage.RequestEntriesParams{CacheID: c.CacheID, PageSize: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries.CacheDataEntries {
			p := mustPath(t, e.RequestURL)
			if p != "/offline" && !strings.HasPrefix(p, "/static/") {
				t.Errorf("cache %s holds %s after sign-out", c.CacheName, p)
			}
		}
	}
	setOffline(t, ctx, false)
}

func mustPath(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return p.Path
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
