package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestInstallableApp: Chromium finds nothing missing for installing, the
// service worker takes control, keeps no signed-in page, and shows the
// offline page when the network is gone.
func TestInstallableApp(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t, 1280, 900)
	// Note whether the browser offers to install (it does when the app is
	// installable, also headless).
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `addEventListener("beforeinstallprompt", () => { window.installOffered = true; });`,
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/asenna"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	active, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`navigator.serviceWorker.ready.then((r) => r.active !== null)`, chromedp.EvalAwaitPromise))
	if err != nil || !active {
		t.Fatalf("service worker not active: %v %v", active, err)
	}
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if controlled, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`navigator.serviceWorker.controller !== null`)); err != nil || !controlled {
		t.Errorf("the service worker does not control the page after a reload (%v)", err)
	}

	inst, err := chromedp.Call(ctx, page.GetInstallabilityErrors, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range inst.InstallabilityErrors {
		var args []string
		for _, a := range e.ErrorArguments {
			args = append(args, a.Name+"="+a.Value)
		}
		t.Errorf("installability error %s %v", e.ErrorID, args)
	}
	man, err := chromedp.Call(ctx, page.GetAppManifest, page.GetAppManifestParams{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range man.Errors {
		t.Errorf("manifest error: %s (line %d)", e.Message, e.Line)
	}
	if !strings.HasSuffix(man.URL, "/manifest.webmanifest") {
		t.Errorf("manifest URL %q", man.URL)
	}
	// The install button shows exactly when the browser offers to install
	// (Chromium does when nothing is missing, also headless). One
	// expression reads both, so the event cannot fall between them.
	state, err := chromedp.Run(ctx, chromedp.Evaluate[[]bool](`[window.installOffered === true, !document.getElementById("install-offer").hidden]`))
	if err != nil {
		t.Fatal(err)
	}
	if state[0] != state[1] {
		t.Errorf("beforeinstallprompt fired: %v, install button shown: %v", state[0], state[1])
	}
	shot(t, ctx, "desktop-install-offer")

	// Signed-in pages go through the service worker and never into its
	// cache, but for the offline copy's own (TestOfflineCopy).
	signIn(t, ctx, srv.url, "asiakas@demo.example", "demo-salasana-2025")
	sitePage := srv.url + "/profiili" // a page the copy never keeps
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/kohteet"), chromedp.WaitVisible(chromedp.CSS("ul.sites"))); err != nil {
		t.Fatal(err)
	}
	cached, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(async () => {
		const paths = [];
		for (const name of await caches.keys()) {
			if (name.startsWith("asiakassivu-copy-")) continue;
			const cache = await caches.open(name);
			for (const req of await cache.keys()) paths.push(new URL(req.url).pathname);
		}
		return paths;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	hasOffline := false
	for _, p := range cached {
		hasOffline = hasOffline || p == "/offline"
		if p != "/offline" && !strings.HasPrefix(p, "/static/") {
			t.Errorf("the service worker cached %s", p)
		}
	}
	if !hasOffline || len(cached) < 4 {
		t.Errorf("precache holds %v, want the offline page and the static files", cached)
	}

	// Offline: the page asked for is answered by the offline page, in the
	// page's place; "try again" works once the network is back.
	setOffline(t, ctx, true)
	if err := chromedp.Do(ctx, chromedp.Navigate(sitePage), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatalf("navigate offline: %v", err)
	}
	h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if h1 != "Ei verkkoyhteyttä" {
		t.Errorf("offline: h1 = %q, want the offline page", h1)
	}
	if text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body"))); strings.Contains(text, "asiakas@demo.example") {
		t.Error("the offline page shows the signed-in email")
	}
	if styled, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`)); styled != "rgb(247, 245, 240)" {
		t.Errorf("offline page is unstyled (body background %s): CSS not from the cache", styled)
	}
	shot(t, ctx, "desktop-offline")
	setOffline(t, ctx, false)
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("section.offline a.button")),
		chromedp.WaitNotPresent(chromedp.CSS("section.offline")),
		chromedp.WaitVisible(chromedp.CSS("h1")))
	if err != nil {
		t.Fatalf("try again after the network is back: %v", err)
	}
	if h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1"))); h1 == "Ei verkkoyhteyttä" {
		t.Error("try again still shows the offline page")
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != sitePage {
		t.Errorf("try again led to %s, want %s", loc, sitePage)
	}

	// A new language choice reaches the stored offline page with the next
	// page load.
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "asiakassivu_lang", Value: "sv", URL: srv.url}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/asenna"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	// (A loop here, not chromedp.Poll: Poll builds its predicate with new
	// Function, which the page's CSP refuses.)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		sv, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`caches.match("/offline").then((r) => r ? r.text() : "").then((t) => t.includes('<html lang="sv"'))`,
			chromedp.EvalAwaitPromise))
		if err == nil && sv {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stored offline page did not turn Swedish (%v)", err)
		}
	}
	setOffline(t, ctx, true)
	if err := chromedp.Do(ctx, chromedp.Navigate(sitePage), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1"))); h1 != "Ingen nätverksanslutning" {
		t.Errorf("offline in Swedish: h1 = %q", h1)
	}
	setOffline(t, ctx, false)
}

// setOffline cuts or restores the network of the page and of its service
// worker.
func setOffline(t *testing.T, ctx context.Context, offline bool) {
	t.Helper()
	_, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: new(offline),
		MatchedNetworkConditions:    []*network.Conditions{{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}},
	})
	if err != nil {
		t.Fatalf("emulate offline=%v: %v", offline, err)
	}
}

// TestInstallAndOfflinePagesOnPhone: at 360 px nothing scrolls sideways.
func TestInstallAndOfflinePagesOnPhone(t *testing.T) {
	srv := startServer(t)
	for _, vp := range []struct {
		name          string
		width, height int
	}{{"phone", 360, 740}, {"desktop", 1280, 900}} {
		t.Run(vp.name, func(t *testing.T) {
			ctx := browser(t, vp.width, vp.height)
			for _, p := range []struct{ path, name string }{{"/asenna", "install"}, {"/offline", "offline-page"}} {
				if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+p.path), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
					t.Fatal(err)
				}
				if over, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); over {
					t.Errorf("%s scrolls sideways at %d px", p.path, vp.width)
				}
				shot(t, ctx, vp.name+"-"+p.name)
			}
		})
	}
}
