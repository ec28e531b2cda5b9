package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"time"

	"asiakassivu/internal/portal"
)

// WebAuthnHandle returns the account's WebAuthn user handle, making one
// the first time.
func (tx *Tx) WebAuthnHandle(ctx context.Context, accountID int64) ([]byte, error) {
	var h []byte
	if err := tx.queryRow(ctx, `SELECT webauthn_handle FROM accounts WHERE id = $1`, accountID).Scan(&h); err != nil {
		return nil, mapErr(err)
	}
	if len(h) > 0 {
		return h, nil
	}
	h = make([]byte, 32)
	rand.Read(h)
	return h, affected(tx.exec(ctx, `UPDATE accounts SET webauthn_handle = $1 WHERE id = $2`, h, accountID))
}

// AccountByWebAuthnHandle finds the verified account of a user handle;
// portal.portal.ErrNotFound when there is none.
func (tx *Tx) AccountByWebAuthnHandle(ctx context.Context, h []byte) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT id FROM accounts WHERE webauthn_handle = $1 AND verified_at IS NOT NULL`, h).Scan(&id)
	return id, mapErr(err)
}

// AddPasskey stores a new passkey.
func (tx *Tx) AddPasskey(ctx context.Context, p portal.Passkey) (int64, error) {
	return tx.insert(ctx, `INSERT INTO passkeys (account_id, credential_id, name, data, created_at) VALUES ($1, $2, $3, $4, $5)
		RETURNING id`, p.AccountID, p.CredentialID, p.Name, p.Data, tx.now)
}

// PasskeysOf lists an account's passkeys, oldest first.
func (tx *Tx) PasskeysOf(ctx context.Context, accountID int64) ([]portal.Passkey, error) {
	rows, err := tx.query(ctx, `SELECT id, account_id, credential_id, name, data, created_at, last_used_at, suspended_at
		FROM passkeys WHERE account_id = $1 ORDER BY id`, accountID)
	return scanAll(rows, err, func(r *sql.Rows) (portal.Passkey, error) {
		var p portal.Passkey
		err := r.Scan(&p.ID, &p.AccountID, &p.CredentialID, &p.Name, &p.Data, timeCol{&p.CreatedAt}, timeCol{&p.LastUsedAt},
			timeCol{&p.SuspendedAt})
		return p, err
	})
}

// UsePasskey records a sign-in with a passkey and its updated record (the
// signature counter moves on).
func (tx *Tx) UsePasskey(ctx context.Context, id int64, data string) error {
	return affected(tx.exec(ctx, `UPDATE passkeys SET data = $1, last_used_at = $2 WHERE id = $3`, data, tx.now, id))
}

// SuspendPasskeys suspends every passkey of an account (a password reset).
func (tx *Tx) SuspendPasskeys(ctx context.Context, accountID int64) error {
	_, err := tx.exec(ctx, `UPDATE passkeys SET suspended_at = $1 WHERE account_id = $2`, tx.now, accountID)
	return err
}

// ResumePasskey ends the suspension of a passkey.
func (tx *Tx) ResumePasskey(ctx context.Context, id int64) error {
	return affected(tx.exec(ctx, `UPDATE passkeys SET suspended_at = NULL WHERE id = $1`, id))
}

// DeletePasskey removes one of an account's passkeys.
func (tx *Tx) DeletePasskey(ctx context.Context, accountID, id int64) error {
	return affected(tx.exec(ctx, `DELETE FROM passkeys WHERE id = $1 AND account_id = $2`, id, accountID))
}

// Ceremony is a WebAuthn ceremony in progress.
type Ceremony struct {
	AccountID int64 // 0 for a sign-in, where nobody is known yet
	Kind      string
	Data      string
}

// StartCeremony stores a ceremony under its token's hash.
func (tx *Tx) StartCeremony(ctx context.Context, tokenHash []byte, c Ceremony, expires time.Time) error {
	if _, err := tx.exec(ctx, `DELETE FROM webauthn_ceremonies WHERE expires_at < $1`, tx.now); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO webauthn_ceremonies (token_hash, account_id, kind, data, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		tokenHash, nullID(c.AccountID), c.Kind, c.Data, expires.UTC())
	return err
}

// TakeCeremony returns an unexpired ceremony and deletes it, so that it
// is used once; portal.portal.ErrNotFound when there is none.
func (tx *Tx) TakeCeremony(ctx context.Context, tokenHash []byte) (Ceremony, error) {
	var c Ceremony
	var acc sql.NullInt64
	err := tx.queryRow(ctx, `DELETE FROM webauthn_ceremonies WHERE token_hash = $1 AND expires_at > $2
		RETURNING account_id, kind, data`, tokenHash, tx.now).Scan(&acc, &c.Kind, &c.Data)
	c.AccountID = acc.Int64
	return c, mapErr(err)
}

// TOTPSecret is an account's authenticator-app secret, sealed.
type TOTPSecret struct {
	SecretEnc   []byte
	ConfirmedAt time.Time
	LastStep    int64
}

// TOTPOf returns the account's TOTP secret; portal.portal.ErrNotFound when there is none.
func (tx *Tx) TOTPOf(ctx context.Context, accountID int64) (TOTPSecret, error) {
	var s TOTPSecret
	err := tx.queryRow(ctx, `SELECT secret_enc, confirmed_at, last_step FROM totp_secrets WHERE account_id = $1`, accountID).
		Scan(&s.SecretEnc, timeCol{&s.ConfirmedAt}, &s.LastStep)
	return s, mapErr(err)
}

// SetUnconfirmedTOTP stores a new secret waiting for its first code; it
// refuses (portal.ErrConflict) to replace a confirmed one.
func (tx *Tx) SetUnconfirmedTOTP(ctx context.Context, accountID int64, secretEnc []byte) error {
	old, err := tx.TOTPOf(ctx, accountID)
	switch {
	case err == nil && !old.ConfirmedAt.IsZero():
		return portal.ErrConflict
	case err != nil && !errors.Is(err, portal.ErrNotFound):
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO totp_secrets (account_id, secret_enc, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (account_id) DO UPDATE SET secret_enc = excluded.secret_enc, created_at = excluded.created_at, last_step = 0`,
		accountID, secretEnc, tx.now)
	return err
}

