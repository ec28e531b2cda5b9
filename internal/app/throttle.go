package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// ThrottledError means too many attempts: the person must wait. It carries
// how long, so the page can say so.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return "too many attempts; retry after " + e.RetryAfter.String()
}

// IsThrottled reports whether err is a ThrottledError and returns it.
func IsThrottled(err error) (*ThrottledError, bool) {
	var t *ThrottledError
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

// failSignIn counts a failed sign-in (with a password or old extranet
// credentials) against the address it came from and against what it
// named there.
func failSignIn(ctx context.Context, tx *store.Tx, now time.Time, ip, key string) error {
	if err := fail(ctx, tx, signInKeyIP(ip), freeFailuresPerIP, now); err != nil {
		return err
	}
	return fail(ctx, tx, key, freeFailuresPerAccountIP, now)
}

// claimSignIn is the throttling of a sign-in attempt as one step, in the
// caller's write transaction: it locks the counters of the IP and of key
// (what the attempt names from there), returns how long the attempt must
// wait under them, and when it need not wait counts it as a failure at
// once, before any password is checked. An attempt that then succeeds
// takes the count back (succeedSignIn). So attempts made at the same time
// see each other's counts, and a burst checks no more passwords than the
// same attempts one after another.
func claimSignIn(ctx context.Context, tx *store.Tx, ip, key string) (time.Duration, error) {
	now := tx.Now()
	var wait time.Duration
	for _, k := range []string{signInKeyIP(ip), key} {
		a, err := tx.LockAttempts(ctx, k)
		if err != nil {
			return 0, fmt.Errorf("throttle %s: %w", k, err)
		}
		if a.BlockedUntil.After(now) {
			wait = max(wait, a.BlockedUntil.Sub(now))
		}
	}
	if wait > 0 {
		return wait, nil
	}
	return 0, failSignIn(ctx, tx, now, ip, key)
}

// succeedSignIn takes back what claimSignIn counted for an attempt that
// succeeded: key starts afresh, and the IP's count is one less (with its
// block lifted when the count is back within the free failures).
// The IP's counter is locked first, as claimSignIn does, so that the two
// cannot wait for each other.
func succeedSignIn(ctx context.Context, tx *store.Tx, ip, key string) error {
	k := signInKeyIP(ip)
	a, err := tx.LockAttempts(ctx, k)
	if err != nil {
		return err
	}
	if a.Count > 0 {
		a.Count--
	}
	if a.Count <= freeFailuresPerIP {
		a.BlockedUntil = time.Time{}
	}
	if err := tx.SetAttempts(ctx, k, a); err != nil {
		return err
	}
	return tx.ClearAttempts(ctx, key)
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

// passwordKey counts the wrong passwords typed inside the account's
// sessions, from any address.
func passwordKey(accountID int64) string { return "password:acct:" + strconv.FormatInt(accountID, 10) }

// checkPassword checks the password a signed-in person types again
// (re-authentication, change of password, deletion of the account,
// consent with identity codes) under the sign-in throttle: it waits while
// the account is blocked at this address (shared with the sign-in page, so
// the two cannot be alternated) or from any address (a stolen session may
// move between addresses), and a wrong password counts under both. While
// blocked the password is not checked at all. The answer is an
// InvalidInput of the field "current".
func (a *App) checkPassword(ctx context.Context, acc portal.Account, password string, c Client) error {
	accKey, pwKey := signInKeyAccount(acc.EmailNorm, c.IP), passwordKey(acc.ID)
	// As claimSignIn: the block check and the failure count are one step,
	// counters locked in one order (IP, address, account).
	var wait time.Duration
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		now := tx.Now()
		for _, k := range []string{signInKeyIP(c.IP), accKey, pwKey} {
			at, err := tx.LockAttempts(ctx, k)
			if err != nil {
				return fmt.Errorf("throttle %s: %w", k, err)
			}
			if at.BlockedUntil.After(now) {
				wait = max(wait, at.BlockedUntil.Sub(now))
			}
		}
		if wait > 0 {
			return nil
		}
		if err := failSignIn(ctx, tx, now, c.IP, accKey); err != nil {
			return err
		}
		return fail(ctx, tx, pwKey, freeFailuresPerAccountIP, now)
	})
	if err != nil {
		return fmt.Errorf("check password: %w", err)
	}
	if wait > 0 {
		a.log.Info("password check throttled", "account", acc.ID, "wait_s", int(wait.Seconds()))
		return InvalidInput{{"current", "error.password.throttled"}}
	}
	if _, err := a.hasher.Check(ctx, acc.PasswordHash, password); err != nil {
		a.log.Info("password check failed", "account", acc.ID)
		return InvalidInput{{"current", "error.password.wrong"}}
	}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if err := succeedSignIn(ctx, tx, c.IP, accKey); err != nil {
			return err
		}
		return tx.ClearAttempts(ctx, pwKey)
	})
	if err != nil {
		return fmt.Errorf("check password: %w", err)
	}
	return nil
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

// windowed is the counter under key, locked until the write transaction
// ends (so concurrent requests take turns), started afresh when its
// window has passed.
func windowed(ctx context.Context, tx *store.Tx, key string, window time.Duration, now time.Time) (store.Attempts, error) {
	a, err := tx.LockAttempts(ctx, key)
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
// it answers *ThrottledError with the wait until all are free again. The
// counters are locked in the order given.
func takeAll(ctx context.Context, tx *store.Tx, now time.Time, limits ...limit) error {
	counters := make([]store.Attempts, len(limits))
	var wait time.Duration
	for i, l := range limits {
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
		return &ThrottledError{RetryAfter: wait}
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
// invitation); *ThrottledError when used up.
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

// codeTriesLeft answers *ThrottledError when the address or the IP has used
// up its wrong codes of the day: then no code is checked, not even a right
// one.
func codeTriesLeft(ctx context.Context, tx *store.Tx, now time.Time, emailNorm, ip string) error {
	var wait time.Duration
	for _, l := range wrongCodeLimits(emailNorm, ip) {
		a, err := windowed(ctx, tx, l.key, l.window, now)
		if err != nil {
			return err
		}
		if a.Count >= l.max {
			wait = max(wait, a.WindowStart.Add(l.window).Sub(now))
		}
	}
	if wait > 0 {
		return &ThrottledError{RetryAfter: wait}
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
