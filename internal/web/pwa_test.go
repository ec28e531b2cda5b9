package web

import (
	"encoding/json"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// cssColor returns the value of a custom property in the light scheme of
// style.css.
func cssColor(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(name) + `:\s*(#[0-9a-fA-F]{6});`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("style.css has no %s", name)
	}
	return strings.ToLower(string(m[1]))
}

func TestManifest(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	c := e.client(t)
	r := do(t, c, "GET", e.srv.URL+"/manifest.webmanifest", nil)
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/manifest+json" ||
		r.Header.Get("Cache-Control") != "no-cache" || r.Header.Get("ETag") == "" {
		t.Fatalf("manifest: %d %v", r.StatusCode, r.Header)
	}
	if again := do(t, c, "GET", e.srv.URL+"/manifest.webmanifest", nil, "If-None-Match", r.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", again.StatusCode)
	}
	var m webManifest
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatal(err)
	}
	if m.Name != "Asiakassivu" || m.ShortName == "" || len(m.ShortName) > 12 || m.StartURL != "/" || m.Scope != "/" ||
		m.Display != "standalone" || m.Lang != "fi" || m.ID == "" || m.Description == "" || strings.Contains(m.Description, "pwa.") {
		t.Errorf("manifest fields: %+v", m)
	}
	if m.ThemeColor != cssColor(t, "--accent") || m.BackgroundColor != cssColor(t, "--bg") {
		t.Errorf("colours %s/%s do not match style.css %s/%s", m.ThemeColor, m.BackgroundColor, cssColor(t, "--accent"), cssColor(t, "--bg"))
	}
	have := map[string]bool{}
	for _, ic := range m.Icons {
		have[ic.Sizes+" "+ic.Purpose] = true
		r := do(t, c, "GET", e.srv.URL+ic.Src, nil)
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("icon %s: %d %v", ic.Src, r.StatusCode, r.Header)
			continue
		}
		img, err := png.Decode(strings.NewReader(r.body))
		if err != nil {
			t.Errorf("icon %s: %v", ic.Src, err)
			continue
		}
		if got := strconv.Itoa(img.Bounds().Dx()) + "x" + strconv.Itoa(img.Bounds().Dy()); got != ic.Sizes || ic.Type != "image/png" {
			t.Errorf("icon %s is %s %s, manifest says %s %s", ic.Src, got, r.Header.Get("Content-Type"), ic.Sizes, ic.Type)
		}
	}
	for _, want := range []string{"192x192 any", "512x512 any", "192x192 maskable", "512x512 maskable"} {
		if !have[want] {
			t.Errorf("manifest lacks a %s icon: %v", want, have)
		}
	}
}

func TestServiceWorkerScript(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	s := e.srv.Config.Handler.(*Server)
	r := do(t, e.client(t), "GET", e.srv.URL+"/sw.js", nil)
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/javascript") || r.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("sw.js: %d %v", r.StatusCode, r.Header)
	}
	for name, u := range s.assets.urls {
		if !strings.Contains(r.body, `"`+u+`"`) {
			t.Errorf("sw.js does not precache %s (%s)", name, u)
		}
	}
	for _, want := range []string{`const OFFLINE_URL = "/offline"`, `request.mode === "navigate"`, `const CACHE = "asiakassivu-`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("sw.js lacks %q", want)
		}
	}
	// No page's address but the offline copy's guard (only the sites'
	// pages may ever be kept; the server lists which).
	if strings.Contains(r.body, "{{") || strings.Count(r.body, "/kohteet") != 1 || !strings.Contains(r.body, `/^\/kohteet(\/|$)/.test(p)`) {
		t.Errorf("sw.js holds a template action or a page URL:\n%s", r.body)
	}
	// Three puts: a static file, a page of the offline copy that its answer
	// lets keep (TestServiceWorkerOfflineCopy runs them), the copy's list.
	if n := strings.Count(r.body, "cache.put("); n != 3 || !strings.Contains(r.body, `url.pathname.startsWith("/static/")`) ||
		!regexp.MustCompile(`const page = await kept\(response, "text/html"\);\n(?:.*\n){0,3}    if \(page\) \{\n      await cache.put\(path, page\);`).MatchString(r.body) {
		t.Errorf("sw.js stores more than static files and the offline copy (%d puts)", n)
	}
}

func TestOfflinePageHoldsNoPersonalData(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	c := e.client(t)
	e.signIn(t, c, "maija@example.fi")
	r := do(t, c, "GET", e.srv.URL+"/offline", nil)
	if r.StatusCode != 200 || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("offline: %d %v", r.StatusCode, r.Header)
	}
	for _, leak := range []string{"maija@example.fi", "Kohde koti", "kirjaudu-ulos"} {
		if strings.Contains(r.body, leak) {
			t.Errorf("offline page holds %q", leak)
		}
	}
	for _, want := range []string{"Ei verkkoyhteyttä", `href=""`, "Yritä uudelleen"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("offline page lacks %q", want)
		}
	}
	u, _ := url.Parse(e.srv.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: langCookie, Value: "sv", Path: "/"}})
	if r := do(t, c, "GET", e.srv.URL+"/offline", nil); !strings.Contains(r.body, "Ingen nätverksanslutning") || !strings.Contains(r.body, `lang="sv"`) {
		t.Errorf("offline page is not in Swedish")
	}
}

