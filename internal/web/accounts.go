package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/i18n"
	"asiakassivu/internal/portal"
)

// resetCookie carries the address between the two steps of a password
// reset. It is set the same way whether or not the address has an account.
const resetCookie = "asiakassivu_reset"

// refuseCode puts a wrong or expired code on the code field.
func refuseCode(err error, f *form) int {
	if errors.Is(err, app.ErrCodeInvalid) {
		f.fail("code", "error.code.invalid")
		return http.StatusUnprocessableEntity
	}
	return 0
}

type accountPage struct {
	layout
	Form  form
	Email string
	Next  string
}

func (s *Server) signUpForm(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if v != nil && v.Verified {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	p := accountPage{layout: s.base(r, nil, "signup.title"), Form: newForm()}
	p.Form.Values["email"] = r.URL.Query().Get("email")
	if len(p.Form.Values["email"]) > emailaddr.MaxLength {
		p.Form.Values["email"] = ""
	}
	return s.render(w, r, http.StatusOK, "signup", p)
}

// signUp answers alike whether or not the address has an account: a pending
// sign-up session and the code page.
func (s *Server) signUp(w http.ResponseWriter, r *http.Request, _ *viewer) error {
	return s.postForm(w, r, nil, formFlow{
		Run: func(in url.Values) (string, string, error) {
			token, err := s.app.SignUp(r.Context(), strings.TrimSpace(in.Get("email")), in.Get("password"), s.client(r))
			if err == nil {
				s.setSessionCookie(w, token)
			}
			return "/vahvista", "", err
		},
		Page: func(f form, status int) error {
			f.Values["email"] = clip(strings.TrimSpace(r.PostForm.Get("email")), 2*emailaddr.MaxLength)
			return s.render(w, r, status, "signup", accountPage{layout: s.base(r, nil, "signup.title"), Form: f})
		},
	})
}

func (s *Server) verifyForm(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if v.Verified {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "verify", accountPage{layout: s.base(r, v, "verify.title"), Form: newForm(), Email: v.Email})
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if v.Verified {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return s.postForm(w, r, v, formFlow{
		Run: func(in url.Values) (string, string, error) {
			token, err := s.app.VerifySignup(r.Context(), v.Viewer, in.Get("code"), s.client(r))
			if err != nil {
				return "", "", err
			}
			s.setSessionCookie(w, token)
			http.SetCookie(w, s.emailHint(v.Email))
			// The first page welcomes; an old extranet user also learns
			// the address to sign in with from now on.
			welcome := "tervetuloa"
			if _, err := r.Cookie(legacyCookie); err == nil {
				welcome = "tervetuloa-vanha"
				http.SetCookie(w, &http.Cookie{Name: legacyCookie, Value: "", Path: "/vahvista", MaxAge: -1, HttpOnly: true, Secure: s.secure})
			}
			// An account created from an invitation link goes back to it.
			if back := s.invitedBack(w, r); back != "" {
				return back, "", nil
			}
			return "/", welcome, nil
		},
		Refuse: refuseCode,
		Page: func(f form, status int) error {
			f.Values["code"] = clip(r.PostForm.Get("code"), 20)
			return s.render(w, r, status, "verify", accountPage{layout: s.base(r, v, "verify.title"), Form: f, Email: v.Email})
		},
	})
}

func (s *Server) resendCode(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.postForm(w, r, v, formFlow{
		Run: func(url.Values) (string, string, error) {
			return "/vahvista", "lahetetty", s.app.ResendSignupCode(r.Context(), v.Viewer, s.client(r))
		},
		Page: func(f form, status int) error {
			return s.render(w, r, status, "verify", accountPage{layout: s.base(r, v, "verify.title"), Form: f, Email: v.Email})
		},
	})
}

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p := accountPage{layout: s.base(r, v, "forgot.title"), Form: newForm()}
	if c, err := r.Cookie(emailHintCookie); err == nil {
		if e, err := url.QueryUnescape(c.Value); err == nil {
			p.Form.Values["email"] = clip(e, emailaddr.MaxLength)
		}
	}
	return s.render(w, r, http.StatusOK, "forgot", p)
}

// forgot mails a code when the address has an account and answers the same
// way when it has not.
func (s *Server) forgot(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.postForm(w, r, v, formFlow{
		Run: func(in url.Values) (string, string, error) {
			email := strings.TrimSpace(in.Get("email"))
			if err := s.app.RequestReset(r.Context(), email, s.client(r)); err != nil {
				return "", "", err
			}
			http.SetCookie(w, &http.Cookie{Name: resetCookie, Value: url.QueryEscape(email), Path: "/unohtunut-salasana",
				HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: int((app.CodeLifetime + 5*time.Minute) / time.Second)})
			return "/unohtunut-salasana/koodi", "", nil
		},
		Page: func(f form, status int) error {
			f.Values["email"] = clip(strings.TrimSpace(r.PostForm.Get("email")), 2*emailaddr.MaxLength)
			return s.render(w, r, status, "forgot", accountPage{layout: s.base(r, v, "forgot.title"), Form: f})
		},
	})
}

func (s *Server) resetEmail(r *http.Request) string {
	c, err := r.Cookie(resetCookie)
	if err != nil {
		return ""
	}
	e, err := url.QueryUnescape(c.Value)
	if err != nil {
		return ""
	}
	return clip(e, emailaddr.MaxLength)
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request, v *viewer) error {
	email := s.resetEmail(r)
	if email == "" {
		http.Redirect(w, r, "/unohtunut-salasana", http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "reset", accountPage{layout: s.base(r, v, "reset.title"), Form: newForm(), Email: email})
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request, v *viewer) error {
	email := s.resetEmail(r)
	if email == "" {
		http.Redirect(w, r, "/unohtunut-salasana", http.StatusSeeOther)
		return nil
	}
	return s.postForm(w, r, v, formFlow{
		Run: func(in url.Values) (string, string, error) {
			token, err := s.app.ResetPassword(r.Context(), email, in.Get("code"), in.Get("password"), s.client(r))
			if err != nil {
				return "", "", err
			}
			http.SetCookie(w, &http.Cookie{Name: resetCookie, Value: "", Path: "/unohtunut-salasana", MaxAge: -1, HttpOnly: true, Secure: s.secure})
			s.setSessionCookie(w, token)
			http.SetCookie(w, s.emailHint(email))
			return "/", "salasana-uusi", nil
		},
		Refuse: refuseCode,
		Page: func(f form, status int) error {
			f.Values["code"] = clip(r.PostForm.Get("code"), 20)
			return s.render(w, r, status, "reset", accountPage{layout: s.base(r, v, "reset.title"), Form: f, Email: email})
		},
	})
}

// setLanguage remembers the chosen language on this device, and on the
// account when signed in.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	lang, ok := i18n.Parse(r.PostForm.Get("lang"))
	if !ok {
		return portal.ErrNotFound
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(lang), Path: "/", Secure: s.secure,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: int(sessionLifetime / time.Second)})
	if v != nil {
		if err := s.app.SetLanguage(r.Context(), v.Viewer, string(lang)); err != nil {
			return err
		}
	}
	http.Redirect(w, r, orDefault(localPath(r.PostForm.Get("next")), "/"), http.StatusSeeOther)
	return nil
}

