// Package httpxtest lists, for the front ends' tests, one error of each
// row of internal/httpx's table with the answer it must get: the pages
// (web) and the API (api) each drive their own front end with every case,
// so both answer each error with the same status, code and Retry-After.
package httpxtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
)

// Case is one error and the answer both front ends must give it.
type Case struct {
	Name string
	Err  error
	// Status is the HTTP status; 0: nothing is answered.
	Status int
	// Code is the stable code (the API's error.code).
	Code string
	// RetryAfter is the Retry-After header ("" for none).
	RetryAfter string
	// Logged says the cause is logged with a reference the answer shows.
	Logged bool
}

// Cases returns one case per row of the table, each error wrapped as a
// use case would wrap it.
func Cases() []Case {
	wrap := func(err error) error { return fmt.Errorf("some use case: %w", err) }
	return []Case{
		{"not found", wrap(portal.ErrNotFound), http.StatusNotFound, "not_found", "", false},
		{"forbidden", wrap(portal.ErrForbidden), http.StatusForbidden, "forbidden", "", false},
		{"conflict", wrap(portal.ErrConflict), http.StatusConflict, "conflict", "", false},
		{"unauthenticated", wrap(portal.ErrUnauthenticated), http.StatusUnauthorized, "unauthorized", "", false},
		{"unavailable", wrap(fmt.Errorf("%w: dial tcp: connection refused", portal.ErrUnavailable)),
			http.StatusServiceUnavailable, "unavailable", "30", true},
		{"throttled", wrap(&app.ThrottledError{RetryAfter: 90*time.Second + time.Millisecond}), http.StatusTooManyRequests,
			"throttled", "91", false},
		{"too large", wrap(&http.MaxBytesError{Limit: 10}), http.StatusRequestEntityTooLarge, "too_large", "", false},
		{"scope", wrap(&app.ScopeError{Provider: "p1", Field: "site_id", Ref: "s2"}), http.StatusForbidden, "forbidden", "", false},
		{"stale", wrap(&app.StaleError{Stored: 2, Sent: 1}), http.StatusConflict, "stale_version", "", false},
		{"reference", wrap(&app.ReferenceError{Field: "site_id", Ref: "s9"}), http.StatusUnprocessableEntity,
			"unknown_reference", "", false},
		{"invalid input", wrap(app.InvalidInput{{Field: "note", Key: "error.note.long"}}), http.StatusUnprocessableEntity,
			"invalid", "", false},
		{"vat rate", wrap(&portal.VATRateError{Line: 1, Reason: "24 % is not the rate on 1.9.2024"}), http.StatusUnprocessableEntity,
			"vat_rate", "", false},
		{"terms changed", wrap(&app.TermsChangedError{}), http.StatusConflict, "terms_changed", "", false},
		{"read-only site", wrap(app.ErrReadOnly), http.StatusConflict, "read_only", "", false},
		{"thread closed", wrap(app.ErrThreadClosed), http.StatusConflict, "thread_closed", "", false},
		{"reauthenticate", wrap(app.ErrReauthenticate), http.StatusForbidden, "reauthenticate", "", false},
		{"unexpected", wrap(errors.New("disk on fire")), http.StatusInternalServerError, "internal", "", true},
		{"client gone", wrap(context.Canceled), 0, "canceled", "", false},
	}
}
