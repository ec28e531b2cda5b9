package store

import (
	"context"
	"database/sql"
	"time"

	"asiakassivu/internal/portal"
)

// workShareOf is the subquery summing an invoice's work lines; inv is an
// SQL expression for the invoice id.
func workShareOf(inv string) string {
	return `COALESCE((SELECT sum(l.total_cents) FROM invoice_lines l WHERE l.invoice_id = ` + inv + ` AND l.is_work), 0)`
}

// BillingOfSite lists a site's billing summaries issued in a year (all
// years when year is 0), newest first.
func (tx *Tx) BillingOfSite(ctx context.Context, siteID int64, year int) ([]portal.InvoiceSummary, error) {
	q := `SELECT ` + invoiceCols + `, ` + workShareOf("invoices.id") + ` FROM invoices WHERE site_id = $1 AND deleted_at IS NULL`
	args := []any{siteID}
	if year != 0 {
		q += ` AND issued_on >= $2 AND issued_on < $3`
		args = append(args, dateArg(portal.NewDate(year, 1, 1)), dateArg(portal.NewDate(year+1, 1, 1)))
	}
	rows, err := tx.query(ctx, q+` ORDER BY issued_on DESC, id DESC`, args...)
	return scanAll(rows, err, func(r *sql.Rows) (portal.InvoiceSummary, error) {
		var x portal.InvoiceSummary
		err := r.Scan(append(invoiceDest(&x.Invoice), &x.WorkShareCents)...)
		return x, err
	})
}

// InvoiceYears lists the years in which a site's billing summaries were
// issued, newest first.
func (tx *Tx) InvoiceYears(ctx context.Context, siteID int64) ([]int, error) {
	rows, err := tx.query(ctx, `SELECT issued_on FROM invoices WHERE site_id = $1 AND deleted_at IS NULL ORDER BY issued_on DESC`, siteID)
	days, err := scanAll(rows, err, func(r *sql.Rows) (portal.Date, error) {
		var d portal.Date
		err := r.Scan(dateCol{&d})
		return d, err
	})
	var years []int
	for _, d := range days {
		if len(years) == 0 || years[len(years)-1] != d.Year {
			years = append(years, d.Year)
		}
	}
	return years, err
}

// InvoiceOfSite returns one billing summary of a site with its lines, or
// portal.ErrNotFound when the site has no such summary.
func (tx *Tx) InvoiceOfSite(ctx context.Context, siteID, invoiceID int64) (portal.Invoice, error) {
	inv, err := scanInvoice(tx.queryRow(ctx, `SELECT `+invoiceCols+` FROM invoices WHERE id = $1 AND site_id = $2 AND deleted_at IS NULL`,
		invoiceID, siteID))
	if err != nil {
		return inv, err
	}
	inv.Lines, err = tx.InvoiceLines(ctx, inv.ID)
	return inv, err
}

// PaidWork is the work share of one billing summary paid in a year, with
// the site it belongs to.
type PaidWork struct {
	SiteID         int64
	CustomerID     int64
	InvoiceID      int64
	PaidOn         portal.Date
	TotalCents     int64
	WorkShareCents int64
}

// PaidWorkInYear lists the billing summaries within scope paid in a year
// (the payment date decides; credit notes count on theirs, with negative
// amounts), by site and payment date.
func (tx *Tx) PaidWorkInYear(ctx context.Context, scope Scope, year int) ([]PaidWork, error) {
	w, args := scope.where(3)
	rows, err := tx.query(ctx, `SELECT i.site_id, i.customer_id, i.id, i.paid_on, i.total_cents, `+workShareOf("i.id")+`
		FROM invoices i JOIN sites s ON s.id = i.site_id JOIN customers c ON c.id = s.customer_id
		WHERE i.paid_on >= $1 AND i.paid_on < $2 AND i.deleted_at IS NULL AND `+w+` ORDER BY i.site_id, i.paid_on, i.id`,
		append([]any{dateArg(portal.NewDate(year, 1, 1)), dateArg(portal.NewDate(year+1, 1, 1))}, args...)...)
	return scanAll(rows, err, func(r *sql.Rows) (PaidWork, error) {
		var p PaidWork
		err := r.Scan(&p.SiteID, &p.CustomerID, &p.InvoiceID, dateCol{&p.PaidOn}, &p.TotalCents, &p.WorkShareCents)
		return p, err
	})
}

