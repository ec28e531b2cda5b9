package store

import (
	"context"
	"database/sql"
	"time"

	"asiakassivu/internal/portal"
)

// SiteVisits lists a page of a site's visits: the upcoming ones (not yet
// ended at now) soonest first, or the past ones latest first.
func (tx *Tx) SiteVisits(ctx context.Context, siteID int64, now time.Time, upcoming bool, limit, offset int) ([]portal.Visit, error) {
	q := `SELECT ` + visitCols + ` FROM visits WHERE site_id = $1 AND ends_at > $2 AND deleted_at IS NULL ORDER BY starts_at, id LIMIT $3 OFFSET $4`
	if !upcoming {
		q = `SELECT ` + visitCols + ` FROM visits WHERE site_id = $1 AND ends_at <= $2 AND deleted_at IS NULL ORDER BY starts_at DESC, id DESC LIMIT $3 OFFSET $4`
	}
	rows, err := tx.query(ctx, q, siteID, now.UTC(), limit, offset)
	return scanAll(rows, err, func(r *sql.Rows) (portal.Visit, error) { return scanVisit(r) })
}

// VisitOfSite returns a visit of the given site, or portal.ErrNotFound
// when there is none with that id at that site.
func (tx *Tx) VisitOfSite(ctx context.Context, siteID, visitID int64) (portal.Visit, error) {
	return scanVisit(tx.queryRow(ctx, `SELECT `+visitCols+` FROM visits WHERE id = $1 AND site_id = $2 AND deleted_at IS NULL`, visitID, siteID))
}

// SetCustomerNote replaces the customer's note on a visit.
func (tx *Tx) SetCustomerNote(ctx context.Context, visitID int64, note string) error {
	res, err := tx.exec(ctx, `UPDATE visits SET customer_note = $1, updated_at = $2 WHERE id = $3`, note, tx.now, visitID)
	return affected(res, err)
}

// CancelVisitByCustomer marks a planned or confirmed visit cancelled by the
// customer with the fee its terms fixed (cents and reason), if it is still
// at the sequence the terms were computed for, and who cancelled it (by,
// for the provider's pages). It fails with portal.ErrConflict when the
// visit changed meanwhile.
func (tx *Tx) CancelVisitByCustomer(ctx context.Context, visitID int64, sequence int, feeCents int64, reason portal.FeeReason, by portal.Actor) error {
	res, err := tx.exec(ctx, `UPDATE visits SET status = 'cancelled_customer', sequence = sequence + 1, updated_at = $1,
		cancel_fee_cents = $4, cancel_fee_reason = $5, cancelled_by_account_id = $6, cancelled_by_name = $7, cancelled_by_role = $8
		WHERE id = $2 AND sequence = $3 AND status IN ('planned', 'confirmed')`, tx.now, visitID, sequence, feeCents, string(reason),
		nullID(by.AccountID), by.Name, string(by.Role))
	if err := affected(res, err); err != nil {
		if err == portal.ErrNotFound {
			return portal.ErrConflict
		}
		return err
	}
	return nil
}

// VisitCancelledBy returns who on the customer's side cancelled a visit
// (the zero Actor when no one was recorded).
func (tx *Tx) VisitCancelledBy(ctx context.Context, visitID int64) (portal.Actor, error) {
	var a portal.Actor
	err := tx.queryRow(ctx, `SELECT cancelled_by_account_id, cancelled_by_name, cancelled_by_role FROM visits WHERE id = $1`,
		visitID).Scan(idCol{&a.AccountID}, &a.Name, &a.Role)
	return a, mapErr(err)
}
