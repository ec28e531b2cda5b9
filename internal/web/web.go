// Package web is the portal's HTML interface: every route is listed in
// routes.go, each page has a typed data struct rendered by its templ
// component (the *.templ files, compiled to *_templ.go by `go tool templ
// generate`), and the static files are embedded.
package web

import (
	"cmp"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"runtime"
	"slices"
	"strings"

	"asiakassivu/internal/app"
	"asiakassivu/internal/i18n"
	"asiakassivu/internal/realtime"
	"asiakassivu/internal/web/icon"
	"asiakassivu/internal/web/metrics"
	"asiakassivu/internal/web/sse"
)

//go:embed templates static
var embedded embed.FS

// Config is what the web layer needs from the command line.
type Config struct {
	// BaseURL is the public address; an https URL turns on __Host- and
	// Secure cookies and HSTS.
	BaseURL *url.URL
	Log     *slog.Logger
	// PoolStats, when set, reports the database pools for /metrics.
	PoolStats func() map[string]sql.DBStats
	// DevOutbox, when set, gives the mail sent lately, newest first, shown
	// at /dev/posti (with its codes). Set it only with --dev or --demo on a
	// loopback address. The command hands in the mail package's outbox, so
	// web does not depend on how mail is sent.
	DevOutbox func() []SentMail
	// DevTOTP, when set with DevOutbox, gives the current authenticator
	// code of the demo's staff and admin accounts, shown on the same page.
	DevTOTP func() string
	// Hub signals the open message streams of a site; nil gives a hub of
	// this process only (enough on SQLite, where there is one instance).
	Hub *realtime.Hub
	// API, when set, serves everything under /api/v1/ (the ERP sync API,
	// internal/api). It authenticates by bearer token on its own: the
	// session cookie is not looked up for it, and its token is no session
	// here; the security headers, metrics and access log still apply.
	API http.Handler
	// TrustedProxies are the reverse proxies in front of the portal: a
	// request from one of them is from the client its X-Forwarded-For
	// names (clientIP). Empty: every request is from its peer.
	TrustedProxies []netip.Prefix
	// PlainStreams keeps HTTP/1 message streams in their requests, as
	// HTTP/2 ones are, instead of taking their connections over (sse): for
	// measuring the memory that saves.
	PlainStreams bool
	// Brand is the chain's name, colour and logo; empty fields are the
	// portal's own (DefaultBrandName, DefaultBrandColor, no logo).
	Brand Brand
	// Pages bounds how many requests that read the session (pages and
	// forms; not files, probes, the calendar feed or the API) are worked
	// on at once; the others wait their turn in the order they came
	// (admit). Zero: PagesPerCPU for each CPU the process may use.
	Pages int
}

// PagesPerCPU is Config.Pages' default for each CPU. Under wrk's 64
// connections on two cores, 4 to 16 pages at a time served as many
// dashboards a second as no bound and cut their p99 from about 54 ms to
// 24–36 ms on SQLite and from 111 to 66 ms on PostgreSQL (4 there: 130 ms);
// see docs/performance.md.
const PagesPerCPU = 8

// Server serves the HTML interface.
type Server struct {
	app     *app.App
	cfg     Config
	log     *slog.Logger
	secure  bool
	assets  assets
	catalog *i18n.Catalog
	mux     *http.ServeMux
	handler http.Handler // mux wrapped in the middleware, built once
	pwa     pwa
	metrics *metrics.Metrics
	buffers bufferPool    // for rendering pages
	streams *sse.Streams  // open message streams
	pages   chan struct{} // a place for each page worked on (admit)
}