// PaidLine is one line of a billing summary paid in a year: what the
// statement and the yearly report need to tell the line's work type.
type PaidLine struct {
	SiteID      int64
	InvoiceID   int64
	PaidOn      portal.Date
	PerformedOn portal.Date
	Description string
	TotalCents  int64
	IsWork      bool
	// BusinessID is the invoice's provider's business id as issued.
	BusinessID string
}

// paidLines lists the lines of the billing summaries paid in a year that
// also meet cond (on l, invoice line; i, invoice; s, site; c, customer),
// by site, payment date and position; args are cond's, from $3.
func (tx *Tx) paidLines(ctx context.Context, year int, cond string, args ...any) ([]PaidLine, error) {
	rows, err := tx.query(ctx, `SELECT i.site_id, i.id, i.paid_on, l.performed_on, l.description, l.total_cents, l.is_work,
		coalesce(i.provider_business_id, '')
		FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id JOIN sites s ON s.id = i.site_id
		JOIN customers c ON c.id = s.customer_id
		WHERE i.paid_on >= $1 AND i.paid_on < $2 AND i.deleted_at IS NULL AND `+cond+`
		ORDER BY i.site_id, i.paid_on, i.id, l.position`,
		append([]any{dateArg(portal.NewDate(year, 1, 1)), dateArg(portal.NewDate(year+1, 1, 1))}, args...)...)
	return scanAll(rows, err, func(r *sql.Rows) (PaidLine, error) {
		var l PaidLine
		err := r.Scan(&l.SiteID, &l.InvoiceID, dateCol{&l.PaidOn}, dateCol{&l.PerformedOn}, &l.Description, &l.TotalCents, &l.IsWork, &l.BusinessID)
		return l, err
	})
}

// PaidWorkLinesInYear lists the work lines of the billing summaries within
// scope paid in a year (the same summaries as PaidWorkInYear; a credit
// note's lines are negative).
func (tx *Tx) PaidWorkLinesInYear(ctx context.Context, scope Scope, year int) ([]PaidLine, error) {
	w, args := scope.where(3)
	return tx.paidLines(ctx, year, "l.is_work AND "+w, args...)
}

// SiteLinesPaidInYear lists every line (work, materials, travel) of one
// site's billing summaries paid in a year.
func (tx *Tx) SiteLinesPaidInYear(ctx context.Context, siteID int64, year int) ([]PaidLine, error) {
	return tx.paidLines(ctx, year, "i.site_id = $3", siteID)
}

// DeductionRule returns the rule of a (year, work type), or
// portal.ErrNotFound.
func (tx *Tx) DeductionRule(ctx context.Context, year int, workType string) (portal.DeductionRule, error) {
	r := portal.DeductionRule{Year: year, WorkType: workType}
	err := tx.queryRow(ctx, `SELECT rate_bp, max_cents, omavastuu_cents FROM deduction_rules WHERE year = $1 AND work_type = $2`,
		year, workType).Scan(&r.RateBP, &r.MaxCents, &r.OmavastuuCents)
	return r, mapErr(err)
}

// SetDeductionRule inserts or replaces the rule of a (year, work type).
func (tx *Tx) SetDeductionRule(ctx context.Context, r portal.DeductionRule) error {
	_, err := tx.exec(ctx, `INSERT INTO deduction_rules (year, work_type, rate_bp, max_cents, omavastuu_cents, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (year, work_type) DO UPDATE SET rate_bp = excluded.rate_bp, max_cents = excluded.max_cents,
			omavastuu_cents = excluded.omavastuu_cents, updated_at = excluded.updated_at`,
		r.Year, r.WorkType, r.RateBP, r.MaxCents, r.OmavastuuCents, tx.now)
	return err
}

// SetConsentEnabled turns a customer record's consent on or off without
// touching its payers (withdrawing keeps them, and the history). A record
// without a consent row gets one.
func (tx *Tx) SetConsentEnabled(ctx context.Context, customerID int64, enabled bool, textVersion string) error {
	_, err := tx.exec(ctx, `INSERT INTO deduction_consents (customer_id, enabled, text_version, migrated, created_at, updated_at)
		VALUES ($1, $2, $3, FALSE, $4, $4)
		ON CONFLICT (customer_id) DO UPDATE SET enabled = excluded.enabled, text_version = excluded.text_version,
			updated_at = excluded.updated_at`, customerID, enabled, textVersion, tx.now)
	return err
}

// AddConsentEvent appends to a consent's history.
func (tx *Tx) AddConsentEvent(ctx context.Context, e portal.ConsentEvent) error {
	_, err := tx.exec(ctx, `INSERT INTO deduction_consent_history (customer_id, at, enabled, text_version, payer_count,
		actor_account_id) VALUES ($1, $2, $3, $4, $5, $6)`, e.CustomerID, tx.now, e.Enabled, e.TextVersion, e.PayerCount,
		nullID(e.ActorAccountID))
	return err
}