// device is one signed-in device as the profile shows it.
type device struct {
	ID int64
	// Name is the browser and system in a few words ("Chrome, Android").
	Name     string
	LastUsed time.Time
	This     bool
}

// The parts of the profile, each a short page of its own under /profiili
// (the index lists them).
const (
	partIndex         = ""
	partSecurity      = "kirjautuminen"
	partDevices       = "laitteet"
	partNotifications = "ilmoitukset"
	partData          = "omat-tiedot"
)

// partTitles are the text keys of the parts' titles.
var partTitles = map[string]string{
	partIndex:         "profile.title",
	partSecurity:      "pages.profile.security",
	partDevices:       "profile.devices",
	partNotifications: "profile.push.title",
	partData:          "pages.profile.data",
}

// profilePath is the address of a part of the profile.
func profilePath(part string) string {
	if part == partIndex {
		return "/profiili"
	}
	return "/profiili/" + part
}

type profilePage struct {
	layout
	// Part is the section the page shows (partIndex: the list of them).
	Part     string
	Devices  []device
	Sites    []portal.SiteSummary
	Password form
	Email    form
	Delete   form
	Push     pushSection // push.go
	MFA      app.MFA
	// Staff is set for staff and admins, whose second factor is required.
	Staff bool
	// Codes and Next feed the recovery-codes partial, which passkey.js
	// fills when a first passkey brings a set.
	Codes []string
	Next  string
}

// profileSection is an entry of the profile's index.
type profileSection struct {
	Path, Title, Hint string
	// Anchor keeps an old link to a part of the one long profile page
	// (/profiili#kirjautuminen) pointing at the part's entry.
	Anchor string
}

// sections lists the profile's parts for its index; the calendar is a
// page of its own (calendar.go).
func (p profilePage) sections() []profileSection {
	return []profileSection{
		{profilePath(partSecurity), partTitles[partSecurity], "pages.profile.security.hint", "kirjautuminen"},
		{profilePath(partDevices), partTitles[partDevices], "pages.profile.devices.hint", "laitteet"},
		{profilePath(partNotifications), partTitles[partNotifications], "pages.profile.notifications.hint", "ilmoitukset"},
		{"/profiili/kalenteri", "calendar.title", "pages.profile.calendar.hint", "kalenteri"},
		{profilePath(partData), partTitles[partData], "pages.profile.data.hint", "omat-tiedot"},
	}
}

