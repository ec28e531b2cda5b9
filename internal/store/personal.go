package store

import (
	"context"
	"database/sql"

	"asiakassivu/internal/portal"
)

// This file reads what the data download (app.Export) holds beyond the
// pages' own queries: a site's whole thread and move requests, an
// account's portal feedback, a customer record's old extranet usernames.

// MessagesOfSite lists every message of a site's thread, oldest first.
func (tx *Tx) MessagesOfSite(ctx context.Context, siteID int64) ([]portal.Message, error) {
	rows, err := tx.query(ctx, `SELECT `+messageCols+` FROM messages m JOIN threads t ON t.id = m.thread_id
		WHERE t.site_id = $1 ORDER BY m.id`, siteID)
	return scanAll(rows, err, func(r *sql.Rows) (portal.Message, error) { return scanMessage(r) })
}

// MoveRequestsOfSite lists every move request of a site's visits, oldest
// first.
func (tx *Tx) MoveRequestsOfSite(ctx context.Context, siteID int64) ([]portal.MoveRequest, error) {
	rows, err := tx.query(ctx, `SELECT `+moveCols+` FROM move_requests
		WHERE visit_id IN (SELECT id FROM visits WHERE site_id = $1) ORDER BY id`, siteID)
	return scanAll(rows, err, func(r *sql.Rows) (portal.MoveRequest, error) { return scanMove(r) })
}

// PortalFeedbackOf lists the portal feedback an account gave, oldest first.
func (tx *Tx) PortalFeedbackOf(ctx context.Context, accountID int64) ([]portal.PortalFeedback, error) {
	rows, err := tx.query(ctx, `SELECT id, account_id, message, contact_allowed, contact_email, language, page, created_at
		FROM portal_feedback WHERE account_id = $1 ORDER BY id`, accountID)
	return scanAll(rows, err, func(r *sql.Rows) (portal.PortalFeedback, error) {
		var f portal.PortalFeedback
		err := r.Scan(&f.ID, idCol{&f.AccountID}, &f.Message, &f.ContactAllowed, &f.ContactEmail, &f.Language, &f.Page,
			timeCol{&f.CreatedAt})
		return f, err
	})
}

// LegacyUsernamesOf lists the old extranet usernames of a customer record.
func (tx *Tx) LegacyUsernamesOf(ctx context.Context, customerID int64) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT username FROM legacy_credentials WHERE customer_id = $1 ORDER BY id`, customerID)
	return scanAll(rows, err, func(r *sql.Rows) (string, error) {
		var u string
		err := r.Scan(&u)
		return u, err
	})
}