// ConsentHistory lists a customer record's consent changes, oldest first.
func (tx *Tx) ConsentHistory(ctx context.Context, customerID int64) ([]portal.ConsentEvent, error) {
	rows, err := tx.query(ctx, `SELECT customer_id, at, enabled, text_version, payer_count, actor_account_id
		FROM deduction_consent_history WHERE customer_id = $1 ORDER BY at, id`, customerID)
	return scanAll(rows, err, func(r *sql.Rows) (portal.ConsentEvent, error) {
		var e portal.ConsentEvent
		err := r.Scan(&e.CustomerID, timeCol{&e.At}, &e.Enabled, &e.TextVersion, &e.PayerCount, idCol{&e.ActorAccountID})
		return e, err
	})
}

// ExportRow is what the yearly report holds of one consenting customer
// record, one of its sites and one provider that issued its invoices (the
// business id and name the invoices carry as issued): a site whose
// provider changed within the year has a row per provider.
type ExportRow struct {
	CustomerID     int64
	CustomerName   string
	SiteID         int64
	Street         string
	PostalCode     string
	City           string
	BusinessID     string
	ProviderName   string
	FirstPaid      portal.Date
	LastPaid       portal.Date
	TotalCents     int64
	WorkShareCents int64
}

// DeductionExportRows lists, per site of every customer record whose
// consent is on, what was paid in a year (sites with payments only).
func (tx *Tx) DeductionExportRows(ctx context.Context, year int) ([]ExportRow, error) {
	rows, err := tx.query(ctx, `SELECT c.id, c.name, s.id, s.street, s.postal_code, s.city,
		coalesce(i.provider_business_id, ''), coalesce(i.provider_name, ''),
		min(i.paid_on), max(i.paid_on), sum(i.total_cents), sum(`+workShareOf("i.id")+`)
		FROM deduction_consents dc JOIN customers c ON c.id = dc.customer_id
		JOIN sites s ON s.customer_id = c.id
		JOIN invoices i ON i.site_id = s.id
		WHERE dc.enabled AND i.paid_on >= $1 AND i.paid_on < $2
			AND c.deleted_at IS NULL AND s.deleted_at IS NULL AND i.deleted_at IS NULL
		GROUP BY c.id, c.name, s.id, s.street, s.postal_code, s.city, coalesce(i.provider_business_id, ''), coalesce(i.provider_name, '')
		ORDER BY c.id, s.id, min(i.paid_on)`, dateArg(portal.NewDate(year, 1, 1)), dateArg(portal.NewDate(year+1, 1, 1)))
	return scanAll(rows, err, func(r *sql.Rows) (ExportRow, error) {
		var e ExportRow
		err := r.Scan(&e.CustomerID, &e.CustomerName, &e.SiteID, &e.Street, &e.PostalCode, &e.City, &e.BusinessID,
			&e.ProviderName, dateCol{&e.FirstPaid}, dateCol{&e.LastPaid}, &e.TotalCents, &e.WorkShareCents)
		return e, err
	})
}

// DeductionExport records one yearly export.
type DeductionExport struct {
	Year       int
	Customers  int
	CSVName    string
	CSVSHA256  string
	JSONName   string
	JSONSHA256 string
	CreatedAt  time.Time
}

// AddDeductionExport records an export with its checksums.
func (tx *Tx) AddDeductionExport(ctx context.Context, e DeductionExport) error {
	_, err := tx.exec(ctx, `INSERT INTO deduction_exports (year, created_at, customers, csv_name, csv_sha256, json_name,
		json_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.Year, tx.now, e.Customers, e.CSVName, e.CSVSHA256, e.JSONName,
		e.JSONSHA256)
	return err
}

// DeductionExports lists the recorded exports, oldest first.
func (tx *Tx) DeductionExports(ctx context.Context) ([]DeductionExport, error) {
	rows, err := tx.query(ctx, `SELECT year, customers, csv_name, csv_sha256, json_name, json_sha256, created_at
		FROM deduction_exports ORDER BY id`)
	return scanAll(rows, err, func(r *sql.Rows) (DeductionExport, error) {
		var e DeductionExport
		err := r.Scan(&e.Year, &e.Customers, &e.CSVName, &e.CSVSHA256, &e.JSONName, &e.JSONSHA256, timeCol{&e.CreatedAt})
		return e, err
	})
}
