package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
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

// form is the state of a form page: what was typed (never passwords), the
// errors by field (text keys) and a message for the whole form.
type form struct {
	Values    map[string]string
	Errors    map[string]string
	FormError string
	Notice    string
	// Until is when to try again, for a FormError that says so.
	Until string
}

func newForm() form { return form{Values: map[string]string{}, Errors: map[string]string{}} }

// HasErrors reports whether anything is wrong.
func (f form) HasErrors() bool { return len(f.Errors) > 0 || f.FormError != "" }

// lengthLimits are the longest inputs the "too long" errors speak of, so
// the summary at the top of a form gives the same number as the field.
var lengthLimits = map[string]int{"error.note.long": app.MaxNoteLength, "error.comment.long": app.MaxFeedbackChars,
	"error.access.long": app.MaxAccessField, "error.reason.long": app.MaxReasonLength, "error.password.long": app.MaxPasswordLen,
	"error.message.long": portal.MaxMessageLength}

// Max returns the length limit the error of a field speaks of.
func (f form) Max(field string) int {
	if n, ok := lengthLimits[f.Errors[field]]; ok {
		return n
	}
	return app.MaxPasswordLen
}

// errorFieldOrder is the order of the forms' fields in an error summary:
// the order in which the forms show them.
var errorFieldOrder = []string{"username", "email", "current", "password", "code", "confirm", "note", "rating", "comment", "message",
	"access_keys", "access_door_code", "access_pets", "access_parking", "access_other",
	"option1", "option2", "option3", "option", "start", "end", "reason", "answer", "reply", "body",
	// the admin console's
	"name", "business_id", "city", "phone", "provider_email",
	"cancel_deadline_days", "late_fee_percent", "legacy_cutover", "legacy_retirement", "order_service_url",
	"year", "work_type", "rate", "max", "omavastuu", "actor", "customer", "from", "until",
	// the deduction consent's
	"payer1name", "payer1code", "payer1share", "payer2name", "payer2code", "payer2share"}

