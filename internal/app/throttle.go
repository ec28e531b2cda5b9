package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"asiakassivu/internal/store"
)

// ErrThrottled means too many attempts: the person must wait. It carries
// how long, so the page can say so.
type ErrThrottled struct{ RetryAfter time.Duration }

func (e *ErrThrottled) Error() string {
	return "too many attempts; retry after " + e.RetryAfter.String()
}

// IsThrottled reports whether err is an ErrThrottled and returns it.
func IsThrottled(err error) (*ErrThrottled, bool) {
	var t *ErrThrottled
	ok := errors.As(err, &t)
	return t, ok
}

// Sign-in throttling (SECURITY.md): after a few failures per (address, IP)
// and many per IP, each further failure blocks the next attempt for a
// growing time, capped at maxDelay. Counters live in the database so that
// every instance shares them.
const (
	freeFailuresPerAccountIP = 5
	freeFailuresPerIP        = 30
	maxDelay                 = 30 * time.Second
	failureWindow            = time.Hour
)

// Code requests: at most this many per (account, IP) and per account an hour.
const (
	codesPerAccountIP = 5
	codesPerAccount   = 20
	codeWindow        = time.Hour
)

func signInKeyAccount(emailNorm, ip string) string { return "signin:acct:" + emailNorm + "|" + ip }
func signInKeyIP(ip string) string                 { return "signin:ip:" + ip }
func codeKeyAccountIP(id int64, ip string) string {
	return "code:acct-ip:" + strconv.FormatInt(id, 10) + "|" + ip
}
func codeKeyAccount(id int64) string { return "code:acct:" + strconv.FormatInt(id, 10) }

// blocked returns how long key is still blocked at now (0 when free).
func blocked(ctx context.Context, tx *store.Tx, key string, now time.Time) (time.Duration, error) {
	a, err := tx.Attempts(ctx, key)
	if err != nil {
		return 0, fmt.Errorf("throttle %s: %w", key, err)
	}
	if a.BlockedUntil.After(now) {
		return a.BlockedUntil.Sub(now), nil
	}
	return 0, nil
}

// fail counts a failure under key; after free failures in the window each
// one blocks for 1 s, 2 s, 4 s … up to maxDelay.
func fail(ctx context.Context, tx *store.Tx, key string, free int, now time.Time) error {
	a, err := tx.Attempts(ctx, key)
	if err != nil {
		return err
	}
	if now.Sub(a.WindowStart) > failureWindow {
		a = store.Attempts{WindowStart: now}
	}
	a.Count++
	if over := a.Count - free; over > 0 {
		d := maxDelay
		if over < 6 {
			d = min(maxDelay, time.Second<<(over-1))
		}
		a.BlockedUntil = now.Add(d)
	}
	return tx.SetAttempts(ctx, key, a)
}

// longestBlock is how long the next attempt must wait under any of keys.
func longestBlock(ctx context.Context, tx *store.Tx, now time.Time, keys ...string) (time.Duration, error) {
	var wait time.Duration
	for _, k := range keys {
		d, err := blocked(ctx, tx, k, now)
		if err != nil {
			return 0, err
		}
		wait = max(wait, d)
	}
	return wait, nil
}

// failSignIn counts a failed sign-in (with a password or old extranet
// credentials) against the address it came from and against what it
// named there.
func failSignIn(ctx context.Context, tx *store.Tx, now time.Time, ip, key string) error {
	if err := fail(ctx, tx, signInKeyIP(ip), freeFailuresPerIP, now); err != nil {
		return err
	}
	return fail(ctx, tx, key, freeFailuresPerAccountIP, now)
}

// quota takes one unit of an hourly quota under key and reports whether
// it was available.
func quota(ctx context.Context, tx *store.Tx, key string, limit int, now time.Time) (bool, error) {
	a, err := tx.Attempts(ctx, key)
	if err != nil {
		return false, err
	}
	if now.Sub(a.WindowStart) > codeWindow {
		a = store.Attempts{WindowStart: now}
	}
	if a.Count >= limit {
		return false, nil
	}
	a.Count++
	return true, tx.SetAttempts(ctx, key, a)
}

// Codes by address (SECURITY.md): every sign-up starts a new pending claim
// with its own code, so the quotas of codes and of wrong tries are kept by
// the normalised address the code goes to, whatever account or claim asks,
// and by the client's IP. A quota applies to any address, with an account
// or without, so a refusal tells nothing about accounts.
const (
	codeMailsPerAddressHour = 5   // codes and invitations mailed to one address
	codeMailsPerAddressDay  = 20  //
	codeMailsPerIPHour      = 30  // … asked from one IP
	wrongCodesPerAddressDay = 20  // wrong codes typed for one address
	wrongCodesPerIPDay      = 100 // … from one IP
	codeDay                 = 24 * time.Hour
	// existsNoticeEvery is how often a sign-up to a registered address
	// mails its owner "you already have an account".
	existsNoticeEvery = time.Hour
)

