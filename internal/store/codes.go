package store

import (
	"asiakassivu/internal/emailaddr"
	"context"
	"database/sql"
	"errors"
	"time"
)

// Code is a one-time code as stored: only its hash.
type Code struct {
	ID        int64
	AccountID int64
	Purpose   string
	Email     string
	EmailNorm string
	CodeHash  []byte
	Tries     int
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// CreateCode stores a new code and voids the account's earlier unused codes
// of the same purpose, so only the newest one works.
func (tx *Tx) CreateCode(ctx context.Context, c Code) (int64, error) {
	if _, err := tx.exec(ctx, `UPDATE one_time_codes SET used_at = $1 WHERE account_id = $2 AND purpose = $3 AND used_at IS NULL`,
		tx.now, c.AccountID, c.Purpose); err != nil {
		return 0, err
	}
	return tx.insert(ctx, `INSERT INTO one_time_codes (account_id, purpose, email, email_norm, code_hash, tries, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, 0, $6, $7) RETURNING id`, c.AccountID, c.Purpose, c.Email, emailaddr.Normalize(c.Email),
		c.CodeHash, tx.now, c.ExpiresAt.UTC())
}

// ActiveCode returns the account's newest unused code of a purpose, or
// portal.ErrNotFound. Expiry and tries are the caller's to judge.
func (tx *Tx) ActiveCode(ctx context.Context, accountID int64, purpose string) (Code, error) {
	var c Code
	err := tx.queryRow(ctx, `SELECT id, account_id, purpose, email, email_norm, code_hash, tries, created_at, expires_at
		FROM one_time_codes WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL ORDER BY id DESC LIMIT 1`,
		accountID, purpose).Scan(&c.ID, &c.AccountID, &c.Purpose, &c.Email, &c.EmailNorm, &c.CodeHash, &c.Tries,
		timeCol{&c.CreatedAt}, timeCol{&c.ExpiresAt})
	return c, mapErr(err)
}

// CodeTried counts a wrong try; at maxTries the code dies.
func (tx *Tx) CodeTried(ctx context.Context, id int64, maxTries int) error {
	_, err := tx.exec(ctx, `UPDATE one_time_codes SET tries = tries + 1,
		used_at = CASE WHEN tries + 1 >= $1 THEN $2 ELSE used_at END WHERE id = $3`, maxTries, tx.now, id)
	return err
}

// UseCode marks a code used; it fails with portal.ErrNotFound when it was
// used already (a double submit), so a code works once.
func (tx *Tx) UseCode(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, `UPDATE one_time_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL`, tx.now, id)
	return affected(res, err)
}

// Attempts is the state of one throttle counter.
type Attempts struct {
	Count        int
	WindowStart  time.Time
	BlockedUntil time.Time
}

// Attempts returns the counter under key (zero when absent).
func (tx *Tx) Attempts(ctx context.Context, key string) (Attempts, error) {
	var a Attempts
	err := tx.queryRow(ctx, `SELECT count, window_start, blocked_until FROM throttle WHERE key = $1`, key).
		Scan(&a.Count, timeCol{&a.WindowStart}, timeCol{&a.BlockedUntil})
	if errors.Is(err, sql.ErrNoRows) {
		return Attempts{}, nil
	}
	return a, mapErr(err)
}

// LockAttempts returns the counter under key like Attempts and holds it
// until the transaction ends, so that a check and a count made in one
// write transaction are one step for every instance. SQLite's write
// transactions take turns already; on PostgreSQL the row is made to exist
// and locked.
func (tx *Tx) LockAttempts(ctx context.Context, key string) (Attempts, error) {
	if tx.db.engine != Postgres {
		return tx.Attempts(ctx, key)
	}
	if _, err := tx.exec(ctx, `INSERT INTO throttle (key, count, window_start) VALUES ($1, 0, $2)
		ON CONFLICT (key) DO NOTHING`, key, tx.now.UTC()); err != nil {
		return Attempts{}, err
	}
	var a Attempts
	err := tx.queryRow(ctx, `SELECT count, window_start, blocked_until FROM throttle WHERE key = $1 FOR UPDATE`, key).
		Scan(&a.Count, timeCol{&a.WindowStart}, timeCol{&a.BlockedUntil})
	return a, mapErr(err)
}

// SetAttempts writes the counter under key.
func (tx *Tx) SetAttempts(ctx context.Context, key string, a Attempts) error {
	_, err := tx.exec(ctx, `INSERT INTO throttle (key, count, window_start, blocked_until) VALUES ($1, $2, $3, $4)
		ON CONFLICT (key) DO UPDATE SET count = excluded.count, window_start = excluded.window_start,
			blocked_until = excluded.blocked_until`, key, a.Count, a.WindowStart.UTC(), timeArg(a.BlockedUntil))
	return err
}

// ClearAttempts forgets the counter under key.
func (tx *Tx) ClearAttempts(ctx context.Context, key string) error {
	_, err := tx.exec(ctx, `DELETE FROM throttle WHERE key = $1`, key)
	return err
}

// RememberDevice records that a device signed in to the account.
func (tx *Tx) RememberDevice(ctx context.Context, accountID int64, deviceHash []byte) error {
	_, err := tx.exec(ctx, `INSERT INTO known_devices (account_id, device_hash, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (account_id, device_hash) DO NOTHING`, accountID, deviceHash, tx.now)
	return err
}

// KnownDevice reports whether the device signed in to the account before.
func (tx *Tx) KnownDevice(ctx context.Context, accountID int64, deviceHash []byte) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT count(*) FROM known_devices WHERE account_id = $1 AND device_hash = $2`,
		accountID, deviceHash).Scan(&n)
	return n > 0, mapErr(err)
}
