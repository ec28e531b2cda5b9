package store

import (
	"context"
	"database/sql"
	"time"

	"asiakassivu/internal/portal"
)

// ClaimReminderDay records that the reminders for visits on day are being
// sent; ok is false when another run already took the day.
func (tx *Tx) ClaimReminderDay(ctx context.Context, day portal.Date, visits int) (ok bool, err error) {
	res, err := tx.exec(ctx, `INSERT INTO reminder_runs (day, sent_at, visits) VALUES ($1, $2, $3) ON CONFLICT (day) DO NOTHING`,
		dateArg(day), tx.now, visits)
	if err != nil {
		return false, mapErr(err)
	}
	n, err := res.RowsAffected()
	return n > 0, mapErr(err)
}

// ReminderVisit is a visit to remind of, with the site it is at.
type ReminderVisit struct {
	Visit portal.Visit
	Site  portal.Site
}

// VisitsStarting lists the visits that start in [from, to) and are not
// cancelled or done, with their sites, in start order.
func (tx *Tx) VisitsStarting(ctx context.Context, from, to time.Time) ([]ReminderVisit, error) {
	rows, err := tx.query(ctx, `SELECT v.id, v.site_id, v.starts_at, v.ends_at, v.service, v.worker_first_name,
		s.customer_id, s.name, s.street FROM visits v JOIN sites s ON s.id = v.site_id
		WHERE v.starts_at >= $1 AND v.starts_at < $2 AND v.status IN ('planned', 'confirmed') AND v.deleted_at IS NULL
			AND s.deleted_at IS NULL ORDER BY v.starts_at, v.id`,
		from.UTC(), to.UTC())
	return scanAll(rows, err, func(r *sql.Rows) (ReminderVisit, error) {
		var x ReminderVisit
		err := r.Scan(&x.Visit.ID, &x.Visit.SiteID, timeCol{&x.Visit.StartsAt}, timeCol{&x.Visit.EndsAt}, &x.Visit.Service,
			&x.Visit.WorkerFirstName, &x.Site.CustomerID, &x.Site.Name, &x.Site.Street)
		x.Site.ID = x.Visit.SiteID
		return x, err
	})
}

// PendingJobs counts the jobs of a kind not yet done.
func (tx *Tx) PendingJobs(ctx context.Context, kind string) (int64, error) {
	var n int64
	err := tx.QueryInt(ctx, `SELECT count(*) FROM jobs WHERE kind = $1 AND done_at IS NULL`, &n, kind)
	return n, err
}

// JobsOfKind lists the jobs of a kind, oldest first.
func (tx *Tx) JobsOfKind(ctx context.Context, kind string) ([]Job, error) {
	rows, err := tx.query(ctx, `SELECT `+jobColumns+` FROM jobs WHERE kind = $1 ORDER BY id`, kind)
	return scanAll(rows, err, func(r *sql.Rows) (Job, error) { return scanJob(r) })
}
