package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/demo"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// perfEnv is a server over the demo data, for the dashboard's component
// benchmarks and the page dump that shows a change to rendering or queries
// leaves every page byte-identical.
type perfEnv struct {
	db     *store.DB
	app    *app.App
	srv    *Server
	logins []demo.Login
}

func newPerfEnv(tb testing.TB, engine store.Engine, now func() time.Time) *perfEnv {
	tb.Helper()
	ctx := context.Background()
	db := storetest.Open(tb, engine, now)
	hasher := app.NewHasher(app.Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1})
	res, err := demo.Load(ctx, db, demo.Options{Now: now(),
		HashPassword: func(pw string) (string, error) { return hasher.Hash(ctx, pw) },
		Encrypt:      func(p []byte) ([]byte, error) { return p, nil }})
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.Analyze(ctx); err != nil {
		tb.Fatal(err)
	}
	a := app.New(db, hasher, nil)
	u, _ := url.Parse("http://127.0.0.1")
	s, err := New(Config{BaseURL: u}, a)
	if err != nil {
		tb.Fatal(err)
	}
	return &perfEnv{db: db, app: a, srv: s, logins: res.Accounts}
}

// signIn returns a session token of a demo address.
func (e *perfEnv) signIn(tb testing.TB, email string) string {
	tb.Helper()
	token, _, err := e.app.SignIn(context.Background(), email, demo.Password, app.Client{IP: "127.0.0.1"})
	if err != nil {
		tb.Fatal(err)
	}
	return token
}

// BenchmarkDashboardParts times the parts of one dashboard request of the
// demo customer without the network: authentication, the site's use case,
// rendering, and the whole handler.
//
//	go test ./internal/web -run '^$' -bench DashboardParts
func BenchmarkDashboardParts(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			e := newPerfEnv(b, engine, time.Now)
			ctx := context.Background()
			token := e.signIn(b, "asiakas@demo.example")
			v, err := e.app.Authenticate(ctx, token)
			if err != nil {
				b.Fatal(err)
			}
			siteID := v.Sites[len(v.Sites)-1].ID
			path := sitePath(siteID)
			b.Run("authenticate", func(b *testing.B) {
				loop(b, func() {
					if _, err := e.app.Authenticate(ctx, token); err != nil {
						b.Fatal(err)
					}
				})
			})
			b.Run("site", func(b *testing.B) {
				loop(b, func() {
					if _, err := e.app.Site(ctx, v, siteID); err != nil {
						b.Fatal(err)
					}
				})
			})
			b.Run("render", func(b *testing.B) {
				sum, err := e.app.Site(ctx, v, siteID)
				if err != nil {
					b.Fatal(err)
				}
				r := httptest.NewRequest("GET", path, nil)
				vw := &viewer{Viewer: v, token: token}
				p := sitePage{layout: e.srv.base(r, vw, "site.summary"), SiteSummary: sum, Access: accessForm(sum.Site.Access)}
				p.CurrentSite, p.Section, p.Title = siteID, "home", sum.Site.Name
				loop(b, func() {
					w := discardWriter{h: http.Header{}}
					if err := e.srv.render(&w, r, http.StatusOK, "site", p); err != nil {
						b.Fatal(err)
					}
				})
			})
			b.Run("handler", func(b *testing.B) {
				loop(b, func() {
					r := httptest.NewRequest("GET", path, nil)
					r.Header.Set("Cookie", "asiakassivu="+token)
					w := discardWriter{h: http.Header{}}
					e.srv.ServeHTTP(&w, r)
					if w.status != http.StatusOK {
						b.Fatalf("status %d", w.status)
					}
				})
			})
		})
	}
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs fn b.N times and reports the CPU time per run beside the wall
// time: on a machine shared with other work, the CPU time is the steadier
// figure.
func loop(b *testing.B, fn func()) {
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		fn()
	}
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op")
}

// discardWriter is a ResponseWriter that keeps only the status.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *discardWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(b), nil
}

var sitePathRE = regexp.MustCompile(`/kohteet/\d+(?:/palveluvuorot/\d+)?`)

// page is one response of walkPages: the request, status, headers (Date
// left out, the session token masked) and body.
type page struct {
	name string
	dump []byte
}