// profileData reads what a part of the profile shows, and only that.
func (s *Server) profileData(r *http.Request, v *viewer, part string) (profilePage, error) {
	p := profilePage{layout: s.base(r, v, partTitles[part]), Part: part, Password: newForm(), Email: newForm(), Delete: newForm(),
		Next: profilePath(partSecurity)}
	p.Staff = v.Role == portal.RoleStaff || v.Role == portal.RoleAdmin
	var err error
	switch part {
	case partDevices:
		sessions, err := s.app.Devices(r.Context(), v.Viewer)
		if err != nil {
			return p, err
		}
		for _, se := range sessions {
			p.Devices = append(p.Devices, device{ID: se.ID, Name: deviceName(p.L, se.UserAgent), LastUsed: se.LastSeenAt, This: se.ID == v.SessionID})
		}
	case partNotifications:
		p.Push, err = s.pushSection(r, v)
	case partSecurity:
		if p.MFA, err = s.app.MFAState(r.Context(), v.Viewer); err != nil {
			return p, err
		}
		p.Sites, err = s.app.Overview(r.Context(), v.Viewer)
	}
	return p, err
}

// profilePart serves a GET page of the profile.
func (s *Server) profilePart(part string) func(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return func(w http.ResponseWriter, r *http.Request, v *viewer) error {
		p, err := s.profileData(r, v, part)
		if err != nil {
			return err
		}
		return s.render(w, r, http.StatusOK, "profile", p)
	}
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.postForm(w, r, v, formFlow{
		Fields: []string{"current", "password"},
		Run: func(in url.Values) (string, string, error) {
			return profilePath(partSecurity), "salasana", s.app.ChangePassword(r.Context(), v.Viewer, in.Get("current"), in.Get("password"), s.client(r))
		},
		Page: func(f form, status int) error {
			p, err := s.profileData(r, v, partSecurity)
			if err != nil {
				return err
			}
			p.Password = f
			return s.render(w, r, status, "profile", p)
		},
	})
}

// requestEmailChange checks the password (a fresh sign-in) and mails a code
// to the new address.
func (s *Server) requestEmailChange(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.postForm(w, r, v, formFlow{
		Fields: []string{"email", "current"},
		Run: func(in url.Values) (string, string, error) {
			email := strings.TrimSpace(in.Get("email"))
			if err := s.app.Reauthenticate(r.Context(), v.Viewer, in.Get("current"), s.client(r)); err != nil {
				return "", "", err
			}
			v.AuthAt = s.app.Now()
			if err := s.app.RequestEmailChange(r.Context(), v.Viewer, email, s.client(r)); err != nil {
				return "", "", err
			}
			http.SetCookie(w, &http.Cookie{Name: "asiakassivu_newemail", Value: url.QueryEscape(email), Path: "/profiili",
				HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(app.CodeLifetime / time.Second)})
			return "/profiili/sahkoposti", "", nil
		},
		Page: func(f form, status int) error {
			p, err := s.profileData(r, v, partSecurity)
			if err != nil {
				return err
			}
			f.Values["email"] = clip(strings.TrimSpace(r.PostForm.Get("email")), 2*emailaddr.MaxLength)
			p.Email = f
			return s.render(w, r, status, "profile", p)
		},
	})
}

type emailChangePage struct {
	layout
	Form     form
	NewEmail string
	Sites    []portal.SiteSummary
}

func (s *Server) emailChangePage(r *http.Request, v *viewer) (emailChangePage, error) {
	p := emailChangePage{layout: s.base(r, v, "emailchange.title"), Form: newForm()}
	if c, err := r.Cookie("asiakassivu_newemail"); err == nil {
		p.NewEmail, _ = url.QueryUnescape(c.Value)
		p.NewEmail = clip(p.NewEmail, emailaddr.MaxLength)
	}
	var err error
	p.Sites, err = s.app.Overview(r.Context(), v.Viewer)
	return p, err
}

