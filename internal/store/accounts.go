package store

import (
	"context"
	"database/sql"
	"time"

	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
)

const accountCols = `id, email, email_norm, password_hash, verified_at, language, created_at`

func scanAccount(r interface{ Scan(...any) error }) (portal.Account, error) {
	var a portal.Account
	err := r.Scan(&a.ID, &a.Email, &a.EmailNorm, &a.PasswordHash, timeCol{&a.VerifiedAt}, &a.Language, timeCol{&a.CreatedAt})
	return a, mapErr(err)
}

// CreateAccount inserts an account; a verified one (VerifiedAt set) fails
// with portal.ErrConflict when its address already has a verified account.
func (tx *Tx) CreateAccount(ctx context.Context, a portal.Account) (int64, error) {
	return tx.insert(ctx, `INSERT INTO accounts (email, email_norm, password_hash, verified_at, language, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
		a.Email, emailaddr.Normalize(a.Email), a.PasswordHash, timeArg(a.VerifiedAt), a.Language, tx.now)
}

// AccountByID returns an account or portal.ErrNotFound.
func (tx *Tx) AccountByID(ctx context.Context, id int64) (portal.Account, error) {
	return scanAccount(tx.queryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE id = $1`, id))
}

// VerifiedAccountByEmail returns the verified account of an address (in
// any form; it is normalised here) or portal.ErrNotFound.
func (tx *Tx) VerifiedAccountByEmail(ctx context.Context, email string) (portal.Account, error) {
	return scanAccount(tx.queryRow(ctx, `SELECT `+accountCols+` FROM accounts
		WHERE email_norm = $1 AND verified_at IS NOT NULL`, emailaddr.Normalize(email)))
}

// SetAccountEmail changes a verified account's address. Because the link to
// customer records is derived from the normalised email, the records of the
// old address stop being visible and those of the new one appear within
// this same transaction. Returns portal.ErrConflict when another verified
// account holds the address.
func (tx *Tx) SetAccountEmail(ctx context.Context, id int64, email string) error {
	res, err := tx.exec(ctx, `UPDATE accounts SET email = $1, email_norm = $2, updated_at = $3 WHERE id = $4`,
		email, emailaddr.Normalize(email), tx.now, id)
	return affected(res, err)
}