func TestInstallPage(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	c := e.client(t)
	r := do(t, c, "GET", e.srv.URL+"/asenna", nil)
	if r.StatusCode != 200 {
		t.Fatalf("signed out: %d", r.StatusCode)
	}
	for _, want := range []string{"Asenna Asiakassivu laitteellesi", "iPhone ja iPad (Safari)", "Lisää Koti-valikkoon",
		"Android", "Asenna sovellus", "Chrome tai Edge", "Firefox", "lisäosaa", "jokaiselle laitteelle erikseen",
		`id="install-offer" hidden`, `data-installed="`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("install page lacks %q", want)
		}
	}
	e.signIn(t, c, "maija@example.fi")
	if r := do(t, c, "GET", e.srv.URL+"/asenna", nil); r.StatusCode != 200 || !strings.Contains(r.body, "maija@example.fi") {
		t.Errorf("signed in: %d, or no signed-in layout", r.StatusCode)
	}
}

// TestLayoutMakesTheAppInstallable: every page links the manifest, the
// icons and the script (no inline script anywhere).
func TestLayoutMakesTheAppInstallable(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	s := e.srv.Config.Handler.(*Server)
	r := do(t, e.client(t), "GET", e.srv.URL+"/kirjaudu", nil)
	for _, want := range []string{
		`<link rel="manifest" href="/manifest.webmanifest">`,
		`<meta name="theme-color" content="` + DefaultBrandColor + `"`,
		`<link rel="apple-touch-icon" href="` + s.assets.url("apple-touch-icon.png") + `">`,
		`<script type="module" src="` + s.assets.url("app.js") + `"></script>`,
		`<a href="/asenna">Asenna laitteelle</a>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("layout lacks %s", want)
		}
	}
	if regexp.MustCompile(`<script(?:[^>]*)>[^<]`).MatchString(r.body) || strings.Contains(r.body, " style=") {
		t.Error("inline script or style in the page")
	}
}

func TestProbes(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	c := e.client(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := do(t, c, "GET", e.srv.URL+p, nil); r.StatusCode != 200 || r.body != "ok\n" {
			t.Errorf("%s: %d %q", p, r.StatusCode, r.body)
		}
	}
	db.Close()
	if r := do(t, c, "GET", e.srv.URL+"/readyz", nil); r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz without a database: %d, want 503", r.StatusCode)
	}
	if r := do(t, c, "GET", e.srv.URL+"/healthz", nil); r.StatusCode != 200 {
		t.Errorf("/healthz without a database: %d, want 200 (the process is up)", r.StatusCode)
	}
}

func TestMetrics(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	c := e.client(t)
	e.signIn(t, c, "maija@example.fi")
	koti, mokki := strconv.FormatInt(e.sites["koti"], 10), strconv.FormatInt(e.sites["mokki"], 10)
	do(t, c, "GET", e.srv.URL+"/kohteet/"+koti, nil)
	do(t, c, "GET", e.srv.URL+"/kohteet/"+mokki, nil)
	do(t, c, "GET", e.srv.URL+"/kohteet/999999", nil)
	do(t, c, "GET", e.srv.URL+"/ei-ole/123", nil)
	do(t, c, "BREW", e.srv.URL+"/kohteet", nil)
	r := do(t, c, "GET", e.srv.URL+"/metrics", nil)
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %v", r.StatusCode, r.Header)
	}
	for _, want := range []string{
		`asiakassivu_http_requests_total{method="GET",route="/kohteet/{site}",status="200"} 2`,
		`asiakassivu_http_requests_total{method="GET",route="/kohteet/{site}",status="404"} 1`,
		`asiakassivu_http_requests_total{method="POST",route="/kirjaudu",status="303"} 1`,
		`asiakassivu_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`asiakassivu_http_requests_total{method="OTHER",route="unmatched",status="405"} 1`,
		`asiakassivu_http_request_duration_seconds_bucket{method="GET",route="/kohteet/{site}",le="0.25"}`,
		`go_goroutines `, `process_resident_memory_bytes `,
		`go_sql_open_connections{db_name="writer"}`, `go_sql_max_open_connections{db_name="reader"}`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	for _, raw := range []string{"/kohteet/" + koti, "/kohteet/999999", "/ei-ole"} {
		if strings.Contains(r.body, raw) {
			t.Errorf("metrics hold a raw path %s", raw)
		}
	}
	// Two servers in one process: each has its own registry.
	if _, err := New(Config{Log: nil}, nil); err != nil {
		t.Errorf("a second server: %v", err)
	}
}
