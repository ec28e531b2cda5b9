package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
)

// The second factor's pages: giving it after the password (/kaksivaihe),
// setting one up (/kaksivaihe/kayttoon: a passkey, or an authenticator app
// without JavaScript), and the passkeys' JSON endpoints used by
// static/passkey.js.

// TOTPLink is the otpauth:// address of the new secret, made by the app;
// templ allows only web schemes by itself, so this one is checked here.
func (p mfaPage) TOTPLink() templ.SafeURL {
	if strings.HasPrefix(p.TOTP.URI, "otpauth://totp/") {
		return templ.SafeURL(p.TOTP.URI)
	}
	return "about:invalid#otpauth"
}

// mfaPage is the data of the second-factor pages. Step is "verify",
// "enrol", "totp" (the new secret and its first code) or "codes" (the
// recovery codes, shown once).
type mfaPage struct {
	layout
	Form  form
	Step  string
	Next  string
	MFA   app.MFA
	TOTP  app.TOTPSetup
	Codes []string
	Wait  int
}

func (s *Server) mfaPage(r *http.Request, v *viewer, step string) mfaPage {
	title := map[string]string{"verify": "mfa.verify.title", "enrol": "mfa.enrol.title", "totp": "mfa.totp.title",
		"codes": "mfa.codes.title"}[step]
	return mfaPage{layout: s.base(r, v, title), Form: newForm(), Step: step, Next: localPath(r.FormValue("next"))}
}

func (s *Server) secondFactorForm(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if !v.NeedsSecondFactor() {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	p := s.mfaPage(r, v, "verify")
	var err error
	if p.MFA, err = s.app.MFAState(r.Context(), v.Viewer); err != nil {
		return err
	}
	if !p.MFA.Any() {
		http.Redirect(w, r, "/kaksivaihe/kayttoon", http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "mfa", p)
}

func (s *Server) secondFactor(w http.ResponseWriter, r *http.Request, v *viewer) error {
	wait := 0
	return s.postForm(w, r, v, formFlow{
		Run: func(in url.Values) (string, string, error) {
			return orDefault(localPath(r.FormValue("next")), "/"), "", s.app.SecondFactor(r.Context(), v.Viewer, in.Get("code"))
		},
		Refuse: func(err error, f *form) int {
			if th, ok := app.IsThrottled(err); ok {
				f.FormError, wait = "signin.throttled", int(th.RetryAfter.Seconds()+0.999)
				w.Header().Set("Retry-After", strconv.Itoa(wait))
				return http.StatusTooManyRequests
			}
			if errors.Is(err, app.ErrSecondFactor) {
				f.fail("code", "error.mfa.code")
				return http.StatusUnprocessableEntity
			}
			return 0
		},
		Page: func(f form, status int) error {
			p := s.mfaPage(r, v, "verify")
			if p.MFA, _ = s.app.MFAState(r.Context(), v.Viewer); !p.MFA.Any() {
				http.Redirect(w, r, "/kaksivaihe/kayttoon", http.StatusSeeOther)
				return nil
			}
			p.Form, p.Wait = f, wait
			return s.render(w, r, status, "mfa", p)
		},
	})
}

func (s *Server) enrolForm(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p := s.mfaPage(r, v, "enrol")
	var err error
	if p.MFA, err = s.app.MFAState(r.Context(), v.Viewer); err != nil {
		return err
	}
	if v.NeedsSecondFactor() && p.MFA.Any() {
		// A factor is set up already: it is given first.
		http.Redirect(w, r, "/kaksivaihe", http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "mfa", p)
}

// startTOTP makes a new authenticator-app secret and shows it with the
// field for its first code.
func (s *Server) startTOTP(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p := s.mfaPage(r, v, "totp")
	var err error
	if p.TOTP, err = s.app.StartTOTP(r.Context(), v.Viewer); errors.Is(err, portal.ErrConflict) || errors.Is(err, app.ErrSecondFactorFirst) {
		// An app is in use already, or the account has another factor to
		// give first: this is the place to give it.
		http.Redirect(w, r, "/kaksivaihe", http.StatusSeeOther)
		return nil
	} else if errors.Is(err, app.ErrReauthenticate) {
		http.Redirect(w, r, factorsReauth, http.StatusSeeOther)
		return nil
	} else if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "mfa", p)
}

func (s *Server) confirmTOTP(w http.ResponseWriter, r *http.Request, v *viewer) error {
	codes, err := s.app.ConfirmTOTP(r.Context(), v.Viewer, r.PostFormValue("code"))
	if err == nil {
		p := s.mfaPage(r, v, "codes")
		p.Codes = codes
		if len(codes) == 0 {
			http.Redirect(w, r, orDefault(p.Next, "/"), http.StatusSeeOther)
			return nil
		}
		return s.render(w, r, http.StatusOK, "mfa", p)
	}
	p := s.mfaPage(r, v, "totp")
	status := http.StatusUnprocessableEntity
	if errors.Is(err, app.ErrSecondFactorFirst) {
		http.Redirect(w, r, "/kaksivaihe", http.StatusSeeOther)
		return nil
	} else if errors.Is(err, app.ErrReauthenticate) {
		http.Redirect(w, r, factorsReauth, http.StatusSeeOther)
		return nil
	} else if th, ok := app.IsThrottled(err); ok {
		p.Form.FormError, p.Wait, status = "signin.throttled", int(th.RetryAfter.Seconds()+0.999), http.StatusTooManyRequests
	} else if errors.Is(err, app.ErrSecondFactor) {
		p.Form.fail("code", "error.mfa.code")
	} else {
		return err
	}
	if p.TOTP, err = s.app.PendingTOTP(r.Context(), v.Viewer); err != nil {
		http.Redirect(w, r, "/kaksivaihe", http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, status, "mfa", p)
}

// newRecoveryCodes replaces the recovery codes (after a recent sign-in)
// and shows the new ones once.
func (s *Server) newRecoveryCodes(w http.ResponseWriter, r *http.Request, v *viewer) error {
	codes, err := s.app.NewRecoveryCodes(r.Context(), v.Viewer)
	if errors.Is(err, app.ErrReauthenticate) {
		redirectNotice(w, r, profilePath(partSecurity), "uudelleen")
		return nil
	}
	if err != nil {
		return err
	}
	p := s.mfaPage(r, v, "codes")
	p.Codes, p.Next = codes, profilePath(partSecurity)
	return s.render(w, r, http.StatusOK, "mfa", p)
}

// factorsReauth is where a change of factors that needs a recent sign-in
// sends the person: the profile says so.
const factorsReauth = "/profiili/kirjautuminen?ok=tunnistus"

func (s *Server) removePasskey(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "passkey")
	if err != nil {
		return err
	}
	if err := s.app.RemovePasskey(r.Context(), v.Viewer, id); errors.Is(err, portal.ErrConflict) {
		redirectNotice(w, r, profilePath(partSecurity), "viimeinen")
		return nil
	} else if errors.Is(err, app.ErrReauthenticate) {
		http.Redirect(w, r, factorsReauth, http.StatusSeeOther)
		return nil
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, profilePath(partSecurity), http.StatusSeeOther)
	return nil
}

// ceremonyJSON is what passkey.js sends back: the ceremony's token, the
// browser's answer as PublicKeyCredential.toJSON gives it, and a name.
type ceremonyJSON struct {
	Token      string          `json:"token"`
	Credential json.RawMessage `json:"credential"`
	Name       string          `json:"name"`
}

func readCeremony(r *http.Request) (ceremonyJSON, error) {
	var c ceremonyJSON
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return c, app.ErrPasskey
	}
	return c, nil
}

// writeJSON answers a script's request with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// passkeyFailed answers a refused ceremony with the text to show.
func (s *Server) passkeyFailed(w http.ResponseWriter, r *http.Request, v *viewer, err error) error {
	switch {
	case errors.Is(err, app.ErrPasskey):
		return writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": s.texts(r, v).T("error.passkey")})
	case errors.Is(err, app.ErrReauthenticate):
		return writeJSON(w, http.StatusForbidden, map[string]string{"error": s.texts(r, v).T("mfa.factors.reauth")})
	case errors.Is(err, app.ErrPasskeySuspended):
		return writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": s.texts(r, v).T("mfa.passkey.suspended")})
	case errors.Is(err, app.ErrSecondFactorFirst):
		return writeJSON(w, http.StatusForbidden, map[string]string{"error": s.texts(r, v).T("mfa.factors.secondFirst")})
	}
	return err
}

func (s *Server) beginPasskeySignIn(w http.ResponseWriter, r *http.Request, v *viewer) error {
	token, options, err := s.app.BeginPasskeySignIn(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"token": token, "options": json.RawMessage(options)})
}

