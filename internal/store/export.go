package store

import (
	"context"
	"database/sql"
	"time"

	"asiakassivu/internal/portal"
)

// VisitsOfSite lists every visit of a site by start time.
func (tx *Tx) VisitsOfSite(ctx context.Context, siteID int64) ([]portal.Visit, error) {
	rows, err := tx.query(ctx, `SELECT `+visitCols+` FROM visits WHERE site_id = $1 AND deleted_at IS NULL ORDER BY starts_at, id`, siteID)
	return scanAll(rows, err, func(r *sql.Rows) (portal.Visit, error) { return scanVisit(r) })
}

// InvoicesOfSite lists every billing summary of a site, newest first,
// without lines.
func (tx *Tx) InvoicesOfSite(ctx context.Context, siteID int64) ([]portal.Invoice, error) {
	rows, err := tx.query(ctx, `SELECT `+invoiceCols+` FROM invoices WHERE site_id = $1 AND deleted_at IS NULL ORDER BY issued_on DESC, id DESC`, siteID)
	return scanAll(rows, err, func(r *sql.Rows) (portal.Invoice, error) { return scanInvoice(r) })
}

// FeedbackOfSite lists a site's feedback, newest first.
func (tx *Tx) FeedbackOfSite(ctx context.Context, siteID int64) ([]portal.Feedback, error) {
	rows, err := tx.query(ctx, `SELECT id, site_id, visit_id, author_account_id, source, external_id, rating, comment, reply,
		replied_at, created_at FROM feedback WHERE site_id = $1 ORDER BY created_at DESC, id DESC`, siteID)
	return scanAll(rows, err, func(r *sql.Rows) (portal.Feedback, error) {
		var f portal.Feedback
		var rating sql.NullInt64
		err := r.Scan(&f.ID, &f.SiteID, idCol{&f.VisitID}, idCol{&f.AuthorAccountID}, &f.Source, &f.ExternalID, &rating,
			&f.Comment, &f.Reply, timeCol{&f.RepliedAt}, timeCol{&f.CreatedAt})
		f.Rating = int(rating.Int64)
		return f, err
	})
}

// Consent is a customer record's deduction consent with its payers.
type Consent struct {
	CustomerID  int64
	Enabled     bool
	TextVersion string
	Migrated    bool
	UpdatedAt   time.Time
	Payers      []Payer
}

// ConsentOf returns the deduction consent of a customer record, or
// portal.ErrNotFound when there is none.
func (tx *Tx) ConsentOf(ctx context.Context, customerID int64) (Consent, error) {
	c := Consent{CustomerID: customerID}
	var id int64
	err := tx.queryRow(ctx, `SELECT id, enabled, text_version, migrated, updated_at FROM deduction_consents WHERE customer_id = $1`,
		customerID).Scan(&id, &c.Enabled, &c.TextVersion, &c.Migrated, timeCol{&c.UpdatedAt})
	if err != nil {
		return c, mapErr(err)
	}
	rows, err := tx.query(ctx, `SELECT name, identity_code_enc, share_bp FROM deduction_payers
		WHERE consent_id = $1 ORDER BY position`, id)
	c.Payers, err = scanAll(rows, err, func(r *sql.Rows) (Payer, error) {
		var p Payer
		err := r.Scan(&p.Name, &p.IdentityCodeEnc, &p.ShareBP)
		return p, err
	})
	return c, err
}

// FeedbackByKey returns the feedback with a (source, external id), or
// portal.ErrNotFound.
func (tx *Tx) FeedbackByKey(ctx context.Context, source, externalID string) (portal.Feedback, error) {
	var f portal.Feedback
	var rating sql.NullInt64
	err := tx.queryRow(ctx, `SELECT id, site_id, visit_id, author_account_id, source, external_id, rating, comment, reply,
		replied_at, created_at FROM feedback WHERE source = $1 AND external_id = $2`, source, externalID).
		Scan(&f.ID, &f.SiteID, idCol{&f.VisitID}, idCol{&f.AuthorAccountID}, &f.Source, &f.ExternalID, &rating,
			&f.Comment, &f.Reply, timeCol{&f.RepliedAt}, timeCol{&f.CreatedAt})
	f.Rating = int(rating.Int64)
	return f, mapErr(err)
}
