package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
)

// The legacy bridge's pages (PRODUCT.md C8): old extranet username and
// password once, then the new account's password for the address on the
// record, then the usual code.

// legacyCookie marks a sign-up that began with the old extranet
// credentials, until its code: the welcome then names the address to sign
// in with from now on.
const legacyCookie = "asiakassivu_legacy"

// legacyPage is the page of each step: Step is "signin" (the form),
// "closed" (past the retirement date: how to create the new account) or
// "signup" (the new password, after old credentials that worked).
type legacyPage struct {
	layout
	Form        form
	Step        string
	Ticket      string
	MaskedEmail string
	Retirement  string
	Wait        int
}

func (s *Server) legacyPage(r *http.Request, step string) (legacyPage, error) {
	p := legacyPage{layout: s.base(r, nil, "legacy.title"), Form: newForm(), Step: step}
	b, err := s.app.LegacyBridgeState(r.Context())
	if err != nil {
		return p, err
	}
	p.Retirement = p.L.Day(b.Retirement)
	if !b.Open {
		p.Step = "closed"
	}
	return p, nil
}

func (s *Server) legacyForm(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if v != nil && v.Verified {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	p, err := s.legacyPage(r, "signin")
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "legacy", p)
}

// legacySignIn checks the old credentials. Every refusal gets the same
// explanation of how to create the new account.
func (s *Server) legacySignIn(w http.ResponseWriter, r *http.Request, _ *viewer) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	p, err := s.legacyPage(r, "signin")
	if err != nil || p.Step == "closed" {
		if err == nil {
			err = s.render(w, r, http.StatusOK, "legacy", p)
		}
		return err
	}
	username, password := strings.TrimSpace(r.PostForm.Get("username")), r.PostForm.Get("password")
	p.Form.Values["username"] = clip(username, 200)
	ticket, err := s.app.LegacySignIn(r.Context(), username, password, s.client(r))
	if th, ok := app.IsThrottled(err); ok {
		p.Form.FormError = "signin.throttled"
		p.Wait = int(th.RetryAfter.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(p.Wait))
		return s.render(w, r, http.StatusTooManyRequests, "legacy", p)
	}
	if p.Form.fromInvalid(err) {
		return s.render(w, r, http.StatusUnprocessableEntity, "legacy", p)
	}
	if errors.Is(err, app.ErrLegacyRefused) {
		p.Form.FormError = "legacy.refused"
		return s.render(w, r, http.StatusUnauthorized, "legacy", p)
	}
	if err != nil {
		return err
	}
	p.Step, p.Ticket, p.MaskedEmail = "signup", ticket.Token, portal.MaskEmail(ticket.Email)
	p.Title = p.L.T("legacy.signup.title")
	return s.render(w, r, http.StatusOK, "legacy", p)
}

// legacySignUp starts the new account and leads to the code page like any
// sign-up. A refused password keeps the ticket for another try.
func (s *Server) legacySignUp(w http.ResponseWriter, r *http.Request, _ *viewer) error {
	ticketGone := false
	return s.postForm(w, r, nil, formFlow{
		Run: func(in url.Values) (string, string, error) {
			token, err := s.app.LegacySignUp(r.Context(), in.Get("ticket"), in.Get("password"), s.client(r))
			if err == nil {
				s.setSessionCookie(w, token)
				http.SetCookie(w, &http.Cookie{Name: legacyCookie, Value: "1", Path: "/vahvista", HttpOnly: true,
					Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(app.CodeLifetime/time.Second) * 6})
			}
			return "/vahvista", "", err
		},
		Refuse: func(err error, f *form) int {
			if ticketGone = errors.Is(err, app.ErrLegacyTicket); ticketGone {
				f.FormError = "legacy.ticket"
				return http.StatusUnprocessableEntity
			}
			return 0
		},
		Page: func(f form, status int) error {
			p, err := s.legacyPage(r, "signin")
			if err != nil {
				return err
			}
			p.Form = f
			if ticketGone {
				return s.render(w, r, status, "legacy", p)
			}
			ticket := r.PostForm.Get("ticket")
			email, terr := s.app.LegacyTicketEmail(r.Context(), ticket)
			if terr != nil {
				return terr
			}
			p.Step, p.Ticket, p.MaskedEmail = "signup", ticket, portal.MaskEmail(email)
			p.Title = p.L.T("legacy.signup.title")
			return s.render(w, r, status, "legacy", p)
		},
	})
}
