package store

import (
	"context"
	"database/sql"
	"time"

	"asiakassivu/internal/portal"
)

const providerVisitSelect = `SELECT v.id, v.site_id, v.contract_id, v.source, v.external_id, v.starts_at, v.ends_at, v.status,
	v.service, v.worker_first_name, v.price_cents, v.customer_note, v.provider_note, v.sequence,
	v.cancel_fee_cents, v.cancel_fee_reason, s.name, s.street, s.city, c.name,
	EXISTS (SELECT 1 FROM move_requests m WHERE m.visit_id = v.id AND m.status = 'pending')
	FROM visits v JOIN sites s ON s.id = v.site_id JOIN customers c ON c.id = s.customer_id
	WHERE v.deleted_at IS NULL AND s.deleted_at IS NULL AND c.deleted_at IS NULL`

func scanProviderVisit(r interface{ Scan(...any) error }) (portal.ProviderVisit, error) {
	var p portal.ProviderVisit
	v := &p.Visit
	err := r.Scan(&v.ID, &v.SiteID, idCol{&v.ContractID}, &v.Source, &v.ExternalID, timeCol{&v.StartsAt}, timeCol{&v.EndsAt},
		&v.Status, &v.Service, &v.WorkerFirstName, &v.PriceCents, &v.CustomerNote, &v.ProviderNote, &v.Sequence,
		&v.CancelFeeCents, &v.CancelFeeReason, &p.SiteName, &p.Street, &p.City, &p.CustomerName, &p.MovePending)
	return p, mapErr(err)
}

// ProviderVisits lists the visits of a provider's sites starting in
// [from, to), soonest first, a page at a time.
func (tx *Tx) ProviderVisits(ctx context.Context, providerID int64, from, to time.Time, limit, offset int) ([]portal.ProviderVisit, error) {
	rows, err := tx.query(ctx, providerVisitSelect+` AND s.provider_id = $1 AND v.starts_at >= $2 AND v.starts_at < $3
		ORDER BY v.starts_at, v.id LIMIT $4 OFFSET $5`, providerID, from.UTC(), to.UTC(), limit, offset)
	return scanAll(rows, err, func(r *sql.Rows) (portal.ProviderVisit, error) { return scanProviderVisit(r) })
}

// ProviderMoveRequests lists the visits of a provider's sites with a
// pending move request, soonest visit first.
func (tx *Tx) ProviderMoveRequests(ctx context.Context, providerID int64, limit int) ([]portal.ProviderVisit, error) {
	rows, err := tx.query(ctx, providerVisitSelect+` AND s.provider_id = $1 AND EXISTS
		(SELECT 1 FROM move_requests m WHERE m.visit_id = v.id AND m.status = 'pending')
		ORDER BY v.starts_at, v.id LIMIT $2`, providerID, limit)
	return scanAll(rows, err, func(r *sql.Rows) (portal.ProviderVisit, error) { return scanProviderVisit(r) })
}

// ProviderVisit returns a visit of one of the provider's sites, or
// portal.ErrNotFound — the same answer for another provider's visit.
func (tx *Tx) ProviderVisit(ctx context.Context, providerID, visitID int64) (portal.ProviderVisit, error) {
	return scanProviderVisit(tx.queryRow(ctx, providerVisitSelect+` AND v.id = $1 AND s.provider_id = $2`, visitID, providerID))
}

const providerFeedbackSelect = `SELECT f.id, f.site_id, f.visit_id, f.author_account_id, f.source, f.external_id, f.rating,
	f.comment, f.reply, f.replied_at, f.created_at, s.name, s.street, s.city
	FROM feedback f JOIN sites s ON s.id = f.site_id JOIN customers c ON c.id = s.customer_id
	WHERE s.deleted_at IS NULL AND c.deleted_at IS NULL`

func scanProviderFeedback(r interface{ Scan(...any) error }) (portal.ProviderFeedback, error) {
	var p portal.ProviderFeedback
	f := &p.Feedback
	var rating sql.NullInt64
	err := r.Scan(&f.ID, &f.SiteID, idCol{&f.VisitID}, idCol{&f.AuthorAccountID}, &f.Source, &f.ExternalID, &rating,
		&f.Comment, &f.Reply, timeCol{&f.RepliedAt}, timeCol{&f.CreatedAt}, &p.SiteName, &p.Street, &p.City)
	f.Rating = int(rating.Int64)
	return p, mapErr(err)
}

// ProviderFeedbackList lists the feedback on a provider's sites, the
// unanswered first, then newest first, a page at a time.
func (tx *Tx) ProviderFeedbackList(ctx context.Context, providerID int64, limit, offset int) ([]portal.ProviderFeedback, error) {
	rows, err := tx.query(ctx, providerFeedbackSelect+` AND s.provider_id = $1
		ORDER BY CASE WHEN f.reply = '' THEN 0 ELSE 1 END, f.created_at DESC, f.id DESC LIMIT $2 OFFSET $3`,
		providerID, limit, offset)
	return scanAll(rows, err, func(r *sql.Rows) (portal.ProviderFeedback, error) { return scanProviderFeedback(r) })
}

// ProviderFeedbackItem returns one feedback on a provider's site, or
// portal.ErrNotFound.
func (tx *Tx) ProviderFeedbackItem(ctx context.Context, providerID, id int64) (portal.ProviderFeedback, error) {
	return scanProviderFeedback(tx.queryRow(ctx, providerFeedbackSelect+` AND f.id = $1 AND s.provider_id = $2`, id, providerID))
}

// ReplyFeedback stores the provider's reply to feedback (replacing an
// earlier reply).
func (tx *Tx) ReplyFeedback(ctx context.Context, id int64, reply string) error {
	res, err := tx.exec(ctx, `UPDATE feedback SET reply = $1, replied_at = $2, updated_at = $2 WHERE id = $3`, reply, tx.now, id)
	return affected(res, err)
}