// windowed is the counter under key, started afresh when its window has
// passed.
func windowed(ctx context.Context, tx *store.Tx, key string, window time.Duration, now time.Time) (store.Attempts, error) {
	a, err := tx.Attempts(ctx, key)
	if err != nil {
		return a, fmt.Errorf("throttle %s: %w", key, err)
	}
	if now.Sub(a.WindowStart) >= window {
		a = store.Attempts{WindowStart: now}
	}
	return a, nil
}

type limit struct {
	key    string
	max    int
	window time.Duration
}

// takeAll counts one under every limit, or none when any is used up: then
// it answers *ErrThrottled with the wait until all are free again. Keys
// are locked in the order given, so concurrent requests take turns.
func takeAll(ctx context.Context, tx *store.Tx, now time.Time, limits ...limit) error {
	counters := make([]store.Attempts, len(limits))
	var wait time.Duration
	for i, l := range limits {
		if err := tx.LockKey(ctx, l.key); err != nil {
			return err
		}
		a, err := windowed(ctx, tx, l.key, l.window, now)
		if err != nil {
			return err
		}
		if a.Count >= l.max {
			wait = max(wait, a.WindowStart.Add(l.window).Sub(now))
		}
		counters[i] = a
	}
	if wait > 0 {
		return &ErrThrottled{RetryAfter: wait}
	}
	for i, l := range limits {
		counters[i].Count++
		if err := tx.SetAttempts(ctx, l.key, counters[i]); err != nil {
			return err
		}
	}
	return nil
}

// takeCodeMail takes one code (or invitation) mail to the address from its
// quotas and from those of the IP asking (none when ip is "": an admin's
// invitation); *ErrThrottled when used up.
func takeCodeMail(ctx context.Context, tx *store.Tx, now time.Time, emailNorm, ip string) error {
	limits := []limit{{"codes:addr-hour:" + emailNorm, codeMailsPerAddressHour, time.Hour},
		{"codes:addr-day:" + emailNorm, codeMailsPerAddressDay, codeDay}}
	if ip != "" {
		limits = append(limits, limit{"codes:ip-hour:" + ip, codeMailsPerIPHour, time.Hour})
	}
	return takeAll(ctx, tx, now, limits...)
}

func wrongCodeLimits(emailNorm, ip string) []limit {
	limits := []limit{{"codes:wrong-addr:" + emailNorm, wrongCodesPerAddressDay, codeDay}}
	if ip != "" {
		limits = append(limits, limit{"codes:wrong-ip:" + ip, wrongCodesPerIPDay, codeDay})
	}
	return limits
}

// codeTriesLeft answers *ErrThrottled when the address or the IP has used
// up its wrong codes of the day: then no code is checked, not even a right
// one.
func codeTriesLeft(ctx context.Context, tx *store.Tx, now time.Time, emailNorm, ip string) error {
	var wait time.Duration
	for _, l := range wrongCodeLimits(emailNorm, ip) {
		if err := tx.LockKey(ctx, l.key); err != nil {
			return err
		}
		a, err := windowed(ctx, tx, l.key, l.window, now)
		if err != nil {
			return err
		}
		if a.Count >= l.max {
			wait = max(wait, a.WindowStart.Add(l.window).Sub(now))
		}
	}
	if wait > 0 {
		return &ErrThrottled{RetryAfter: wait}
	}
	return nil
}

// wrongCode counts a wrong code against the address and the IP.
func wrongCode(ctx context.Context, tx *store.Tx, now time.Time, emailNorm, ip string) error {
	for _, l := range wrongCodeLimits(emailNorm, ip) {
		a, err := windowed(ctx, tx, l.key, l.window, now)
		if err != nil {
			return err
		}
		a.Count++
		if err := tx.SetAttempts(ctx, l.key, a); err != nil {
			return err
		}
	}
	return nil
}

// existsNoticeDue reports whether the "you already have an account" notice
// may go to the address now (at most once per existsNoticeEvery), and
// counts it.
func existsNoticeDue(ctx context.Context, tx *store.Tx, now time.Time, emailNorm string) (bool, error) {
	err := takeAll(ctx, tx, now, limit{"codes:exists-notice:" + emailNorm, 1, existsNoticeEvery})
	if _, ok := IsThrottled(err); ok {
		return false, nil
	}
	return err == nil, err
}