// SetPasswordHash replaces an account's password hash (also used to re-hash
// with new parameters on sign-in).
func (tx *Tx) SetPasswordHash(ctx context.Context, id int64, hash string) error {
	res, err := tx.exec(ctx, `UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, tx.now, id)
	return affected(res, err)
}

// AccountRole returns what the account is to the portal: admin, staff (with
// its provider id) or customer.
func (tx *Tx) AccountRole(ctx context.Context, id int64) (portal.Role, int64, error) {
	var admin bool
	var providerID int64
	if err := tx.queryRow(ctx, `SELECT `+roleCols("$1"), id).Scan(&admin, &providerID); err != nil {
		return "", 0, mapErr(err)
	}
	role, providerID := roleOf(admin, providerID)
	return role, providerID, nil
}

// roleCols are the two columns that decide an account's role, for the
// account id given as an SQL expression: whether it is a chain admin, and
// the provider it is active staff of (0 when none). Authentication reads
// them in the same query as the session. A deactivated staff member, or
// the staff of a deactivated provider, is no staff: the chain admin's
// switch takes effect on the next request.
func roleCols(accountID string) string {
	return `EXISTS (SELECT 1 FROM chain_admins WHERE account_id = ` + accountID + `),
		COALESCE((SELECT ps.provider_id FROM provider_staff ps JOIN providers pp ON pp.id = ps.provider_id
			WHERE ps.account_id = ` + accountID + ` AND ps.active AND pp.active), 0)`
}

// roleOf is the role the columns of roleCols give: admin before staff
// before customer.
func roleOf(admin bool, providerID int64) (portal.Role, int64) {
	switch {
	case admin:
		return portal.RoleAdmin, 0
	case providerID != 0:
		return portal.RoleStaff, providerID
	}
	return portal.RoleCustomer, 0
}

// AddStaff makes an account a staff member of a provider.
func (tx *Tx) AddStaff(ctx context.Context, providerID, accountID int64, name string) error {
	_, err := tx.exec(ctx, `INSERT INTO provider_staff (provider_id, account_id, name, active, created_at)
		VALUES ($1, $2, $3, TRUE, $4)`, providerID, accountID, name, tx.now)
	return err
}

// AddAdmin makes an account a chain admin.
func (tx *Tx) AddAdmin(ctx context.Context, accountID int64) error {
	_, err := tx.exec(ctx, `INSERT INTO chain_admins (account_id, created_at) VALUES ($1, $2)`, accountID, tx.now)
	return err
}

// affected maps "no row changed" to portal.ErrNotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return mapErr(err)
	}
	if n == 0 {
		return portal.ErrNotFound
	}
	return nil
}

// VerifyAccount marks a pending claim verified and deletes every other
// pending claim on the same address (their passwords, sessions and codes go
// with them). It fails with portal.ErrConflict when the address already has
// a verified account.
func (tx *Tx) VerifyAccount(ctx context.Context, id int64) error {
	var norm string
	if err := tx.queryRow(ctx, `SELECT email_norm FROM accounts WHERE id = $1`, id).Scan(&norm); err != nil {
		return mapErr(err)
	}
	res, err := tx.exec(ctx, `UPDATE accounts SET verified_at = $1, updated_at = $1 WHERE id = $2 AND verified_at IS NULL`, tx.now, id)
	if err := affected(res, err); err != nil {
		return err
	}
	return tx.DeletePendingClaims(ctx, norm, id)
}

// DeletePendingClaims deletes the unverified accounts of an address but keep.
func (tx *Tx) DeletePendingClaims(ctx context.Context, emailNorm string, keep int64) error {
	_, err := tx.exec(ctx, `DELETE FROM accounts WHERE email_norm = $1 AND verified_at IS NULL AND id <> $2`, emailNorm, keep)
	return err
}

// DeleteStalePendingClaims deletes the pending claims on an address that
// were made before a time (with their sessions and codes).
func (tx *Tx) DeleteStalePendingClaims(ctx context.Context, emailNorm string, before time.Time) error {
	_, err := tx.exec(ctx, `DELETE FROM accounts WHERE email_norm = $1 AND verified_at IS NULL AND created_at < $2`,
		emailNorm, before.UTC())
	return err
}

// DeleteAccount deletes an account with its sessions, codes and settings;
// customer records are the company's and stay.
func (tx *Tx) DeleteAccount(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, `DELETE FROM accounts WHERE id = $1`, id)
	return affected(res, err)
}

// SetLanguage stores the account's chosen language.
func (tx *Tx) SetLanguage(ctx context.Context, id int64, lang string) error {
	res, err := tx.exec(ctx, `UPDATE accounts SET language = $1, updated_at = $2 WHERE id = $3`, lang, tx.now, id)
	return affected(res, err)
}

// ActorName is the name shown for account accountID when it changes
// something at a site of customer record customerID (who did what): the
// name of a customer record of the account's own address — that record
// when it is one of them, else the oldest — or, for a person with no
// record of their own (a relative who is not a customer), the account's
// email address. portal.ErrNotFound when there is no such account.
func (tx *Tx) ActorName(ctx context.Context, accountID, customerID int64) (string, error) {
	var name string
	err := tx.queryRow(ctx, `SELECT COALESCE((SELECT c.name FROM customers c
		WHERE c.email_norm = a.email_norm AND c.deleted_at IS NULL AND c.name <> ''
		ORDER BY CASE WHEN c.id = $2 THEN 0 ELSE 1 END, c.id LIMIT 1), a.email)
		FROM accounts a WHERE a.id = $1`, accountID, customerID).Scan(&name)
	return name, mapErr(err)
}
