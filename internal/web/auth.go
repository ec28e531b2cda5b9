package web

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
)

const (
	sessionLifetime = app.SessionIdle
	// emailHintCookie remembers the last address signed in with on this
	// device; it is not a secret and survives sign-out.
	emailHintCookie = "asiakassivu_email"
	// deviceCookie identifies this device to the accounts that signed in
	// on it, which exempts it from the per-address sign-in delay.
	deviceCookie = "asiakassivu_device"
)

// client describes where a request comes from, for the use cases.
func (s *Server) client(r *http.Request) app.Client {
	ip := clientIP(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), s.cfg.TrustedProxies)
	c := app.Client{IP: ip, UserAgent: r.UserAgent(), Lang: string(s.texts(r, nil).Lang)}
	if ck, err := r.Cookie(deviceCookie); err == nil {
		c.Device = ck.Value
	}
	return c
}

// clientIP is the address a request comes from: its peer, unless the
// peer is one of the trusted proxies. Then X-Forwarded-For (all its lines,
// as one list) is read from the right, each proxy having appended the
// address it got the request from: trusted hops are passed over and the
// first untrusted one is the client. Whatever stands left of it was
// written by the client and is ignored. A hop that is no address ends the
// walk at the last trusted one; when every hop is trusted, the leftmost
// is the client.
func clientIP(peer string, xff []string, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(peer)
	if err != nil {
		host = peer
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(ip, trusted) {
		return host
	}
	hops := strings.Split(strings.Join(xff, ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if h == "" {
			continue
		}
		hop, err := netip.ParseAddr(h)
		if err != nil {
			ap, perr := netip.ParseAddrPort(h)
			if perr != nil {
				break
			}
			hop = ap.Addr()
		}
		ip = hop.Unmap()
		if !isTrusted(ip, trusted) {
			break
		}
	}
	return ip.String()
}

func isTrusted(ip netip.Addr, trusted []netip.Prefix) bool {
	ip = ip.Unmap()
	for _, p := range trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func (s *Server) setDeviceCookie(w http.ResponseWriter, device string) {
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: device, Path: "/", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(sessionLifetime / time.Second)})
}

func (s *Server) sessionCookieName() string {
	if s.secure {
		return "__Host-asiakassivu"
	}
	return "asiakassivu"
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookieName(), Value: token, Path: "/", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(sessionLifetime / time.Second)})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookieName(), Value: "", Path: "/", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

type signInPage struct {
	layout
	Email string
	Next  string
	// Errors (text keys) are shown next to their fields and summarised at
	// the top.
	EmailError    string
	PasswordError string
	FormError     string
	// Wait is how many seconds to wait when throttled.
	Wait int
}

func (p signInPage) HasErrors() bool {
	return p.EmailError != "" || p.PasswordError != "" || p.FormError != ""
}

// home sends a signed-in person to the site this device opened last (or
// the first one; the list when there is none) and others to sign in.
func (s *Server) home(w http.ResponseWriter, r *http.Request, v *viewer) error {
	// A notice for the first page (after a sign-up's code or a password
	// reset) goes on with the redirect.
	ok := r.URL.Query().Get("ok")
	if _, known := notices[ok]; !known {
		ok = ""
	}
	switch {
	case v == nil:
		http.Redirect(w, r, "/kirjaudu", http.StatusSeeOther)
	case !v.Verified:
		http.Redirect(w, r, "/vahvista", http.StatusSeeOther)
	case v.Role != portal.RoleCustomer:
		redirectNotice(w, r, ownHome(v.Role), ok)
	default:
		if id := s.rememberedSite(r, v.Sites); id != 0 {
			redirectNotice(w, r, sitePath(id), ok)
			return nil
		}
		redirectNotice(w, r, "/kohteet", ok)
	}
	return nil
}

// ownHome is where a signed-in person's own pages start: provider staff
// at the provider's pages, chain admins at the console.
func ownHome(role portal.Role) string {
	if role == portal.RoleAdmin {
		return consolePath
	}
	return "/tuottaja"
}

func (s *Server) signInForm(w http.ResponseWriter, r *http.Request, v *viewer) error {
	next := localPath(r.URL.Query().Get("next"))
	if v != nil {
		http.Redirect(w, r, orDefault(next, "/"), http.StatusSeeOther)
		return nil
	}
	p := signInPage{layout: s.base(r, nil, "signin.title"), Next: next}
	if c, err := r.Cookie(emailHintCookie); err == nil {
		if e, err := url.QueryUnescape(c.Value); err == nil {
			if e, err := emailaddr.Check(e); err == nil {
				p.Email = e
			}
		}
	}
	return s.render(w, r, http.StatusOK, "signin", p)
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request, _ *viewer) error {
	wait := 0
	return s.postForm(w, r, nil, formFlow{
		Run: func(in url.Values) (string, string, error) {
			email, password := strings.TrimSpace(in.Get("email")), in.Get("password")
			if bad := app.CheckSignInForm(email, password); bad != nil {
				return "", "", bad
			}
			token, device, err := s.app.SignIn(r.Context(), email, password, s.client(r))
			if err != nil {
				return "", "", err
			}
			s.setSessionCookie(w, token)
			s.setDeviceCookie(w, device)
			http.SetCookie(w, s.emailHint(email))
			return orDefault(localPath(in.Get("next")), "/"), "", nil
		},
		// The sign-in's own refusals: a wait in seconds, and one answer for
		// a wrong address or password.
		Refuse: func(err error, f *form) int {
			if th, ok := app.IsThrottled(err); ok {
				f.FormError, wait = "signin.throttled", int(th.RetryAfter.Seconds()+0.999)
				w.Header().Set("Retry-After", strconv.Itoa(wait))
				return http.StatusTooManyRequests
			}
			if errors.Is(err, portal.ErrUnauthenticated) {
				f.FormError = "signin.wrong"
				return http.StatusUnauthorized
			}
			return 0
		},
		Page: func(f form, status int) error {
			p := signInPage{layout: s.base(r, nil, "signin.title"), Next: localPath(r.PostForm.Get("next")),
				EmailError: f.Errors["email"], PasswordError: f.Errors["password"], FormError: f.FormError, Wait: wait}
			if email := strings.TrimSpace(r.PostForm.Get("email")); len(email) <= emailaddr.MaxLength*2 {
				p.Email = email // keep what was typed, unless it is absurdly long
			}
			return s.render(w, r, status, "signin", p)
		},
	})
}

// signOut ends the session on the server, expires the cookie and asks the
// browser to drop its cache; the email hint, language and service worker
// stay.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if v != nil {
		if err := s.app.SignOut(r.Context(), v.token); err != nil {
			return err
		}
	}
	s.clearSessionCookie(w)
	w.Header().Set("Clear-Site-Data", `"cache"`)
	redirectNotice(w, r, "/kirjaudu", "uloskirjautunut")
	return nil
}

// localPath returns p when it is a path on this site (never another host,
// scheme or protocol-relative URL), else "".
func localPath(p string) string {
	if p == "" || len(p) > 2000 || p[0] != '/' || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return u.RequestURI()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
