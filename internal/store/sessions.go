package store

import (
	"context"
	"database/sql"
	"time"

	"asiakassivu/internal/portal"
)

// CreateSession stores a new session; only the token's hash is kept.
func (tx *Tx) CreateSession(ctx context.Context, s portal.Session) (int64, error) {
	return tx.insert(ctx, `INSERT INTO sessions (account_id, token_hash, user_agent, created_at, last_seen_at, auth_at, second_factor_at)
		VALUES ($1, $2, $3, $4, $4, $5, $6) RETURNING id`, s.AccountID, s.TokenHash, s.UserAgent, tx.now, timeArg(s.AuthAt),
		timeArg(s.SecondFactorAt))
}

// SessionByTokenHash returns the session whose token hashes to h, or
// portal.ErrNotFound.
func (tx *Tx) SessionByTokenHash(ctx context.Context, h []byte) (portal.Session, error) {
	var s portal.Session
	err := tx.queryRow(ctx, `SELECT id, account_id, token_hash, user_agent, created_at, last_seen_at, auth_at
		FROM sessions WHERE token_hash = $1`, h).
		Scan(&s.ID, &s.AccountID, &s.TokenHash, &s.UserAgent, timeCol{&s.CreatedAt}, timeCol{&s.LastSeenAt}, timeCol{&s.AuthAt})
	return s, mapErr(err)
}

// TouchSession records that the session was used now.
func (tx *Tx) TouchSession(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, tx.now, id)
	return affected(res, err)
}

// DeleteSession ends one session of an account.
func (tx *Tx) DeleteSession(ctx context.Context, accountID, id int64) error {
	res, err := tx.exec(ctx, `DELETE FROM sessions WHERE id = $1 AND account_id = $2`, id, accountID)
	return affected(res, err)
}

// DeleteSessionsExcept ends every session of an account but keep (0 ends all).
func (tx *Tx) DeleteSessionsExcept(ctx context.Context, accountID, keep int64) error {
	_, err := tx.exec(ctx, `DELETE FROM sessions WHERE account_id = $1 AND id <> $2`, accountID, keep)
	return err
}

// SessionsOf lists an account's sessions, most recently used first.
func (tx *Tx) SessionsOf(ctx context.Context, accountID int64) ([]portal.Session, error) {
	rows, err := tx.query(ctx, `SELECT id, account_id, user_agent, created_at, last_seen_at, auth_at
		FROM sessions WHERE account_id = $1 ORDER BY last_seen_at DESC, id DESC`, accountID)
	return scanAll(rows, err, func(r *sql.Rows) (portal.Session, error) {
		var s portal.Session
		err := r.Scan(&s.ID, &s.AccountID, &s.UserAgent, timeCol{&s.CreatedAt}, timeCol{&s.LastSeenAt}, timeCol{&s.AuthAt})
		return s, err
	})
}

// ReplaceSessionToken gives a session a new token (after verification or a
// fresh sign-in) and records the time of authentication.
func (tx *Tx) ReplaceSessionToken(ctx context.Context, id int64, tokenHash []byte, authAt time.Time) error {
	res, err := tx.exec(ctx, `UPDATE sessions SET token_hash = $1, auth_at = $2, last_seen_at = $3 WHERE id = $4`,
		tokenHash, authAt.UTC(), tx.now, id)
	return affected(res, err)
}

// SetSecondFactor records that the session's person gave a second factor
// now.
func (tx *Tx) SetSecondFactor(ctx context.Context, id int64) error {
	return affected(tx.exec(ctx, `UPDATE sessions SET second_factor_at = $1 WHERE id = $2`, tx.now, id))
}

// SetSessionAuth records that the session's person entered their password
// now (a recent sign-in).
func (tx *Tx) SetSessionAuth(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, `UPDATE sessions SET auth_at = $1 WHERE id = $2`, tx.now, id)
	return affected(res, err)
}

// SessionByID returns one session, or portal.ErrNotFound.
func (tx *Tx) SessionByID(ctx context.Context, id int64) (portal.Session, error) {
	var s portal.Session
	err := tx.queryRow(ctx, `SELECT id, account_id, token_hash, user_agent, created_at, last_seen_at, auth_at, second_factor_at
		FROM sessions WHERE id = $1`, id).
		Scan(&s.ID, &s.AccountID, &s.TokenHash, &s.UserAgent, timeCol{&s.CreatedAt}, timeCol{&s.LastSeenAt}, timeCol{&s.AuthAt},
			timeCol{&s.SecondFactorAt})
	return s, mapErr(err)
}

// SessionAccount is what authenticating a request needs: the session, its
// account (without the password hash) and the account's role.
type SessionAccount struct {
	Session    portal.Session
	Account    portal.Account
	Role       portal.Role
	ProviderID int64 // of staff
}

// SessionWithAccount returns the session whose token hashes to h with its
// account and the account's role, in one query, or portal.ErrNotFound.
func (tx *Tx) SessionWithAccount(ctx context.Context, h []byte) (SessionAccount, error) {
	var x SessionAccount
	s, a := &x.Session, &x.Account
	var admin bool
	err := tx.queryRow(ctx, `SELECT s.id, s.account_id, s.last_seen_at, s.auth_at, s.second_factor_at,
		a.id, a.email, a.email_norm, a.verified_at, a.language, `+roleCols("a.id")+`
		FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1`, h).
		Scan(&s.ID, &s.AccountID, timeCol{&s.LastSeenAt}, timeCol{&s.AuthAt}, timeCol{&s.SecondFactorAt},
			&a.ID, &a.Email, &a.EmailNorm, timeCol{&a.VerifiedAt}, &a.Language, &admin, &x.ProviderID)
	if err != nil {
		return x, mapErr(err)
	}
	x.Role, x.ProviderID = roleOf(admin, x.ProviderID)
	return x, nil
}
