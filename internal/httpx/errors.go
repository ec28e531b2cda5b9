// Package httpx holds what the two HTTP front ends (the pages in web and
// the sync API in api) share: the one table that turns a domain or app
// error into an HTTP status, a stable code, whether the cause is logged
// and how long a client should wait (Retry-After). Each front end only
// dresses the answer (an HTML page, a JSON body); neither decides a status
// of its own for an error the table knows.
package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
)

// UnavailableRetry is the Retry-After of an answer given while the
// database cannot be reached.
const UnavailableRetry = 30 * time.Second

// Failure is how one error is answered.
type Failure struct {
	// Status is the HTTP status; 0 means nothing is answered (the client
	// went away).
	Status int
	// Code is the stable, machine-readable name of the failure (the API's
	// error.code).
	Code string
	// Message is an English sentence safe to show: never the error's own
	// text unless the error is one written to be shown (the sync API's
	// refusals).
	Message string
	// Field names the input the failure is about, if any.
	Field string
	// RetryAfter, when not zero, is sent as the Retry-After header.
	RetryAfter time.Duration
	// Logged says the cause is logged (with Ref): an error nobody
	// expected, or an infrastructure one.
	Logged bool
	// Ref is the reference id of a logged failure, shown to the person so
	// that the log line can be found.
	Ref string
}

// Classify is the one mapping from errors to answers. A logged failure
// gets a fresh reference id.
func Classify(err error) Failure {
	f := classify(err)
	if f.Logged {
		f.Ref = Reference()
	}
	return f
}

func classify(err error) Failure {
	var (
		mbe     *http.MaxBytesError
		th      *app.ThrottledError
		scope   *app.ScopeError
		stale   *app.StaleError
		ref     *app.ReferenceError
		changed *app.TermsChangedError
		vat     *portal.VATRateError
		invalid app.InvalidInput
	)
	switch {
	case errors.Is(err, context.Canceled):
		return Failure{Code: "canceled"}
	case errors.Is(err, portal.ErrUnavailable):
		return Failure{Status: http.StatusServiceUnavailable, Code: "unavailable",
			Message:    "the service is unavailable for a moment; try again after Retry-After seconds",
			RetryAfter: UnavailableRetry, Logged: true}
	case errors.As(err, &mbe):
		return Failure{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
			Message: "the body is larger than " + strconv.FormatInt(mbe.Limit, 10) + " bytes"}
	case errors.As(err, &th):
		return Failure{Status: http.StatusTooManyRequests, Code: "throttled",
			Message: "too many attempts; try again after Retry-After seconds", RetryAfter: th.RetryAfter}
	case errors.As(err, &scope):
		return Failure{Status: http.StatusForbidden, Code: "forbidden", Message: scope.Error() + "; nothing was changed",
			Field: scope.Field}
	case errors.As(err, &stale):
		return Failure{Status: http.StatusConflict, Code: "stale_version", Message: stale.Error() +
			" (or the same version with other content); nothing was changed", Field: "version"}
	case errors.As(err, &ref):
		msg := "no record has this ERP id"
		if ref.Deleted {
			msg = "the record with this ERP id is deleted"
		}
		return Failure{Status: http.StatusUnprocessableEntity, Code: "unknown_reference", Message: msg, Field: ref.Field}
	case errors.As(err, &vat):
		return Failure{Status: http.StatusUnprocessableEntity, Code: "vat_rate", Message: vat.Reason + "; nothing was changed",
			Field: "lines[" + strconv.Itoa(vat.Line) + "].vat_rate_bp"}
	case errors.As(err, &invalid):
		f := Failure{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: "the input is not valid"}
		if len(invalid) > 0 {
			f.Field = invalid[0].Field
		}
		return f
	case errors.As(err, &changed):
		return Failure{Status: http.StatusConflict, Code: "terms_changed", Message: "the cancellation terms changed"}
	case errors.Is(err, app.ErrReadOnly):
		return Failure{Status: http.StatusConflict, Code: "read_only", Message: "the site's contracts have ended"}
	case errors.Is(err, app.ErrThreadClosed):
		return Failure{Status: http.StatusConflict, Code: "thread_closed", Message: "the thread is closed"}
	case errors.Is(err, app.ErrReauthenticate):
		return Failure{Status: http.StatusForbidden, Code: "reauthenticate", Message: "a recent sign-in is required"}
	case errors.Is(err, portal.ErrNotFound):
		return Failure{Status: http.StatusNotFound, Code: "not_found", Message: "no such record"}
	case errors.Is(err, portal.ErrUnauthenticated):
		return Failure{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "authentication is required"}
	case errors.Is(err, portal.ErrForbidden):
		return Failure{Status: http.StatusForbidden, Code: "forbidden", Message: "this is not allowed"}
	case errors.Is(err, portal.ErrConflict):
		return Failure{Status: http.StatusConflict, Code: "conflict", Message: "this conflicts with what is stored"}
	}
	return Failure{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error", Logged: true}
}

// Reference returns a fresh reference id: 12 hex digits, the one format
// the pages and the API show and the log carries.
func Reference() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// SetRetryAfter sets the Retry-After header of a failure that has one, in
// whole seconds rounded up.
func (f Failure) SetRetryAfter(h http.Header) {
	if f.RetryAfter > 0 {
		h.Set("Retry-After", strconv.FormatInt(int64((f.RetryAfter+time.Second-1)/time.Second), 10))
	}
}

// Log writes the one log line of a logged failure: its reference, the
// request's route and the cause. route is what the front end may log of
// the address (never a path that carries a secret).
func (f Failure) Log(log *slog.Logger, route string, err error) {
	if !f.Logged {
		return
	}
	msg := "request failed"
	if f.Code == "unavailable" {
		msg = "database unavailable"
	}
	log.Error(msg, "ref", f.Ref, "code", f.Code, "route", route, "err", err)
}
