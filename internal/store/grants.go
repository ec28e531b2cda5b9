package store

import (
	"context"
	"database/sql"
	"time"

	"asiakassivu/internal/portal"
)

// Family access (PRODUCT.md C11): invitations to a site and the grants
// they become. Who may call these is decided in app; the store only reads
// and writes rows.

const grantCols = `g.id, g.site_id, g.role, g.email, g.email_norm, g.invited_by, g.language, g.created_at, g.expires_at,
	g.accepted_at, g.grantee_account_id, g.ended_at, g.ended_by, g.last_used_at`

func grantDest(g *portal.Grant) []any {
	return []any{&g.ID, &g.SiteID, &g.Role, &g.Email, &g.EmailNorm, idCol{&g.InvitedBy}, &g.Language, timeCol{&g.CreatedAt},
		timeCol{&g.ExpiresAt}, timeCol{&g.AcceptedAt}, idCol{&g.GranteeID}, timeCol{&g.EndedAt}, &g.EndedBy,
		timeCol{&g.LastUsedAt}}
}

func scanGrant(r interface{ Scan(...any) error }) (portal.Grant, error) {
	var g portal.Grant
	err := r.Scan(grantDest(&g)...)
	return g, mapErr(err)
}

// LockSite takes the write lock of a site's row on PostgreSQL, so that
// two transactions counting the site's grants cannot both pass the limit
// (SQLite has one writer at a time already).
func (tx *Tx) LockSite(ctx context.Context, siteID int64) error {
	if tx.db.engine != Postgres {
		return nil
	}
	var id int64
	return mapErr(tx.queryRow(ctx, `SELECT id FROM sites WHERE id = $1 FOR UPDATE`, siteID).Scan(&id))
}

// InsertGrant stores a new invitation (pending: not accepted, not ended)
// with the hash of its link's token; the clock of tx is its creation time.
func (tx *Tx) InsertGrant(ctx context.Context, g portal.Grant, tokenHash []byte) (int64, error) {
	return tx.insert(ctx, `INSERT INTO site_grants (site_id, role, email, email_norm, invited_by, token_hash, language,
		created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		g.SiteID, string(g.Role), g.Email, g.EmailNorm, nullID(g.InvitedBy), tokenHash, g.Language, tx.now.UTC(),
		g.ExpiresAt.UTC())
}

// CountGrants counts the places taken on a site at now: active grants and
// pending invitations that have not expired (portal.Grant.Counts).
func (tx *Tx) CountGrants(ctx context.Context, siteID int64, now time.Time) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT count(*) FROM site_grants WHERE site_id = $1 AND ended_at IS NULL
		AND (accepted_at IS NOT NULL OR expires_at > $2)`, siteID, now.UTC()).Scan(&n)
	return n, mapErr(err)
}

// GrantListed is a grant or pending invitation as its site's owner sees it:
// with the grantee account's address once accepted.
type GrantListed struct {
	portal.Grant
	GranteeEmail string
}

// GrantsOfSite lists a site's active grants and unexpired pending
// invitations at now, oldest first.
func (tx *Tx) GrantsOfSite(ctx context.Context, siteID int64, now time.Time) ([]GrantListed, error) {
	rows, err := tx.query(ctx, `SELECT `+grantCols+`, COALESCE(a.email, '') FROM site_grants g
		LEFT JOIN accounts a ON a.id = g.grantee_account_id
		WHERE g.site_id = $1 AND g.ended_at IS NULL AND (g.accepted_at IS NOT NULL OR g.expires_at > $2)
		ORDER BY g.created_at, g.id`, siteID, now.UTC())
	return scanAll(rows, err, func(r *sql.Rows) (GrantListed, error) {
		var x GrantListed
		err := r.Scan(append(grantDest(&x.Grant), &x.GranteeEmail)...)
		return x, err
	})
}

// GrantOfSite returns one grant or invitation of a site, in any state.
func (tx *Tx) GrantOfSite(ctx context.Context, siteID, grantID int64) (portal.Grant, error) {
	return scanGrant(tx.queryRow(ctx, `SELECT `+grantCols+` FROM site_grants g WHERE g.site_id = $1 AND g.id = $2`,
		siteID, grantID))
}

// GrantByTokenHash returns the invitation whose link token hashes to h, in
// any state; portal.ErrNotFound when there is none.
func (tx *Tx) GrantByTokenHash(ctx context.Context, h []byte) (portal.Grant, error) {
	return scanGrant(tx.queryRow(ctx, `SELECT `+grantCols+` FROM site_grants g WHERE g.token_hash = $1`, h))
}

