package store

import (
	"context"
	"strings"
	"time"

	"asiakassivu/internal/portal"
)

// LegacyCredential is an old extranet sign-in as stored: the password only
// as argon2id of the legacy hash (WrappedHash) with the clear parameters
// that recompute the legacy hash (Params).
type LegacyCredential struct {
	ID          int64
	CustomerID  int64
	Source      string
	ExternalID  string
	Username    string
	Algorithm   portal.LegacyAlgorithm
	Params      string
	WrappedHash string
}

// NormalizeUsername is how legacy usernames are compared: trimmed and
// case-folded, as the old extranet did.
func NormalizeUsername(u string) string { return strings.ToLower(strings.TrimSpace(u)) }

// UpsertLegacyCredential writes a credential by its (source, external id).
func (tx *Tx) UpsertLegacyCredential(ctx context.Context, c LegacyCredential) (int64, error) {
	return tx.insert(ctx, `INSERT INTO legacy_credentials (customer_id, source, external_id, username, username_norm,
			algorithm, params, wrapped_hash, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
		ON CONFLICT (source, external_id) DO UPDATE SET customer_id = excluded.customer_id, username = excluded.username,
			username_norm = excluded.username_norm, algorithm = excluded.algorithm, params = excluded.params,
			wrapped_hash = excluded.wrapped_hash, updated_at = excluded.updated_at
		RETURNING id`, c.CustomerID, c.Source, c.ExternalID, c.Username, NormalizeUsername(c.Username),
		string(c.Algorithm), c.Params, c.WrappedHash, tx.now)
}

// LegacySignIn is what the legacy bridge needs to decide on a sign-in: the
// credential, its customer record's email, and the start of the customer's
// earliest regular contract (zero when there is none).
type LegacySignIn struct {
	Credential     LegacyCredential
	Email          string
	RegularSince   portal.Date
	VerifiedExists bool // a verified account already uses the record's email
}

// LegacySignInByUsername finds a credential by its username; ErrNotFound
// when there is none or its customer record was deleted (deleted records
// open nothing; deleted contracts do not count for the cut-over).
func (tx *Tx) LegacySignInByUsername(ctx context.Context, username string) (LegacySignIn, error) {
	return tx.legacySignIn(ctx, "l.username_norm = $1", NormalizeUsername(username))
}

// LegacySignInByTicket finds the credential of an unexpired, unused
// ticket; ErrNotFound when there is none.
func (tx *Tx) LegacySignInByTicket(ctx context.Context, tokenHash []byte) (LegacySignIn, error) {
	return tx.legacySignIn(ctx, `l.id = (SELECT credential_id FROM legacy_tickets
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2)`, tokenHash, tx.now)
}

// UseLegacyTicket spends a ticket; ErrNotFound when it is not (or no
// longer) usable, so two tabs cannot both spend it.
func (tx *Tx) UseLegacyTicket(ctx context.Context, tokenHash []byte) error {
	return affected(tx.exec(ctx, `UPDATE legacy_tickets SET used_at = $2
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`, tokenHash, tx.now))
}

// CreateLegacyTicket stores a ticket (its hash) for a credential.
func (tx *Tx) CreateLegacyTicket(ctx context.Context, tokenHash []byte, credentialID int64, expires time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO legacy_tickets (token_hash, credential_id, expires_at) VALUES ($1, $2, $3)`,
		tokenHash, credentialID, expires.UTC())
	return err
}

// DeleteSpentLegacyTickets removes tickets that expired before t.
func (tx *Tx) DeleteSpentLegacyTickets(ctx context.Context, t time.Time) error {
	_, err := tx.exec(ctx, `DELETE FROM legacy_tickets WHERE expires_at < $1`, t.UTC())
	return err
}

func (tx *Tx) legacySignIn(ctx context.Context, where string, args ...any) (LegacySignIn, error) {
	var s LegacySignIn
	c := &s.Credential
	var alg string
	err := tx.queryRow(ctx, `SELECT l.id, l.customer_id, l.source, l.external_id, l.username, l.algorithm, l.params, l.wrapped_hash,
			cu.email,
			(SELECT MIN(k.start_date) FROM contracts k JOIN sites st ON st.id = k.site_id
				WHERE st.customer_id = cu.id AND k.kind = 'regular' AND k.deleted_at IS NULL AND st.deleted_at IS NULL),
			EXISTS (SELECT 1 FROM accounts a WHERE a.email_norm = cu.email_norm AND cu.email_norm <> '' AND a.verified_at IS NOT NULL)
		FROM legacy_credentials l JOIN customers cu ON cu.id = l.customer_id
		WHERE cu.deleted_at IS NULL AND `+where, args...).Scan(
		&c.ID, &c.CustomerID, &c.Source, &c.ExternalID, &c.Username, &alg, &c.Params, &c.WrappedHash,
		&s.Email, dateCol{&s.RegularSince}, &s.VerifiedExists)
	c.Algorithm = portal.LegacyAlgorithm(alg)
	return s, mapErr(err)
}

// DeleteLegacyCredentialsOfVerified deletes the old extranet credentials
// of the customer records whose address has a verified account: of the
// address emailNorm, or of every address when emailNorm is empty. Their
// tickets go with them (ON DELETE CASCADE). It returns how many were
// deleted.
func (tx *Tx) DeleteLegacyCredentialsOfVerified(ctx context.Context, emailNorm string) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM legacy_credentials WHERE customer_id IN (
		SELECT cu.id FROM customers cu JOIN accounts a ON a.email_norm = cu.email_norm AND a.verified_at IS NOT NULL
		WHERE cu.email_norm <> '' AND ($1 = '' OR cu.email_norm = $1))`, emailNorm)
	if err != nil {
		return 0, mapErr(err)
	}
	return res.RowsAffected()
}