// walkPages fetches, in every language, the pages a signed-out visitor and
// every demo sign-in (signed in once, by signInAll) see: sign-in, install and not-found pages, the site
// list, profile and feedback, and of each site its dashboard (also with
// the saved notice), visits, a visit, feedback, and the access form sent
// with an error.
func walkPages(t *testing.T, e *perfEnv, baseURL string, tokens map[string]string) []page {
	var out []page
	get := func(name, method, path, token, lang string, form url.Values) string {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, baseURL+path, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		var cookies []string
		if token != "" {
			cookies = append(cookies, "asiakassivu="+token)
		}
		if lang != "" {
			cookies = append(cookies, langCookie+"="+lang)
		}
		if len(cookies) > 0 {
			req.Header.Set("Cookie", strings.Join(cookies, "; "))
		}
		r, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		var sb strings.Builder
		fmt.Fprintf(&sb, "%s %s\n%d\n", method, path, r.StatusCode)
		keys := make([]string, 0, len(r.Header))
		for k := range r.Header {
			if k != "Date" {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			v := strings.Join(r.Header[k], " | ")
			if token != "" {
				v = strings.ReplaceAll(v, token, "TOKEN")
			}
			fmt.Fprintf(&sb, "%s: %s\n", k, v)
		}
		sb.WriteString("\n")
		sb.Write(b)
		out = append(out, page{fmt.Sprintf("%03d-%s-%s.txt", len(out)+1, name, orDefault(lang, "default")), []byte(sb.String())})
		return string(b)
	}
	for _, lang := range []string{"", "fi", "sv", "en"} {
		get("signedout-signin", "GET", "/kirjaudu", "", lang, nil)
		get("signedout-install", "GET", "/asenna", "", lang, nil)
		get("signedout-404", "GET", "/ei-ole", "", lang, nil)
		for _, l := range e.logins {
			if !l.HasAccount {
				continue
			}
			token := tokens[l.Email]
			who := strings.SplitN(l.Email, "@", 2)[0]
			list := get(who+"-sites", "GET", "/kohteet", token, lang, nil)
			get(who+"-profile", "GET", "/profiili", token, lang, nil)
			get(who+"-404", "GET", "/kohteet/999999", token, lang, nil)
			get(who+"-feedback", "GET", "/palaute", token, lang, nil)
			var paths []string
			for _, p := range sitePathRE.FindAllString(list, -1) {
				if !slices.Contains(paths, p) {
					paths = append(paths, p)
				}
			}
			for _, p := range paths {
				get(who+"-site", "GET", p, token, lang, nil)
				get(who+"-site-saved", "GET", p+"?ok=ohjeet", token, lang, nil)
				visits := get(who+"-visits", "GET", p+"/palveluvuorot", token, lang, nil)
				get(who+"-sitefeedback", "GET", p+"/palaute", token, lang, nil)
				for _, vp := range sitePathRE.FindAllString(visits, -1) {
					if strings.Contains(vp, "/palveluvuorot/") {
						get(who+"-visit", "GET", vp, token, lang, nil)
						break
					}
				}
				get(who+"-access-invalid", "POST", p+"/ohjeet", token, lang,
					url.Values{"access_keys": {strings.Repeat("x", 600)}, "access_pets": {"kissa"}})
			}
		}
	}
	return out
}

// signInAll signs every demo address that has an account in.
func signInAll(t *testing.T, e *perfEnv) map[string]string {
	tokens := map[string]string{}
	for _, l := range e.logins {
		if l.HasAccount {
			tokens[l.Email] = e.signIn(t, l.Email)
		}
	}
	return tokens
}

// perfNow is the fixed time of the page comparisons.
var perfNow = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// TestPerfDumpPages writes the pages of walkPages to the directory named by
// ASIAKASSIVU_PERF_DUMP (skipped without it), at a fixed time, per engine:
// dumps made before and after a change to rendering or queries are
// compared with diff -r.
func TestPerfDumpPages(t *testing.T) {
	dir := os.Getenv("ASIAKASSIVU_PERF_DUMP")
	if dir == "" {
		t.Skip("ASIAKASSIVU_PERF_DUMP not set")
	}
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			e := newPerfEnv(t, engine, func() time.Time { return perfNow })
			srv := httptest.NewServer(e.srv)
			defer srv.Close()
			out := filepath.Join(dir, string(engine))
			if err := os.MkdirAll(out, 0o755); err != nil {
				t.Fatal(err)
			}
			for _, p := range walkPages(t, e, srv.URL, signInAll(t, e)) {
				if err := os.WriteFile(filepath.Join(out, p.name), p.dump, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
