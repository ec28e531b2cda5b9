package store

import (
	"context"
	"database/sql"
	"time"

	"asiakassivu/internal/portal"
)

// SetCalendarToken gives an account a new calendar-feed token (its hash),
// revoking the previous one.
func (tx *Tx) SetCalendarToken(ctx context.Context, accountID int64, hash []byte) error {
	_, err := tx.exec(ctx, `INSERT INTO calendar_feeds (account_id, token_hash, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (account_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
		accountID, hash, tx.now)
	return err
}

// DeleteCalendarToken revokes an account's calendar feed.
func (tx *Tx) DeleteCalendarToken(ctx context.Context, accountID int64) error {
	_, err := tx.exec(ctx, `DELETE FROM calendar_feeds WHERE account_id = $1`, accountID)
	return err
}

// CalendarFeedSince returns when the account's feed was made, or
// portal.ErrNotFound when it has none.
func (tx *Tx) CalendarFeedSince(ctx context.Context, accountID int64) (time.Time, error) {
	var t time.Time
	err := tx.queryRow(ctx, `SELECT created_at FROM calendar_feeds WHERE account_id = $1`, accountID).Scan(timeCol{&t})
	return t, mapErr(err)
}

// AccountByCalendarToken returns the verified account whose feed token
// hashes to h, or portal.ErrNotFound.
func (tx *Tx) AccountByCalendarToken(ctx context.Context, h []byte) (portal.Account, error) {
	return scanAccount(tx.queryRow(ctx, `SELECT a.id, a.email, a.email_norm, a.password_hash, a.verified_at, a.language, a.created_at
		FROM calendar_feeds f JOIN accounts a ON a.id = f.account_id WHERE f.token_hash = $1 AND a.verified_at IS NOT NULL`, h))
}

// VisitsBetween lists a site's visits starting in [from, to).
func (tx *Tx) VisitsBetween(ctx context.Context, siteID int64, from, to time.Time) ([]portal.Visit, error) {
	rows, err := tx.query(ctx, `SELECT `+visitCols+` FROM visits WHERE site_id = $1 AND deleted_at IS NULL AND starts_at >= $2 AND starts_at < $3
		ORDER BY starts_at, id`, siteID, from.UTC(), to.UTC())
	return scanAll(rows, err, func(r *sql.Rows) (portal.Visit, error) { return scanVisit(r) })
}