// finishPasskeySignIn opens the session; a password-only session of the
// same device (at the second-factor page) is ended, so it is not left
// behind.
func (s *Server) finishPasskeySignIn(w http.ResponseWriter, r *http.Request, v *viewer) error {
	c, err := readCeremony(r)
	if err != nil {
		return s.passkeyFailed(w, r, v, err)
	}
	var current app.Viewer
	if v != nil {
		current = v.Viewer
	}
	token, err := s.app.FinishPasskeySignIn(r.Context(), c.Token, c.Credential, s.client(r), current)
	if err != nil {
		return s.passkeyFailed(w, r, v, err)
	}
	if v != nil {
		if err := s.app.SignOut(r.Context(), v.token); err != nil {
			return err
		}
	}
	s.setSessionCookie(w, token)
	return writeJSON(w, http.StatusOK, map[string]string{"next": orDefault(localPath(r.URL.Query().Get("next")), "/")})
}

func (s *Server) beginPasskeyRegistration(w http.ResponseWriter, r *http.Request, v *viewer) error {
	token, options, err := s.app.BeginPasskeyRegistration(r.Context(), v.Viewer)
	if err != nil {
		return s.passkeyFailed(w, r, v, err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"token": token, "options": json.RawMessage(options)})
}

func (s *Server) finishPasskeyRegistration(w http.ResponseWriter, r *http.Request, v *viewer) error {
	c, err := readCeremony(r)
	if err != nil {
		return s.passkeyFailed(w, r, v, err)
	}
	codes, err := s.app.FinishPasskeyRegistration(r.Context(), v.Viewer, c.Token, c.Credential, c.Name)
	if err != nil {
		return s.passkeyFailed(w, r, v, err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"codes": codes, "next": orDefault(localPath(r.URL.Query().Get("next")), "/")})
}
