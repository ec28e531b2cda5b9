package store

import (
	"context"
	"database/sql"
	"time"

	"asiakassivu/internal/portal"
)

// SetCalendarToken gives an account a new calendar-feed token (its hash),
// revoking the previous one. A new address is a new feed: its language and
// whether it shows the street address are the ones given now.
func (tx *Tx) SetCalendarToken(ctx context.Context, accountID int64, hash []byte, language string, showAddress bool) error {
	_, err := tx.exec(ctx, `INSERT INTO calendar_feeds (account_id, token_hash, created_at, show_address, language) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (account_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at,
		show_address = excluded.show_address, language = excluded.language`,
		accountID, hash, tx.now, showAddress, language)
	return err
}

// SetCalendarShowAddress turns the street address of an account's feed on
// or off; portal.ErrNotFound when the account has no feed.
func (tx *Tx) SetCalendarShowAddress(ctx context.Context, accountID int64, on bool) error {
	return affected(tx.exec(ctx, `UPDATE calendar_feeds SET show_address = $1 WHERE account_id = $2`, on, accountID))
}

const calendarFeedCols = `account_id, created_at, language, show_address`

func scanCalendarFeed(r interface{ Scan(...any) error }) (portal.CalendarFeed, error) {
	var f portal.CalendarFeed
	err := r.Scan(&f.AccountID, timeCol{&f.CreatedAt}, &f.Language, &f.ShowAddress)
	return f, mapErr(err)
}

// CalendarFeedOf returns an account's calendar feed, or portal.ErrNotFound
// when it has none.
func (tx *Tx) CalendarFeedOf(ctx context.Context, accountID int64) (portal.CalendarFeed, error) {
	return scanCalendarFeed(tx.queryRow(ctx, `SELECT `+calendarFeedCols+` FROM calendar_feeds WHERE account_id = $1`, accountID))
}

// CalendarFeedByToken returns the feed whose token hashes to h, of a
// verified account, or portal.ErrNotFound.
func (tx *Tx) CalendarFeedByToken(ctx context.Context, h []byte) (portal.CalendarFeed, error) {
	return scanCalendarFeed(tx.queryRow(ctx, `SELECT f.account_id, f.created_at, f.language, f.show_address
		FROM calendar_feeds f JOIN accounts a ON a.id = f.account_id WHERE f.token_hash = $1 AND a.verified_at IS NOT NULL`, h))
}

// DeleteCalendarToken revokes an account's calendar feed.
func (tx *Tx) DeleteCalendarToken(ctx context.Context, accountID int64) error {
	_, err := tx.exec(ctx, `DELETE FROM calendar_feeds WHERE account_id = $1`, accountID)
	return err
}

// VisitsBetween lists a site's visits starting in [from, to).
func (tx *Tx) VisitsBetween(ctx context.Context, siteID int64, from, to time.Time) ([]portal.Visit, error) {
	rows, err := tx.query(ctx, `SELECT `+visitCols+` FROM visits WHERE site_id = $1 AND deleted_at IS NULL AND starts_at >= $2 AND starts_at < $3
		ORDER BY starts_at, id`, siteID, from.UTC(), to.UTC())
	return scanAll(rows, err, func(r *sql.Rows) (portal.Visit, error) { return scanVisit(r) })
}
