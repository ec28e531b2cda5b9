package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"text/template"
	"time"

	"asiakassivu/internal/i18n"
)

// backgroundColor is style.css's --bg in the light scheme (a test holds
// them equal); the manifest and the icons use it, with the brand's colour
// (Brand.Color) as the theme colour.
const backgroundColor = "#f7f5f0"

// offlinePath is the page the service worker shows when the network fails.
const offlinePath = "/offline"

// pwa holds what makes the portal an installable app, built once at
// start-up: the web app manifest and the service worker script.
type pwa struct {
	manifest      generated
	serviceWorker generated
}

// generated is a response body made at start-up, served with an ETag so
// that "no-cache" revalidation costs a 304.
type generated struct {
	body []byte
	etag string
}

func newGenerated(b []byte) generated {
	sum := sha256.Sum256(b)
	return generated{body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}

// serve answers with the body; no-cache makes the browser ask every time,
// which is what lets a new release's service worker and manifest reach it.
func (g generated) serve(w http.ResponseWriter, r *http.Request, contentType string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", g.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(g.body))
}

// webManifest is the web app manifest
// (https://www.w3.org/TR/appmanifest/).
type webManifest struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	ShortName       string         `json:"short_name"`
	Description     string         `json:"description"`
	Lang            string         `json:"lang"`
	Dir             string         `json:"dir"`
	StartURL        string         `json:"start_url"`
	Scope           string         `json:"scope"`
	Display         string         `json:"display"`
	ThemeColor      string         `json:"theme_color"`
	BackgroundColor string         `json:"background_color"`
	Icons           []manifestIcon `json:"icons"`
}

type manifestIcon struct {
	Src     string `json:"src"`
	Sizes   string `json:"sizes"`
	Type    string `json:"type"`
	Purpose string `json:"purpose"`
}

// buildPWA makes the manifest and the service worker from the assets and
// texts loaded before it.
func (s *Server) buildPWA() (pwa, error) {
	fi := s.catalog.Printer(i18n.Finnish)
	m := webManifest{
		ID:              "/",
		Name:            s.cfg.Brand.Name,
		ShortName:       s.cfg.Brand.Name,
		Description:     fi.T("pwa.description"),
		Lang:            string(i18n.Finnish),
		Dir:             "ltr",
		StartURL:        "/",
		Scope:           "/",
		Display:         "standalone",
		ThemeColor:      s.cfg.Brand.Color,
		BackgroundColor: backgroundColor,
	}
	for _, ic := range s.assets.icons {
		if ic.Purpose == "" {
			continue // apple-touch-icon: named by the layout, not the manifest
		}
		m.Icons = append(m.Icons, manifestIcon{Src: s.assets.url(ic.Name),
			Sizes: strconv.Itoa(ic.Size) + "x" + strconv.Itoa(ic.Size), Type: "image/png", Purpose: ic.Purpose})
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return pwa{}, err
	}
	sw, err := s.serviceWorker()
	if err != nil {
		return pwa{}, err
	}
	return pwa{manifest: newGenerated(manifest), serviceWorker: newGenerated(sw)}, nil
}

// serviceWorker fills templates/sw.js with this release's version and the
// hashed URLs of the files it keeps offline.
func (s *Server) serviceWorker() ([]byte, error) {
	var urls []string
	for _, u := range s.assets.urls {
		urls = append(urls, u)
	}
	slices.Sort(urls)
	assetList, err := json.Marshal(urls)
	if err != nil {
		return nil, err
	}
	version, err := s.releaseVersion()
	if err != nil {
		return nil, err
	}
	t, err := template.ParseFS(embedded, "templates/sw.js")
	if err != nil {
		return nil, fmt.Errorf("service worker template: %w", err)
	}
	var buf bytes.Buffer
	err = t.Execute(&buf, struct{ Version, Offline, Assets, CopyList, CopyHeader string }{version, offlinePath, string(assetList), copyListPath, copyHeader})
	return buf.Bytes(), err
}

// releaseVersion hashes everything that can change the offline page or
// the files the service worker keeps: the embedded static files and
// service worker template, the generated icons, every text and the
// offline page as rendered in each language. A change to any of them
// changes the service worker, so browsers fetch the new offline page.
func (s *Server) releaseVersion() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(embedded, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := embedded.ReadFile(p)
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
		return err
	})
	if err != nil {
		return "", err
	}
	for _, ic := range s.assets.icons {
		h.Write(ic.PNG)
	}
	for _, l := range i18n.Langs {
		p := s.catalog.Printer(l)
		for _, k := range s.catalog.Keys(l) {
			fmt.Fprintf(h, "%s\x00%s\x00%s\x00", l, k, p.T(k))
		}
		// The offline page is compiled in (offlineView), not an embedded
		// file: its markup counts as rendered.
		tx := texts{p}
		page := offlinePage{layout: layout{L: tx, Title: tx.T("offline.title"), Path: offlinePath, NoIndex: true, assets: s.assets}}
		if err := offlineView(page).Render(context.Background(), h); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8]), nil
}

// manifestFile serves /manifest.webmanifest.
func (s *Server) manifestFile(w http.ResponseWriter, r *http.Request, _ *viewer) error {
	s.pwa.manifest.serve(w, r, "application/manifest+json")
	return nil
}

// serviceWorkerFile serves /sw.js. At the root, its default scope is the
// whole portal, so no Service-Worker-Allowed header is needed.
func (s *Server) serviceWorkerFile(w http.ResponseWriter, r *http.Request, _ *viewer) error {
	s.pwa.serviceWorker.serve(w, r, "text/javascript; charset=utf-8")
	return nil
}

type offlinePage struct{ layout }

// offline is the page the service worker keeps for when the network fails.
// It is the same for everyone (no viewer, so no name or email), because it
// is stored on the device.
func (s *Server) offline(w http.ResponseWriter, r *http.Request, _ *viewer) error {
	p := offlinePage{layout: s.base(r, nil, "offline.title")}
	p.NoIndex = true
	p.Copy = "" // shown in any page's place: it says nothing of who is signed in
	return s.render(w, r, http.StatusOK, "offline", p)
}

type installPage struct{ layout }

// install tells how to put the portal on a device's home screen, per
// platform; signed in or not.
func (s *Server) install(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.render(w, r, http.StatusOK, "install", installPage{layout: s.base(r, v, "install.title")})
}