func (s *Server) emailChangeForm(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p, err := s.emailChangePage(r, v)
	if err != nil {
		return err
	}
	if p.NewEmail == "" {
		http.Redirect(w, r, profilePath(partSecurity), http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "emailchange", p)
}

func (s *Server) confirmEmailChange(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.postForm(w, r, v, formFlow{
		Run: func(in url.Values) (string, string, error) {
			if err := s.app.ConfirmEmailChange(r.Context(), v.Viewer, in.Get("code"), s.client(r)); err != nil {
				return "", "", err
			}
			http.SetCookie(w, &http.Cookie{Name: "asiakassivu_newemail", Value: "", Path: "/profiili", MaxAge: -1, HttpOnly: true, Secure: s.secure})
			return profilePath(partSecurity), "sahkoposti", nil
		},
		Refuse: func(err error, f *form) int {
			if errors.Is(err, app.ErrReauthenticate) {
				f.FormError = "emailchange.expired"
				return http.StatusUnprocessableEntity
			}
			return refuseCode(err, f)
		},
		Page: func(f form, status int) error {
			p, err := s.emailChangePage(r, v)
			if err != nil {
				return err
			}
			f.Values["code"] = clip(r.PostForm.Get("code"), 20)
			p.Form = f
			return s.render(w, r, status, "emailchange", p)
		},
	})
}

func (s *Server) signOutDevice(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "session")
	if err != nil {
		return err
	}
	if err := s.app.SignOutDevice(r.Context(), v.Viewer, id); err != nil {
		return err
	}
	if id == v.SessionID {
		s.clearSessionCookie(w)
		redirectNotice(w, r, "/kirjaudu", "uloskirjautunut")
		return nil
	}
	redirectNotice(w, r, profilePath(partDevices), "laitteet")
	return nil
}

func (s *Server) signOutOthers(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if err := s.app.SignOutOthers(r.Context(), v.Viewer); err != nil {
		return err
	}
	redirectNotice(w, r, profilePath(partDevices), "laitteet")
	return nil
}

func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.postForm(w, r, v, formFlow{
		Fields: []string{"current", "confirm"},
		Run: func(in url.Values) (string, string, error) {
			if in.Get("confirm") != "yes" {
				return "", "", app.InvalidInput{{Field: "confirm", Key: "error.delete.confirm"}}
			}
			if err := s.app.DeleteAccount(r.Context(), v.Viewer, in.Get("current"), s.client(r)); err != nil {
				return "", "", err
			}
			s.clearSessionCookie(w)
			w.Header().Set("Clear-Site-Data", `"cache"`)
			return "/kirjaudu", "tili-poistettu", nil
		},
		Page: func(f form, status int) error {
			p, err := s.profileData(r, v, partData)
			if err != nil {
				return err
			}
			p.Delete = f
			return s.render(w, r, status, "profile", p)
		},
	})
}

// exportData downloads everything the account holds or sees, as JSON.
func (s *Server) exportData(w http.ResponseWriter, r *http.Request, v *viewer) error {
	data, err := s.app.Export(r.Context(), v.Viewer)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="asiakassivu-omat-tiedot.json"`)
	_, err = w.Write(b)
	return err
}

func (s *Server) emailHint(email string) *http.Cookie {
	return &http.Cookie{Name: emailHintCookie, Value: url.QueryEscape(email), Path: "/", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(sessionLifetime / time.Second)}
}

// clip cuts text echoed back into a form to a sane length.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// userAgent reads the browser and the system from a User-Agent header,
// "" for what it does not recognise. Order matters: Edge, Opera and
// Samsung Internet say "Chrome" too, Chrome says "Safari", and every
// browser on an iPhone is built on Safari but names itself (CriOS, FxiOS).
func userAgent(ua string) (browser, system string) {
	has := func(s string) bool { return strings.Contains(ua, s) }
	switch {
	case has("Edg/"), has("EdgA/"), has("EdgiOS/"):
		browser = "Edge"
	case has("OPR/"), has("Opera"):
		browser = "Opera"
	case has("SamsungBrowser/"):
		browser = "Samsung Internet"
	case has("Firefox/"), has("FxiOS/"):
		browser = "Firefox"
	case has("Chrome/"), has("Chromium/"), has("CriOS/"):
		browser = "Chrome"
	case has("Safari/") && (has("Version/") || has("iPhone") || has("iPad") || has("Macintosh")):
		browser = "Safari"
	}
	switch {
	case has("iPhone"):
		system = "iPhone"
	case has("iPad"):
		system = "iPad"
	case has("Android"):
		system = "Android"
	case has("Windows"):
		system = "Windows"
	case has("CrOS"):
		system = "ChromeOS"
	case has("Mac OS X"), has("Macintosh"):
		system = "Mac"
	case has("Linux"):
		system = "Linux"
	}
	return browser, system
}

// deviceName names a device by its User-Agent in a few words: "Chrome,
// Android", "Safari, iPhone"; a browser it does not know is "Tuntematon
// selain" (with the system when that is known).
func deviceName(l texts, ua string) string {
	b, sys := userAgent(ua)
	if b == "" {
		b = l.T("pages.devices.unknownBrowser")
	}
	if sys == "" {
		return b
	}
	return b + ", " + sys
}
