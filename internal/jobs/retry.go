package jobs

import (
	"errors"
	"time"
)

// retryAfter marks an error whose cause asked for a wait before the next
// attempt (a push service's Retry-After).
type retryAfter struct {
	err   error
	after time.Duration
}

// Error is the wrapped error's text.
func (r retryAfter) Error() string { return r.err.Error() }

// Unwrap returns the wrapped error.
func (r retryAfter) Unwrap() error { return r.err }

// RetryAfter wraps err so that the worker waits at least d before the next
// attempt, instead of only its own backoff. d <= 0 leaves the backoff alone.
func RetryAfter(err error, d time.Duration) error {
	if err == nil || d <= 0 {
		return err
	}
	return retryAfter{err, d}
}

// pause is how long to wait after failed attempt n: the backoff, or the
// wait the error asked for when that is longer.
func (w *Worker) pause(n int, err error) time.Duration {
	d := w.o.Backoff(n)
	var ra retryAfter
	if errors.As(err, &ra) {
		d = max(d, ra.after)
	}
	return d
}
