package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
)

// A posted form has one flow, written once in postForm: parse, run the use
// case, then either redirect with a notice key (so that a reload does not
// post again) or show the page again with what was typed, the status (422
// for bad input) and the error summary, which takes the focus. The notice
// keys and their texts are one table, notices; the layout shows the notice
// of a page's ?ok= key, first in <main>, with the focus.

// form is the state of a form page: what was typed (never passwords), the
// errors by field (text keys) and a message for the whole form.
type form struct {
	Values    map[string]string
	Errors    map[string]string
	FormError string
	// Until is when to try again, for a FormError that says so.
	Until string
	// order is the form's fields in the order of its error summary: those
	// newForm declared, then the others as their errors came (the use cases
	// check a form's fields in the order it shows them).
	order []string
}

// newForm returns an empty form whose error summary lists fields first, in
// this order; a field not named here comes after them, in the order its
// error came. Name the fields when the use case checks them in another
// order than the page shows them.
func newForm(fields ...string) form {
	return form{Values: map[string]string{}, Errors: map[string]string{}, order: slices.Clone(fields)}
}

// HasErrors reports whether anything is wrong.
func (f form) HasErrors() bool { return len(f.Errors) > 0 || f.FormError != "" }

// fail marks field wrong with the text key; the summary lists the field in
// the form's order.
func (f *form) fail(field, key string) {
	f.Errors[field] = key
	if !slices.Contains(f.order, field) {
		f.order = append(f.order, field)
	}
}

// ErrorFields lists the fields with errors in the order of the summary
// (see form.order). A field set in Errors without fail comes last, by name,
// rather than being lost.
func (f form) ErrorFields() []string {
	var out []string
	for _, k := range f.order {
		if f.Errors[k] != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	var rest []string
	for k, msg := range f.Errors {
		if k != "" && msg != "" && !slices.Contains(out, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

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

// fromInvalid copies the use case's field errors into the form, in the
// order the use case found them.
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
		f.fail(fe.Field, fe.Key)
	}
	return true
}

// throttled tells the form when to try again if err is *app.ThrottledError
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

// formFlow describes one posted form for postForm.
type formFlow struct {
	// Fields are the form's fields in the order the page shows them, for
	// the error summary (see newForm); they may be left out when the use
	// case checks them in that order.
	Fields []string
	// Run calls the use case with the posted values. On success it returns
	// where to go and the key of the notice to show there (see notices; ""
	// for none).
	Run func(in url.Values) (to, notice string, err error)
	// Refuse turns an error of the use case that this form answers in its
	// own way into the form's errors and returns the status to answer with,
	// or 0 to leave err to the common answers: bad input (422) and a used up
	// quota (429); any other error becomes an error page. It may be nil.
	Refuse func(err error, f *form) int
	// Page shows the page again around the refused form f (its errors set;
	// it copies what was typed into f.Values), with status.
	Page func(f form, status int) error
}

// postForm is the one flow of a posted form: parse, run the use case, then
// a redirect with a notice on success, or the page again with the errors:
// what Refuse says, else 422 for bad input (app.InvalidInput) or 429 with
// Retry-After for a used up quota.
func (s *Server) postForm(w http.ResponseWriter, r *http.Request, v *viewer, fl formFlow) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	to, notice, err := fl.Run(r.PostForm)
	if err == nil {
		http.Redirect(w, r, withNotice(to, notice), http.StatusSeeOther)
		return nil
	}
	f := newForm(fl.Fields...)
	status := 0
	if fl.Refuse != nil {
		status = fl.Refuse(err, &f)
	}
	switch {
	case status != 0:
	case s.throttled(w, r, v, &f, err):
		status = http.StatusTooManyRequests
	case f.fromInvalid(err):
		status = http.StatusUnprocessableEntity
	default:
		return err
	}
	return fl.Page(f, status)
}

// notices are the notices a page shows after a redirect, by the key in its
// ?ok= parameter: the one place a key becomes a text. An unknown key shows
// nothing.
var notices = map[string]string{
	// the account and profile
	"lahetetty":             "verify.resent",
	"salasana":              "profile.password.changed",
	"sahkoposti":            "profile.email.changed",
	"laitteet":              "profile.devices.signedout",
	"ilmoitukset":           "profile.push.kinds.saved",
	"ilmoitukset-kaytossa":  "profile.push.enabled",
	"ilmoitukset-poistettu": "profile.push.devices.removed",
	"viimeinen":             "mfa.passkey.lastOne",
	"uudelleen":             "mfa.codes.reauth",
	"tunnistus":             "mfa.factors.reauth",
	"kalenteri-poistettu":   "calendar.revoked",
	"osoite-kalenteriin":    "calfeed.address.on",
	"osoite-pois":           "calfeed.address.off",
	"suostumus":             "consent.saved",
	"avainkoodi":            "pages.notice.passkeyAdded",
	"uloskirjautunut":       "pages.notice.signedOut",
	"tili-poistettu":        "pages.notice.accountDeleted",
	"salasana-uusi":         "pages.notice.passwordReset",
	"tervetuloa":            "pages.notice.welcome",
	"tervetuloa-vanha":      "pages.notice.welcomeLegacy",
	"kiitos":                "portalfeedback.thanks",
	// a customer's site
	"ohjeet":    "access.saved",
	"viesti":    "messages.sent",
	"palaute":   "feedback.saved",
	"peruttu":   "visit.cancelled",
	"lisatieto": "visit.noteSaved",
	"arvio":     "rating.saved",
	"siirto":    "move.sent",
	// family access
	"kutsu-lahetetty":  "grants.invited",
	"paasy-poistettu":  "grants.revoked",
	"poistuttu":        "grants.left",
	"kutsu-hyvaksytty": "invite.accepted",
	// provider staff
	"siirretty":        "provider.saved.rescheduled",
	"tuottaja-peruttu": "provider.saved.cancelled",
	"tehty":            "provider.saved.done",
	"matkalla":         "provider.saved.departed",
	"perilla":          "provider.saved.arrived",
	"hyvaksytty":       "provider.saved.moveAccepted",
	"hylatty":          "provider.saved.moveDeclined",
	"vastattu":         "provider.feedback.saved",
	// the chain admin's console
	"lisatty":          "console.providers.created",
	"tallennettu":      "console.provider.saved",
	"pois":             "console.provider.deactivated",
	"kaytossa":         "console.provider.reactivated",
	"henkilo-lisatty":  "console.staff.added",
	"kutsuttu":         "console.staff.invited",
	"henkilo-pois":     "console.staff.deactivated",
	"henkilo-kaytossa": "console.staff.reactivated",
	"kaksivaihe":       "console.staff.mfaReset",
	"ehdot":            "console.policies.saved",
	"saanto":           "console.rules.saved",
}

// noticeOf is the text key of the notice a request's ?ok= asks for, or "".
func noticeOf(r *http.Request) string { return notices[r.URL.Query().Get("ok")] }

// withNotice adds the notice key to a local address, before its fragment
// if it has one; key "" leaves it as it is.
func withNotice(to, key string) string {
	if key == "" {
		return to
	}
	path, frag, hasFrag := strings.Cut(to, "#")
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	path += sep + "ok=" + url.QueryEscape(key)
	if hasFrag {
		path += "#" + frag
	}
	return path
}

// redirectNotice answers a form or button that needs no page of its own:
// back to the address with the notice.
func redirectNotice(w http.ResponseWriter, r *http.Request, to, key string) {
	http.Redirect(w, r, withNotice(to, key), http.StatusSeeOther)
}
