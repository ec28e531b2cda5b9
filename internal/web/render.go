package web

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
	"time"

	"asiakassivu/internal/i18n"
	"asiakassivu/internal/portal"
)

// layout is the data every page shares; each page struct embeds it.
type layout struct {
	L     texts
	Title string
	// Path is the page's own local path, where a language change returns.
	Path string
	// MenuSites are the viewer's sites for the switcher in the menu, and
	// CurrentSite the one the page is about (or the remembered one).
	MenuSites   []portal.Site
	CurrentSite int64
	// Section marks the navigation entry of the page.
	Section string
	Viewer  *viewer
	Today   portal.Date
	NoIndex bool
	// Notice is the text key of the notice after a redirect (see notices),
	// shown first in the page's main part.
	Notice string
	// Copy tells the page's script what to say to the service worker about
	// the device's offline copy (offline.go): the signed-in customer's copy
	// name, copyForget when no one is signed in, "" for nothing.
	Copy string
	// CopiedAt is set on a page fetched for the offline copy: the time it
	// shows in the banner.
	CopiedAt time.Time
	assets   assets
}

// language is the language a page is rendered in.
func (l layout) language() i18n.Lang { return l.L.Lang }

// onBehalf says whose home the page's site is when the viewer reaches it
// under a grant ("Hoidat kohdetta Aino Virtasen puolesta"); "" for the
// viewer's own site and for pages of no site.
func (l layout) onBehalf() string {
	for _, s := range l.MenuSites {
		if s.ID == l.CurrentSite {
			return l.L.onBehalf(s.Grant)
		}
	}
	return ""
}

// onBehalf says whose home a site reached under grant g is and the
// viewer's role there; "" for the viewer's own site (no role). Finnish
// inflects the owner's name (i18n.FinnishGenitive); Swedish and English
// need no inflection.
func (l texts) onBehalf(g portal.GrantLink) string {
	if g.Role == "" {
		return ""
	}
	owner := g.OwnerName
	if l.Lang == i18n.Finnish {
		owner = i18n.FinnishGenitive(owner)
	}
	return l.T("grant.onBehalf."+string(g.Role), "owner", owner)
}

// render renders the page component name (see views) with its data into a
// buffer first, so that an error becomes a clean 500 instead of half a
// page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data interface{ language() i18n.Lang }) error {
	buf := s.buffers.get()
	defer s.buffers.put(buf)
	c, err := component(name, data)
	if err != nil {
		return err
	}
	if err := c.Render(r.Context(), buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err = w.Write(buf.Bytes())
	return err
}

// bufferPool keeps the buffers pages are rendered into, so that a busy
// server does not grow a new one (some 30 KB of garbage) for every page.
type bufferPool struct{ p sync.Pool }

// maxPooledBuffer bounds what the pool keeps; a rare huge page's buffer
// goes to the garbage collector.
const maxPooledBuffer = 256 << 10

func (b *bufferPool) get() *bytes.Buffer {
	if v, ok := b.p.Get().(*bytes.Buffer); ok {
		return v
	}
	return new(bytes.Buffer)
}

func (b *bufferPool) put(buf *bytes.Buffer) {
	if buf.Cap() > maxPooledBuffer {
		return
	}
	buf.Reset()
	b.p.Put(buf)
}

type errorPage struct {
	layout
	Status    int
	TextKey   string
	Reference string
}

// renderError shows a friendly page for an error status; the reference id
// links it to the log line that has the details.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, ref string) {
	key := "errorpage.500"
	switch {
	case status == http.StatusUnauthorized, status == http.StatusNotFound, status == http.StatusForbidden,
		status == http.StatusConflict, status == http.StatusRequestEntityTooLarge, status == http.StatusTooManyRequests,
		status == http.StatusServiceUnavailable:
		key = "errorpage." + strconv.Itoa(status)
	case status >= 400 && status < 500:
		key = "errorpage.400"
	}
	w.Header().Set("Cache-Control", "no-store")
	l := s.texts(r, nil)
	title := l.T(key + ".title")
	p := errorPage{layout: layout{L: l, Title: title, Today: s.today(), assets: s.assets}, Status: status,
		TextKey: key + ".text", Reference: ref}
	if err := s.render(w, r, status, "error", p); err != nil {
		s.log.Error("render error page", "err", err)
		http.Error(w, title, status)
	}
}

func (s *Server) today() portal.Date { return portal.DateOf(s.app.Now()) }

// langCookie remembers the language chosen on this device.
const langCookie = "asiakassivu_lang"

// texts picks the language of a request: the one chosen on this device,
// else the one the signed-in account chose (on another device), else the
// browser's Accept-Language, else Finnish.
func (s *Server) texts(r *http.Request, v *viewer) texts {
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := i18n.Parse(c.Value); ok {
			return texts{s.catalog.Printer(l)}
		}
	}
	if v != nil {
		if l, ok := i18n.Parse(v.Language); ok {
			return texts{s.catalog.Printer(l)}
		}
	}
	return texts{s.catalog.Printer(s.catalog.Match(r.Header.Get("Accept-Language")))}
}

// base returns the shared page data of a request.
func (s *Server) base(r *http.Request, v *viewer, titleKey string) layout {
	l := s.texts(r, v)
	p := layout{L: l, Title: l.T(titleKey), Viewer: v, Today: s.today(), Path: localPath(r.URL.RequestURI()), Notice: noticeOf(r), assets: s.assets}
	p.Copy, p.CopiedAt = s.copyMark(r, v)
	// Before the second factor nothing but the way out is offered.
	if v != nil && v.Verified && !v.NeedsSecondFactor() {
		p.MenuSites = v.Sites
		p.CurrentSite = s.rememberedSite(r, v.Sites)
	}
	return p
}

// siteCookie remembers, per device, the site last opened; it decides where
// the front page leads.
const siteCookie = "asiakassivu_site"

// rememberedSite returns the site this device last opened when it is still
// one of sites, else the first of sites, else 0.
func (s *Server) rememberedSite(r *http.Request, sites []portal.Site) int64 {
	if c, err := r.Cookie(siteCookie); err == nil {
		if id, err := strconv.ParseInt(c.Value, 10, 64); err == nil {
			for _, st := range sites {
				if st.ID == id {
					return id
				}
			}
		}
	}
	if len(sites) > 0 {
		return sites[0].ID
	}
	return 0
}