// ActiveGrant returns the account's active grant on a site;
// portal.ErrNotFound when it has none.
func (tx *Tx) ActiveGrant(ctx context.Context, siteID, accountID int64) (portal.Grant, error) {
	return scanGrant(tx.queryRow(ctx, `SELECT `+grantCols+` FROM site_grants g WHERE g.site_id = $1
		AND g.grantee_account_id = $2 AND g.accepted_at IS NOT NULL AND g.ended_at IS NULL`, siteID, accountID))
}

// AcceptGrant makes a pending invitation the account's grant at tx's
// clock; portal.ErrNotFound when it is no longer pending (accepted, ended
// or expired in the meantime), so a link is used once.
func (tx *Tx) AcceptGrant(ctx context.Context, grantID, accountID int64) error {
	res, err := tx.exec(ctx, `UPDATE site_grants SET accepted_at = $1, grantee_account_id = $2, last_used_at = $1
		WHERE id = $3 AND accepted_at IS NULL AND ended_at IS NULL AND expires_at > $1`, tx.now.UTC(), accountID, grantID)
	return affected(res, err)
}

// EndGrant ends a grant or withdraws an invitation at tx's clock, by
// portal.GrantEndedByOwner or portal.GrantEndedByGrantee;
// portal.ErrNotFound when it has ended already.
func (tx *Tx) EndGrant(ctx context.Context, grantID int64, by string) error {
	res, err := tx.exec(ctx, `UPDATE site_grants SET ended_at = $1, ended_by = $2 WHERE id = $3 AND ended_at IS NULL`,
		tx.now.UTC(), by, grantID)
	return affected(res, err)
}

// TouchGrant records that the account used its active grant on a site at
// tx's clock, unless it was recorded after since: one write per grant per
// interval, never one per page view.
func (tx *Tx) TouchGrant(ctx context.Context, siteID, accountID int64, since time.Time) error {
	_, err := tx.exec(ctx, `UPDATE site_grants SET last_used_at = $1 WHERE site_id = $2 AND grantee_account_id = $3
		AND accepted_at IS NOT NULL AND ended_at IS NULL AND (last_used_at IS NULL OR last_used_at < $4)`,
		tx.now.UTC(), siteID, accountID, since.UTC())
	return err
}

// SiteOwnerName is the name on a site's customer record (whose home it is).
func (tx *Tx) SiteOwnerName(ctx context.Context, siteID int64) (string, error) {
	var name string
	err := tx.queryRow(ctx, `SELECT c.name FROM sites s JOIN customers c ON c.id = s.customer_id WHERE s.id = $1`, siteID).Scan(&name)
	return name, mapErr(err)
}

// GrantHeld is a grant an account holds, with the site's address and
// whose home it is.
type GrantHeld struct {
	portal.Grant
	Site      portal.Site
	OwnerName string
}

// GrantsHeldBy lists the account's active grants, oldest first.
func (tx *Tx) GrantsHeldBy(ctx context.Context, accountID int64) ([]GrantHeld, error) {
	rows, err := tx.query(ctx, `SELECT `+grantCols+`, s.id, s.name, s.street, s.postal_code, s.city, c.name FROM site_grants g
		JOIN sites s ON s.id = g.site_id JOIN customers c ON c.id = s.customer_id
		WHERE g.grantee_account_id = $1 AND g.accepted_at IS NOT NULL AND g.ended_at IS NULL ORDER BY g.accepted_at, g.id`, accountID)
	return scanAll(rows, err, func(r *sql.Rows) (GrantHeld, error) {
		var x GrantHeld
		err := r.Scan(append(grantDest(&x.Grant), &x.Site.ID, &x.Site.Name, &x.Site.Street, &x.Site.PostalCode, &x.Site.City,
			&x.OwnerName)...)
		return x, err
	})
}

// Grantee is an account an active grant on a site names, with its role.
type Grantee struct {
	AccountID int64
	Role      portal.GrantRole
}

// GranteesOfSite lists the accounts with an active grant on a site.
func (tx *Tx) GranteesOfSite(ctx context.Context, siteID int64) ([]Grantee, error) {
	rows, err := tx.query(ctx, `SELECT grantee_account_id, role FROM site_grants WHERE site_id = $1
		AND accepted_at IS NOT NULL AND ended_at IS NULL ORDER BY id`, siteID)
	return scanAll(rows, err, func(r *sql.Rows) (Grantee, error) {
		var g Grantee
		err := r.Scan(&g.AccountID, &g.Role)
		return g, err
	})
}
