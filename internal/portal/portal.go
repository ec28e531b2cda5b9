// Package portal is the domain of Asiakassivu: the types a customer portal
// of a home-services chain talks about, their rules as pure functions, and
// the domain errors every other package maps to. It imports only the
// standard library.
package portal

import (
	"errors"
	"time"
)

// Domain errors. Stores and use cases wrap them with %w; internal/httpx maps
// them to HTTP statuses in one place for the web pages and the API.
var (
	// ErrNotFound means the thing does not exist or the caller may not see it;
	// the two are deliberately indistinguishable.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a uniqueness rule would be broken.
	ErrConflict = errors.New("conflict")
	// ErrUnauthenticated means no valid session or wrong credentials.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden means the caller is known but may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrUnavailable means the database cannot be reached (PostgreSQL
	// refuses or lost the connection, the SQLite file cannot be opened or
	// read). It is never a domain answer: nothing was decided, the request
	// may be retried.
	ErrUnavailable = errors.New("database unavailable")
)

// Helsinki is the time zone in which every time is shown and every local
// rule (deadlines, reminders) is computed.
var Helsinki = mustLoad("Europe/Helsinki")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("portal: time zone " + name + " missing: " + err.Error())
	}
	return loc
}

// Date is a calendar date without a time of day (contract start, invoice
// due date). The zero Date means "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t in Helsinki.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Helsinki).Date()
	return Date{y, m, d}
}

// NewDate returns the given date.
func NewDate(y int, m time.Month, d int) Date { return Date{y, m, d} }

// ParseDate parses a YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, err
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight of d in UTC, the form stored in the database.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// String returns d as YYYY-MM-DD.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format(time.DateOnly)
}

// Finnish returns d in the Finnish form 2.1.2006.
func (d Date) Finnish() string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format("2.1.2006")
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Time().Before(e.Time()) }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date {
	t := d.Time().AddDate(0, 0, n)
	return Date{t.Year(), t.Month(), t.Day()}
}