// AcceptTOTPStep records an accepted code's step (confirming the secret
// the first time); it fails with portal.ErrConflict when a code of that step or a
// later one was accepted meanwhile.
func (tx *Tx) AcceptTOTPStep(ctx context.Context, accountID, step int64) error {
	err := affected(tx.exec(ctx, `UPDATE totp_secrets SET last_step = $1, confirmed_at = COALESCE(confirmed_at, $2)
		WHERE account_id = $3 AND last_step < $1`, step, tx.now, accountID))
	if errors.Is(err, portal.ErrNotFound) {
		return portal.ErrConflict
	}
	return err
}

// DeleteTOTP removes the account's authenticator-app secret.
func (tx *Tx) DeleteTOTP(ctx context.Context, accountID int64) error {
	_, err := tx.exec(ctx, `DELETE FROM totp_secrets WHERE account_id = $1`, accountID)
	return err
}

// ReplaceRecoveryCodes stores a new set of recovery codes (their hashes),
// dropping the old set.
func (tx *Tx) ReplaceRecoveryCodes(ctx context.Context, accountID int64, hashes [][]byte) error {
	if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE account_id = $1`, accountID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.exec(ctx, `INSERT INTO recovery_codes (account_id, code_hash, created_at) VALUES ($1, $2, $3)`,
			accountID, h, tx.now); err != nil {
			return err
		}
	}
	return nil
}

// UseRecoveryCode spends an unused recovery code; portal.portal.ErrNotFound when it is
// not one (or was used).
func (tx *Tx) UseRecoveryCode(ctx context.Context, accountID int64, hash []byte) error {
	return affected(tx.exec(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL`,
		tx.now, accountID, hash))
}

// RecoveryCodesLeft counts an account's unused recovery codes.
func (tx *Tx) RecoveryCodesLeft(ctx context.Context, accountID int64) (int, error) {
	var n int64
	err := tx.QueryInt(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL`, &n, accountID)
	return int(n), err
}

// ResetSecondFactor removes every second factor of a provider's staff
// member (authenticator app, passkeys, recovery codes) and ends the
// account's sessions, so the next sign-in sets a new one up; it returns
// the account, or ErrNotFound when the staff member is not the
// provider's.
func (tx *Tx) ResetSecondFactor(ctx context.Context, providerID, staffID int64) (int64, error) {
	var accountID int64
	err := tx.queryRow(ctx, `SELECT account_id FROM provider_staff WHERE id = $1 AND provider_id = $2`, staffID, providerID).Scan(&accountID)
	if err != nil {
		return 0, mapErr(err)
	}
	for _, q := range []string{`DELETE FROM totp_secrets WHERE account_id = $1`, `DELETE FROM passkeys WHERE account_id = $1`,
		`DELETE FROM recovery_codes WHERE account_id = $1`, `DELETE FROM sessions WHERE account_id = $1`} {
		if _, err := tx.exec(ctx, q, accountID); err != nil {
			return 0, err
		}
	}
	return accountID, nil
}