// New parses the templates (failing fast on an error) and registers every
// route.
func New(cfg Config, a *app.App) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Hub == nil {
		cfg.Hub = realtime.NewHub()
	}
	cfg.Brand.Name = cmp.Or(strings.TrimSpace(cfg.Brand.Name), DefaultBrandName)
	cfg.Brand.Color = strings.ToLower(cmp.Or(cfg.Brand.Color, DefaultBrandColor))
	if err := CheckBrandColor(cfg.Brand.Color); err != nil {
		return nil, fmt.Errorf("brand colour %w", err)
	}
	s := &Server{app: a, cfg: cfg, log: cfg.Log, secure: cfg.BaseURL != nil && cfg.BaseURL.Scheme == "https"}
	var err error
	if s.catalog, err = i18n.Load(); err != nil {
		return nil, err
	}
	s.catalog = s.catalog.WithBrand(cfg.Brand.Name)
	if s.assets, err = loadAssets(cfg.Brand); err != nil {
		return nil, err
	}
	if s.pwa, err = s.buildPWA(); err != nil {
		return nil, err
	}
	s.pages = make(chan struct{}, cmp.Or(cfg.Pages, PagesPerCPU*runtime.GOMAXPROCS(0)))
	s.metrics = metrics.New(cfg.PoolStats, func() (int, int) { return len(s.pages), cap(s.pages) })
	s.streams = sse.New(cfg.Hub.Done())
	s.streams.Plain = cfg.PlainStreams
	if !s.secure {
		s.log.Warn("base URL is not https: session cookies are sent without __Host- prefix and Secure flag")
	}
	s.mux = http.NewServeMux()
	for _, r := range s.routes() {
		s.mux.Handle(r.method+" "+r.pattern, s.handle(r))
	}
	s.handler = s.middleware(s.mux)
	return s, nil
}

// ServeHTTP runs every request through the common middleware.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// assets maps static file names to content-hashed URLs, served with
// immutable caching: the embedded static files, the stylesheet with the
// brand's colour, the brand's logo and the app icons drawn at start-up.
type assets struct {
	urls  map[string]string // "style.css" → "/static/style.3f2a9c1b.css"
	files map[string]string // "style.3f2a9c1b.css" → "style.css"
	made  map[string][]byte // made at start-up, not served from static/: "style.css", "brand-logo.svg", "icon-192.png"
	icons []icon.Icon       // drawn at start-up, not in static/
	brand Brand
}

func loadAssets(brand Brand) (assets, error) {
	a := assets{urls: map[string]string{}, files: map[string]string{}, made: map[string][]byte{}, brand: brand}
	err := fs.WalkDir(embedded, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		if name == "style.css" {
			b = append(slices.Clip(b), brand.css()...)
			a.made[name] = b
		}
		a.add(name, b)
		return nil
	})
	if err != nil {
		return a, err
	}
	if len(brand.Logo) > 0 {
		if _, err := LoadLogo(brand.LogoName, brand.Logo); err != nil {
			return a, fmt.Errorf("brand logo %w", err)
		}
		a.made[brand.LogoName] = brand.Logo
		a.add(brand.LogoName, brand.Logo)
	}
	if a.icons, err = icon.All(brand.Color, backgroundColor); err != nil {
		return a, fmt.Errorf("app icons: %w", err)
	}
	for _, ic := range a.icons {
		a.made[ic.Name] = ic.PNG
		a.add(ic.Name, ic.PNG)
	}
	return a, nil
}

// generated returns the content of a file made at start-up by its plain
// name.
func (a assets) generated(name string) ([]byte, bool) {
	b, ok := a.made[name]
	return b, ok
}

// logo is the URL of the brand's logo, "" without one.
func (a assets) logo() string {
	if a.brand.LogoName == "" || a.made[a.brand.LogoName] == nil {
		return ""
	}
	return a.urls[a.brand.LogoName]
}

// add gives a file its content-hashed name.
func (a assets) add(name string, b []byte) {
	sum := sha256.Sum256(b)
	ext := path.Ext(name)
	hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
	a.urls[name] = "/static/" + hashed
	a.files[hashed] = name
}

func (a assets) url(name string) string {
	if u, ok := a.urls[name]; ok {
		return u
	}
	panic("web: unknown asset " + name)
}