// ErrorFields lists the fields with errors in a stable order for the
// summary: those of errorFieldOrder in its order, then any other by name,
// so that a field missing from the list still reaches the summary.
func (f form) ErrorFields() []string {
	var out []string
	for _, k := range errorFieldOrder {
		if f.Errors[k] != "" {
			out = append(out, k)
		}
	}
	var rest []string
	for k, msg := range f.Errors {
		if k != "" && msg != "" && !slices.Contains(errorFieldOrder, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// throttled tells the form when to try again if err is *app.ErrThrottled
// (a code quota used up): the minute in Helsinki time, in the page's
// language. It sets Retry-After too.
func (s *Server) throttled(w http.ResponseWriter, r *http.Request, v *viewer, f *form, err error) bool {
	th, ok := app.IsThrottled(err)
	if !ok {
		return false
	}
	at := s.app.Now().Add(th.RetryAfter)
	if m := at.Truncate(time.Minute); m.Before(at) {
		at = m.Add(time.Minute)
	}
	f.FormError, f.Until = "codes.throttled", s.texts(r, v).When(at)
	w.Header().Set("Retry-After", strconv.Itoa(int(th.RetryAfter.Seconds()+0.999)))
	return true
}

// fromInvalid copies the use case's field errors into the form.
func (f *form) fromInvalid(err error) bool {
	var bad app.InvalidInput
	if !errors.As(err, &bad) {
		return false
	}
	for _, fe := range bad {
		if fe.Field == "" {
			f.FormError = fe.Key
			continue
		}
		f.Errors[fe.Field] = fe.Key
	}
	return true
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
	if err := r.ParseForm(); err != nil {
		return err
	}
	email, password := strings.TrimSpace(r.PostForm.Get("email")), r.PostForm.Get("password")
	p := accountPage{layout: s.base(r, nil, "signup.title"), Form: newForm()}
	p.Form.Values["email"] = clip(email, 2*emailaddr.MaxLength)
	token, err := s.app.SignUp(r.Context(), email, password, s.client(r))
	if s.throttled(w, r, nil, &p.Form, err) {
		return s.render(w, r, http.StatusTooManyRequests, "signup", p)
	}
	if p.Form.fromInvalid(err) {
		return s.render(w, r, http.StatusUnprocessableEntity, "signup", p)
	}
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token)
	http.Redirect(w, r, "/vahvista", http.StatusSeeOther)
	return nil
}

func (s *Server) verifyForm(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if v.Verified {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	p := accountPage{layout: s.base(r, v, "verify.title"), Form: newForm(), Email: v.Email}
	if r.URL.Query().Get("lahetetty") == "1" {
		p.Form.Notice = "verify.resent"
	}
	return s.render(w, r, http.StatusOK, "verify", p)
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if v.Verified {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	code := r.PostForm.Get("code")
	token, err := s.app.VerifySignup(r.Context(), v.Viewer, code, s.client(r))
	if errors.Is(err, app.ErrCodeInvalid) {
		p := accountPage{layout: s.base(r, v, "verify.title"), Form: newForm(), Email: v.Email}
		p.Form.Values["code"] = clip(code, 20)
		p.Form.Errors["code"] = "error.code.invalid"
		return s.render(w, r, http.StatusUnprocessableEntity, "verify", p)
	}
	if p := (accountPage{layout: s.base(r, v, "verify.title"), Form: newForm(), Email: v.Email}); s.throttled(w, r, v, &p.Form, err) {
		p.Form.Values["code"] = clip(code, 20)
		return s.render(w, r, http.StatusTooManyRequests, "verify", p)
	}
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token)
	http.SetCookie(w, s.emailHint(v.Email))
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (s *Server) resendCode(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if err := s.app.ResendSignupCode(r.Context(), v.Viewer, s.client(r)); err != nil {
		p := accountPage{layout: s.base(r, v, "verify.title"), Form: newForm(), Email: v.Email}
		if s.throttled(w, r, v, &p.Form, err) {
			return s.render(w, r, http.StatusTooManyRequests, "verify", p)
		}
		return err
	}
	http.Redirect(w, r, "/vahvista?lahetetty=1", http.StatusSeeOther)
	return nil
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
	if err := r.ParseForm(); err != nil {
		return err
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	p := accountPage{layout: s.base(r, v, "forgot.title"), Form: newForm()}
	p.Form.Values["email"] = clip(email, 2*emailaddr.MaxLength)
	err := s.app.RequestReset(r.Context(), email, s.client(r))
	if s.throttled(w, r, v, &p.Form, err) {
		return s.render(w, r, http.StatusTooManyRequests, "forgot", p)
	}
	if p.Form.fromInvalid(err) {
		return s.render(w, r, http.StatusUnprocessableEntity, "forgot", p)
	}
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: resetCookie, Value: url.QueryEscape(email), Path: "/unohtunut-salasana",
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: int((app.CodeLifetime + 5*time.Minute) / time.Second)})
	http.Redirect(w, r, "/unohtunut-salasana/koodi", http.StatusSeeOther)
	return nil
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
	if err := r.ParseForm(); err != nil {
		return err
	}
	code, password := r.PostForm.Get("code"), r.PostForm.Get("password")
	p := accountPage{layout: s.base(r, v, "reset.title"), Form: newForm(), Email: email}
	p.Form.Values["code"] = clip(code, 20)
	token, err := s.app.ResetPassword(r.Context(), email, code, password, s.client(r))
	switch {
	case errors.Is(err, app.ErrCodeInvalid):
		p.Form.Errors["code"] = "error.code.invalid"
		return s.render(w, r, http.StatusUnprocessableEntity, "reset", p)
	case s.throttled(w, r, v, &p.Form, err):
		return s.render(w, r, http.StatusTooManyRequests, "reset", p)
	case p.Form.fromInvalid(err):
		return s.render(w, r, http.StatusUnprocessableEntity, "reset", p)
	case err != nil:
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: resetCookie, Value: "", Path: "/unohtunut-salasana", MaxAge: -1, HttpOnly: true, Secure: s.secure})
	s.setSessionCookie(w, token)
	http.SetCookie(w, s.emailHint(email))
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
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
	ID       int64
	Browser  string
	LastUsed time.Time
	This     bool
}

type profilePage struct {
	layout
	Devices  []device
	Sites    []portal.SiteSummary
	Password form
	Email    form
	Delete   form
	Notice   string
	Push     pushSection // push.go
	MFA      app.MFA
	// Staff is set for staff and admins, whose second factor is required.
	Staff bool
	// Codes and Next feed the recovery-codes partial, which passkey.js
	// fills when a first passkey brings a set.
	Codes []string
	Next  string
}

func (s *Server) profileData(r *http.Request, v *viewer) (profilePage, error) {
	p := profilePage{layout: s.base(r, v, "profile.title"), Password: newForm(), Email: newForm(), Delete: newForm(),
		Next: "/profiili#kirjautuminen"}
	sessions, err := s.app.Devices(r.Context(), v.Viewer)
	if err != nil {
		return p, err
	}
	for _, se := range sessions {
		p.Devices = append(p.Devices, device{ID: se.ID, Browser: browserName(se.UserAgent), LastUsed: se.LastSeenAt, This: se.ID == v.SessionID})
	}
	if p.Push, err = s.pushSection(r, v); err != nil {
		return p, err
	}
	if p.MFA, err = s.app.MFAState(r.Context(), v.Viewer); err != nil {
		return p, err
	}
	p.Staff = v.Role == portal.RoleStaff || v.Role == portal.RoleAdmin
	p.Sites, err = s.app.Overview(r.Context(), v.Viewer)
	return p, err
}

func (s *Server) profile(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p, err := s.profileData(r, v)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("ok") {
	case "salasana":
		p.Notice = "profile.password.changed"
	case "sahkoposti":
		p.Notice = "profile.email.changed"
	case "laitteet":
		p.Notice = "profile.devices.signedout"
	}
	switch {
	case r.URL.Query().Get("viimeinen") != "":
		p.Notice = "mfa.passkey.lastOne"
	case r.URL.Query().Get("uudelleen") != "":
		p.Notice = "mfa.codes.reauth"
	case r.URL.Query().Get("tunnistus") != "":
		p.Notice = "mfa.factors.reauth"
	}
	return s.render(w, r, http.StatusOK, "profile", p)
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	err := s.app.ChangePassword(r.Context(), v.Viewer, r.PostForm.Get("current"), r.PostForm.Get("password"), s.client(r))
	if err == nil {
		http.Redirect(w, r, "/profiili?ok=salasana", http.StatusSeeOther)
		return nil
	}
	p, perr := s.profileData(r, v)
	if perr != nil {
		return perr
	}
	if !p.Password.fromInvalid(err) {
		return err
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "profile", p)
}

// requestEmailChange checks the password (a fresh sign-in) and mails a code
// to the new address.
func (s *Server) requestEmailChange(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	p, err := s.profileData(r, v)
	if err != nil {
		return err
	}
	p.Email.Values["email"] = clip(email, 2*emailaddr.MaxLength)
	err = s.app.Reauthenticate(r.Context(), v.Viewer, r.PostForm.Get("current"), s.client(r))
	if err == nil {
		v.AuthAt = s.app.Now()
		err = s.app.RequestEmailChange(r.Context(), v.Viewer, email, s.client(r))
	}
	if s.throttled(w, r, v, &p.Email, err) {
		return s.render(w, r, http.StatusTooManyRequests, "profile", p)
	}
	if p.Email.fromInvalid(err) {
		return s.render(w, r, http.StatusUnprocessableEntity, "profile", p)
	}
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: "asiakassivu_newemail", Value: url.QueryEscape(email), Path: "/profiili",
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(app.CodeLifetime / time.Second)})
	http.Redirect(w, r, "/profiili/sahkoposti", http.StatusSeeOther)
	return nil
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
		http.Redirect(w, r, "/profiili", http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "emailchange", p)
}

