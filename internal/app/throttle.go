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
	now := a.db.Now()
	keys := []string{signInKeyIP(c.IP), signInKeyAccount(acc.EmailNorm, c.IP), passwordKey(acc.ID)}
	var wait time.Duration
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		wait, err = longestBlock(ctx, tx, now, keys...)
		return err
	})
	if err != nil {
		return fmt.Errorf("check password: %w", err)
	}
	if wait > 0 {
		a.log.Info("password check throttled", "account", acc.ID, "wait_s", int(wait.Seconds()))
		return InvalidInput{{"current", "error.password.throttled"}}
	}
	_, checkErr := a.hasher.Check(ctx, acc.PasswordHash, password)
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if checkErr == nil {
			if err := tx.ClearAttempts(ctx, signInKeyAccount(acc.EmailNorm, c.IP)); err != nil {
				return err
			}
			return tx.ClearAttempts(ctx, passwordKey(acc.ID))
		}
		if err := failSignIn(ctx, tx, now, c.IP, signInKeyAccount(acc.EmailNorm, c.IP)); err != nil {
			return err
		}
		return fail(ctx, tx, passwordKey(acc.ID), freeFailuresPerAccountIP, now)
	})
	if err != nil {
		return fmt.Errorf("check password: %w", err)
	}
	if checkErr != nil {
		a.log.Info("password check failed", "account", acc.ID)
		return InvalidInput{{"current", "error.password.wrong"}}
	}
	return nil
}
