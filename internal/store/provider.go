package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"asiakassivu/internal/portal"
)

const providerVisitSelect = `SELECT v.id, v.site_id, v.contract_id, v.source, v.external_id, v.starts_at, v.ends_at, v.status,
	v.service, v.worker_first_name, v.price_cents, v.customer_note, v.provider_note, v.sequence,
	v.cancel_fee_cents, v.cancel_fee_reason, v.departed_at, v.arrival_estimate, v.arrived_at, v.done_at, v.done_note, s.name, s.street, s.city, c.name,
	v.cancelled_by_account_id, v.cancelled_by_name, v.cancelled_by_role,
	EXISTS (SELECT 1 FROM move_requests m WHERE m.visit_id = v.id AND m.status = 'pending')
	FROM visits v JOIN sites s ON s.id = v.site_id JOIN customers c ON c.id = s.customer_id
	WHERE v.deleted_at IS NULL AND s.deleted_at IS NULL AND c.deleted_at IS NULL`

func scanProviderVisit(r interface{ Scan(...any) error }) (portal.ProviderVisit, error) {
	var p portal.ProviderVisit
	v := &p.Visit
	err := r.Scan(&v.ID, &v.SiteID, idCol{&v.ContractID}, &v.Source, &v.ExternalID, timeCol{&v.StartsAt}, timeCol{&v.EndsAt},
		&v.Status, &v.Service, &v.WorkerFirstName, &v.PriceCents, &v.CustomerNote, &v.ProviderNote, &v.Sequence,
		&v.CancelFeeCents, &v.CancelFeeReason, timeCol{&v.DepartedAt}, timeCol{&v.ArrivalEstimate}, timeCol{&v.ArrivedAt},
		timeCol{&v.DoneAt}, &v.DoneNote, &p.SiteName, &p.Street, &p.City, &p.CustomerName,
		idCol{&p.CancelledBy.AccountID}, &p.CancelledBy.Name, &p.CancelledBy.Role, &p.MovePending)
	return p, mapErr(err)
}

// ScheduleQuery selects visits of a provider's sites starting in
// [From, To): with one of Statuses (nil: any), with a pending move request
// only (MovePending), of one worker (Worker, empty: any); a page of Limit
// rows, soonest first: after Offset rows, or (keyset paging, which walks
// only its page however deep) the Limit rows right after After or, when
// Before is set, right before Before.
type ScheduleQuery struct {
	ProviderID    int64
	From, To      time.Time
	Statuses      []portal.VisitStatus
	MovePending   bool
	Worker        string
	Limit         int
	Offset        int
	After, Before *ScheduleKey
}

// ScheduleKey is a visit's place in the schedule's order: its start, then
// its id.
type ScheduleKey struct {
	StartsAt time.Time
	ID       int64
}

// scheduleVisits selects the visits of provider $3's live sites starting
// in [$1, $2). It walks the provider's visits of the day in the index
// visits_provider_day (the visit's own provider_id, kept by triggers,
// migration 00024), which is in the page's order (starts_at, id; migration
// 00029) and holds the status, worker and site, so the walk stops at the
// page. The site and customer are checked in EXISTS, looked up only for
// the visits walked, and only visits is in FROM, so no planner starts from
// the provider's 33 000 sites instead. The site's provider is checked as
// well, so a stale copy could only hide a visit, never show another
// provider's.
const scheduleVisits = `FROM visits v
	WHERE v.provider_id = $3 AND v.starts_at >= $1 AND v.starts_at < $2 AND v.deleted_at IS NULL`

// scheduleLive is the last condition of scheduleVisits: the visit's site
// is the provider's, and it and its customer are live.
const scheduleLive = ` AND EXISTS (SELECT 1 FROM sites s JOIN customers c ON c.id = s.customer_id
	WHERE s.id = v.site_id AND s.provider_id = $3 AND s.deleted_at IS NULL AND c.deleted_at IS NULL)`

// ProviderSchedule lists the visits q selects, soonest first: the page's
// ids first from the indexes, then those rows in full.
func (tx *Tx) ProviderSchedule(ctx context.Context, q ScheduleQuery) ([]portal.ProviderVisit, error) {
	text := `SELECT v.id ` + scheduleVisits
	args := []any{q.From.UTC(), q.To.UTC(), q.ProviderID}
	arg := func(a any) string {
		args = append(args, a)
		return "$" + strconv.Itoa(len(args))
	}
	if len(q.Statuses) > 0 {
		in := make([]string, len(q.Statuses))
		for i, st := range q.Statuses {
			in[i] = arg(string(st))
		}
		text += ` AND v.status IN (` + strings.Join(in, ", ") + `)`
	}
	if q.Worker != "" {
		text += ` AND v.worker_first_name = ` + arg(q.Worker)
	}
	if q.MovePending {
		text += ` AND EXISTS (SELECT 1 FROM move_requests m WHERE m.visit_id = v.id AND m.status = 'pending')`
	}
	order, offset := ` ORDER BY v.starts_at, v.id`, q.Offset
	switch {
	case q.Before != nil:
		text += ` AND (v.starts_at, v.id) < (` + arg(q.Before.StartsAt.UTC()) + `, ` + arg(q.Before.ID) + `)`
		order, offset = ` ORDER BY v.starts_at DESC, v.id DESC`, 0
	case q.After != nil:
		text += ` AND (v.starts_at, v.id) > (` + arg(q.After.StartsAt.UTC()) + `, ` + arg(q.After.ID) + `)`
		offset = 0
	}
	text += scheduleLive + order + ` LIMIT ` + arg(q.Limit) + ` OFFSET ` + arg(offset)
	rows, err := tx.query(ctx, providerVisitSelect+` AND v.id IN (`+text+`) ORDER BY v.starts_at, v.id`, args...)
	return scanAll(rows, err, func(r *sql.Rows) (portal.ProviderVisit, error) { return scanProviderVisit(r) })
}

// ProviderWorkers lists the workers (first names) of the visits of a
// provider's sites starting in [from, to), at most limit, by name: from
// the index visits_provider_day alone.
func (tx *Tx) ProviderWorkers(ctx context.Context, providerID int64, from, to time.Time, limit int) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT DISTINCT v.worker_first_name FROM visits v
		WHERE v.provider_id = $3 AND v.starts_at >= $1 AND v.starts_at < $2 AND v.deleted_at IS NULL
		AND v.worker_first_name <> '' ORDER BY v.worker_first_name LIMIT $4`, from.UTC(), to.UTC(), providerID, limit)
	return scanAll(rows, err, func(r *sql.Rows) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
}

// ProviderMoveRequests lists the visits of a provider's sites with a
// pending move request, soonest visit first. It starts from the pending
// requests (a partial index holds only those), not from the provider's
// visits.
func (tx *Tx) ProviderMoveRequests(ctx context.Context, providerID int64, limit int) ([]portal.ProviderVisit, error) {
	rows, err := tx.query(ctx, providerVisitSelect+` AND s.provider_id = $1 AND v.id IN
		(SELECT m.visit_id FROM move_requests m WHERE m.status = 'pending')
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