func (s *Server) confirmEmailChange(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	code := r.PostForm.Get("code")
	err := s.app.ConfirmEmailChange(r.Context(), v.Viewer, code, s.client(r))
	if err == nil {
		http.SetCookie(w, &http.Cookie{Name: "asiakassivu_newemail", Value: "", Path: "/profiili", MaxAge: -1, HttpOnly: true, Secure: s.secure})
		http.Redirect(w, r, "/profiili?ok=sahkoposti", http.StatusSeeOther)
		return nil
	}
	p, perr := s.emailChangePage(r, v)
	if perr != nil {
		return perr
	}
	p.Form.Values["code"] = clip(code, 20)
	switch {
	case errors.Is(err, app.ErrCodeInvalid):
		p.Form.Errors["code"] = "error.code.invalid"
	case errors.Is(err, app.ErrReauthenticate):
		p.Form.FormError = "emailchange.expired"
	case s.throttled(w, r, v, &p.Form, err):
		return s.render(w, r, http.StatusTooManyRequests, "emailchange", p)
	default:
		return err
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "emailchange", p)
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
		http.Redirect(w, r, "/kirjaudu", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/profiili?ok=laitteet", http.StatusSeeOther)
	return nil
}

func (s *Server) signOutOthers(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if err := s.app.SignOutOthers(r.Context(), v.Viewer); err != nil {
		return err
	}
	http.Redirect(w, r, "/profiili?ok=laitteet", http.StatusSeeOther)
	return nil
}

func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	p, err := s.profileData(r, v)
	if err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != "yes" {
		p.Delete.Errors["confirm"] = "error.delete.confirm"
		return s.render(w, r, http.StatusUnprocessableEntity, "profile", p)
	}
	err = s.app.DeleteAccount(r.Context(), v.Viewer, r.PostForm.Get("current"), s.client(r))
	if p.Delete.fromInvalid(err) {
		return s.render(w, r, http.StatusUnprocessableEntity, "profile", p)
	}
	if err != nil {
		return err
	}
	s.clearSessionCookie(w)
	w.Header().Set("Clear-Site-Data", `"cache"`)
	http.Redirect(w, r, "/kirjaudu", http.StatusSeeOther)
	return nil
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

// browserName names the browser and system of a User-Agent in a few words.
func browserName(ua string) string {
	var b, o string
	switch {
	case strings.Contains(ua, "Edg/"):
		b = "Edge"
	case strings.Contains(ua, "Firefox/"):
		b = "Firefox"
	case strings.Contains(ua, "Chrome/") || strings.Contains(ua, "Chromium/") || strings.Contains(ua, "CriOS/"):
		b = "Chrome"
	case strings.Contains(ua, "Safari/"):
		b = "Safari"
	}
	switch {
	case strings.Contains(ua, "iPhone"):
		o = "iPhone"
	case strings.Contains(ua, "iPad"):
		o = "iPad"
	case strings.Contains(ua, "Android"):
		o = "Android"
	case strings.Contains(ua, "Windows"):
		o = "Windows"
	case strings.Contains(ua, "Mac OS X"):
		o = "Mac"
	case strings.Contains(ua, "Linux"):
		o = "Linux"
	}
	switch {
	case b != "" && o != "":
		return b + ", " + o
	case b != "":
		return b
	case o != "":
		return o
	}
	return ""
}
