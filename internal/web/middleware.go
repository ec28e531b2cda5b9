package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/httpx"
	"asiakassivu/internal/portal"
)

// contentSecurityPolicy allows no inline script and no nonces, so two
// answers to the same request are byte-identical.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// maxFormBytes bounds every request body.
const maxFormBytes = 64 << 10

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// middleware adds the security headers to every response, refuses
// cross-origin state changes, bounds bodies, recovers from panics and logs
// each request by its route pattern (never the path, which may carry a
// calendar feed's token, nor the query, which may carry a next link).
func (s *Server) middleware(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.Warn("cross-origin request refused", "method", r.Method, "path", r.URL.Path)
		s.renderError(w, r, http.StatusForbidden, "")
	}))
	protected := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if s.cfg.API == nil || !strings.HasPrefix(r.URL.Path, apiPrefix) {
			r.Body = http.MaxBytesReader(sw, r.Body, maxFormBytes)
		} // the API bounds its own bodies (larger: billing summaries with their lines)
		defer func() {
			if p := recover(); p != nil {
				ref := httpx.Reference()
				s.log.Error("panic", "ref", ref, "panic", p, "route", logRoute(r))
				s.renderError(sw, r, http.StatusInternalServerError, ref)
			}
			took := time.Since(start)
			s.metrics.Observe(r, sw.status, took)
			s.log.Info("request", "method", r.Method, "route", logRoute(r), "status", sw.status,
				"ms", took.Milliseconds())
		}()
		protected.ServeHTTP(sw, r)
	})
}

// logRoute is what the log says of a request's address: the route pattern
// the mux matched ("GET /kalenteri/{token}"), or "unmatched". The path is
// never logged: a calendar feed's path is its secret.
func logRoute(r *http.Request) string {
	if r.Pattern == "" {
		return "unmatched"
	}
	return r.Pattern
}

// viewer is the signed-in person of a request and the session token.
type viewer struct {
	app.Viewer
	token string
}

// admit waits for a place among the pages worked on at once (Config.Pages)
// and returns the function that gives it back (once, however often
// called); ok is false when the client went away while waiting. The
// waiting is in arrival order (a channel's senders queue), so under load
// a page waits about as long as those before it, instead of each of the
// database pool's waiters getting the next connection at random.
func (s *Server) admit(r *http.Request) (leave func(), ok bool) {
	select {
	case s.pages <- struct{}{}:
	case <-r.Context().Done():
		return nil, false
	}
	left := false
	return func() {
		if !left {
			left = true
			<-s.pages
		}
	}, true
}

// placeWriter gives the request's place back when the answer starts (a
// page is rendered whole before it is written): a client that reads its
// answer slowly, or a stream that stays open for hours, holds no place.
type placeWriter struct {
	http.ResponseWriter
	leave func()
}

func (w *placeWriter) WriteHeader(code int) {
	w.leave()
	w.ResponseWriter.WriteHeader(code)
}

func (w *placeWriter) Write(b []byte) (int, error) {
	w.leave()
	return w.ResponseWriter.Write(b)
}

func (w *placeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// readBody reads a request's body (at most maxFormBytes: the middleware
// bounds it) before the request waits for a place, so that a client
// sending it slowly holds none. The handler reads the same bytes, and the
// same error after them (too large, cut off).
func readBody(r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	r.Body = &readBodyReader{Reader: bytes.NewReader(b), err: err}
}

type readBodyReader struct {
	*bytes.Reader
	err error
}

func (b *readBodyReader) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	if err == io.EOF && b.err != nil {
		err = b.err
	}
	return n, err
}

func (b *readBodyReader) Close() error { return nil }

// handle wraps a route: finds the session, sends signed-out visitors of
// private pages to sign in, and maps the handler's error to a response.
func (s *Server) handle(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(rt.pattern, "/static/") {
			w.Header().Set("Cache-Control", "no-store")
		}
		var v *viewer
		if rt.access != open {
			readBody(r)
			leave, ok := s.admit(r)
			if !ok {
				return // the client went away while waiting its turn
			}
			defer leave()
			w = &placeWriter{ResponseWriter: w, leave: leave}
			var err error
			if v, err = s.viewerOf(w, r); err != nil {
				// Not a signed-out visitor: the session could not be read
				// (the database is down). Answer so, keep the cookie.
				s.fail(w, r, err)
				return
			}
		}
		if forCopy(r, rt.method+" "+rt.pattern, v) {
			// The service worker's fetch for the device's offline copy
			// (offline.go): it may keep this answer, and the browser's
			// own cache still may not (the worker asks with no-store).
			w.Header().Set("Cache-Control", "private, no-cache")
			w.Header().Add("Vary", copyHeader)
		}
		switch {
		case rt.access > public && v == nil:
			http.Redirect(w, r, "/kirjaudu?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		case rt.access >= firstFactor && !v.Verified:
			// An unverified sign-up sees nothing until the code is entered.
			http.Redirect(w, r, "/vahvista", http.StatusSeeOther)
			return
		case rt.access >= signedIn && v.NeedsSecondFactor():
			// Staff and admins see nothing until their second factor.
			http.Redirect(w, r, "/kaksivaihe?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		case rt.access == admin && v.Role != portal.RoleAdmin:
			s.renderError(w, r, http.StatusNotFound, "")
			return
		case rt.access == customer && v.Role != portal.RoleCustomer, rt.access == thread && v.Role == portal.RoleAdmin:
			// Staff and admins are not customers: a customer page (for an
			// admin also a home's thread) sends them to their own pages,
			// and they change nothing there.
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, ownHome(v.Role), http.StatusSeeOther)
				return
			}
			s.renderError(w, r, http.StatusNotFound, "")
			return
		}
		if err := rt.handle(w, r, v); err != nil {
			s.fail(w, r, err)
		}
	})
}

// viewerOf returns the request's signed-in person, or nil for a visitor
// who is not signed in. Any other error (the database cannot be reached)
// is returned, never read as "signed out".
func (s *Server) viewerOf(w http.ResponseWriter, r *http.Request) (*viewer, error) {
	c, err := r.Cookie(s.sessionCookieName())
	if err != nil || c.Value == "" {
		return nil, nil
	}
	v, err := s.app.Authenticate(r.Context(), c.Value)
	if errors.Is(err, portal.ErrUnauthenticated) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if v.Refreshed {
		s.setSessionCookie(w, c.Value)
	}
	return &viewer{Viewer: v, token: c.Value}, nil
}

// fail answers a handler's error as internal/httpx's table says: the
// status, Retry-After where it applies, one log line for a logged cause
// (with the reference the page shows), and the error page.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	f := httpx.Classify(err)
	f.Log(s.log, logRoute(r), err)
	if f.Status == 0 {
		return // the client went away; nothing to answer
	}
	f.SetRetryAfter(w.Header())
	s.renderError(w, r, f.Status, f.Ref)
}
