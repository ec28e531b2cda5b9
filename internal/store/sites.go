package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"asiakassivu/internal/portal"
)

// Scope limits which sites a query may return. The app builds it from the
// signed-in person (see app.Viewer); the store only applies it. The zero
// Scope matches nothing.
type Scope struct {
	EmailNorm  string // a verified customer's normalised email
	ProviderID int64  // provider staff: the provider's sites
	All        bool   // chain admin
}

func (s Scope) where(arg int) (string, []any) {
	switch {
	case s.All:
		return "TRUE", nil
	case s.ProviderID != 0:
		return "s.provider_id = $" + strconv.Itoa(arg), []any{s.ProviderID}
	case s.EmailNorm != "":
		return "c.email_norm = $" + strconv.Itoa(arg), []any{s.EmailNorm}
	}
	return "FALSE", nil
}

const siteSelect = `SELECT s.id, s.customer_id, s.provider_id, s.source, s.external_id, s.name, s.street, s.postal_code, s.city,
	s.access_keys, s.access_door_code, s.access_pets, s.access_parking, s.access_other,
	p.id, p.source, p.external_id, p.name, p.business_id, p.city, p.phone, p.email, p.active
	FROM sites s JOIN customers c ON c.id = s.customer_id JOIN providers p ON p.id = s.provider_id`

// SiteWithProvider is a site and its responsible provider.
type SiteWithProvider struct {
	Site     portal.Site
	Provider portal.Provider
}

func scanSite(r interface{ Scan(...any) error }) (SiteWithProvider, error) {
	var x SiteWithProvider
	s, p := &x.Site, &x.Provider
	err := r.Scan(&s.ID, &s.CustomerID, &s.ProviderID, &s.Source, &s.ExternalID, &s.Name, &s.Street, &s.PostalCode, &s.City,
		&s.Access.Keys, &s.Access.DoorCode, &s.Access.Pets, &s.Access.Parking, &s.Access.Other,
		&p.ID, &p.Source, &p.ExternalID, &p.Name, &p.BusinessID, &p.City, &p.Phone, &p.Email, &p.Active)
	return x, mapErr(err)
}

// Sites lists the sites within scope, in a stable order.
func (tx *Tx) Sites(ctx context.Context, scope Scope) ([]SiteWithProvider, error) {
	w, args := scope.where(1)
	rows, err := tx.query(ctx, siteSelect+` WHERE `+w+` ORDER BY s.id`, args...)
	return scanAll(rows, err, func(r *sql.Rows) (SiteWithProvider, error) { return scanSite(r) })
}

// Site returns one site within scope, or portal.ErrNotFound when it does
// not exist or lies outside the scope.
func (tx *Tx) Site(ctx context.Context, scope Scope, id int64) (SiteWithProvider, error) {
	w, args := scope.where(2)
	return scanSite(tx.queryRow(ctx, siteSelect+` WHERE s.id = $1 AND `+w, append([]any{id}, args...)...))
}

// ContractsOfSite lists a site's contracts, newest start first.
func (tx *Tx) ContractsOfSite(ctx context.Context, siteID int64) ([]portal.Contract, error) {
	rows, err := tx.query(ctx, `SELECT id, site_id, source, external_id, kind, service, work_type, rhythm, price_cents, vat_free,
		start_date, end_date FROM contracts WHERE site_id = $1 ORDER BY start_date DESC, id`, siteID)
	return scanAll(rows, err, func(r *sql.Rows) (portal.Contract, error) {
		var c portal.Contract
		err := r.Scan(&c.ID, &c.SiteID, &c.Source, &c.ExternalID, &c.Kind, &c.Service, &c.WorkType, &c.Rhythm, &c.PriceCents,
			&c.VATFree, dateCol{&c.Start}, dateCol{&c.End})
		return c, err
	})
}

const visitCols = `id, site_id, contract_id, source, external_id, starts_at, ends_at, status, service, worker_first_name,
	price_cents, customer_note, provider_note, sequence`

func scanVisit(r interface{ Scan(...any) error }) (portal.Visit, error) {
	var v portal.Visit
	err := r.Scan(&v.ID, &v.SiteID, idCol{&v.ContractID}, &v.Source, &v.ExternalID, timeCol{&v.StartsAt}, timeCol{&v.EndsAt},
		&v.Status, &v.Service, &v.WorkerFirstName, &v.PriceCents, &v.CustomerNote, &v.ProviderNote, &v.Sequence)
	return v, mapErr(err)
}

// NextVisit returns the first visit of a site that has not ended by now and
// is not cancelled, or nil when there is none.
func (tx *Tx) NextVisit(ctx context.Context, siteID int64, now time.Time) (*portal.Visit, error) {
	v, err := scanVisit(tx.queryRow(ctx, `SELECT `+visitCols+` FROM visits
		WHERE site_id = $1 AND ends_at > $2 AND status NOT IN ('cancelled_customer', 'cancelled_provider', 'done')
		ORDER BY starts_at LIMIT 1`, siteID, now.UTC()))
	if errors.Is(err, portal.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

const invoiceCols = `id, customer_id, site_id, source, external_id, number, period_start, period_end, issued_on, due_on,
	paid_on, status, is_credit_note, total_cents`

func scanInvoice(r interface{ Scan(...any) error }) (portal.Invoice, error) {
	var i portal.Invoice
	err := r.Scan(&i.ID, &i.CustomerID, &i.SiteID, &i.Source, &i.ExternalID, &i.Number, dateCol{&i.PeriodStart},
		dateCol{&i.PeriodEnd}, dateCol{&i.IssuedOn}, dateCol{&i.DueOn}, dateCol{&i.PaidOn}, &i.Status, &i.IsCreditNote,
		&i.TotalCents)
	return i, mapErr(err)
}

// LatestInvoice returns the most recently issued billing summary of a site,
// or nil when there is none.
func (tx *Tx) LatestInvoice(ctx context.Context, siteID int64) (*portal.Invoice, error) {
	i, err := scanInvoice(tx.queryRow(ctx, `SELECT `+invoiceCols+` FROM invoices WHERE site_id = $1
		ORDER BY issued_on DESC, id DESC LIMIT 1`, siteID))
	if errors.Is(err, portal.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &i, nil
}

// InvoiceLines returns the lines of an invoice in order.
func (tx *Tx) InvoiceLines(ctx context.Context, invoiceID int64) ([]portal.InvoiceLine, error) {
	rows, err := tx.query(ctx, `SELECT position, description, performed_on, quantity_milli, unit_price_cents, vat_rate_bp,
		net_cents, vat_cents, total_cents, is_work FROM invoice_lines WHERE invoice_id = $1 ORDER BY position`, invoiceID)
	return scanAll(rows, err, func(r *sql.Rows) (portal.InvoiceLine, error) {
		var l portal.InvoiceLine
		err := r.Scan(&l.Position, &l.Description, dateCol{&l.PerformedOn}, &l.QuantityMilli, &l.UnitPriceCents, &l.VATRateBP,
			&l.NetCents, &l.VATCents, &l.TotalCents, &l.IsWork)
		return l, err
	})
}

// UnreadMessages counts the messages of a site's thread that the account
// has not read: those written by the other side (fromKinds) after the
// account's read marker.
func (tx *Tx) UnreadMessages(ctx context.Context, siteID, accountID int64, fromKinds ...string) (int, error) {
	if len(fromKinds) == 0 {
		return 0, nil
	}
	q := `SELECT count(*) FROM messages m JOIN threads t ON t.id = m.thread_id
		LEFT JOIN read_markers rm ON rm.thread_id = t.id AND rm.account_id = $2
		WHERE t.site_id = $1 AND m.id > COALESCE(rm.last_read_message_id, 0) AND m.author_kind IN (`
	args := []any{siteID, accountID}
	for i, k := range fromKinds {
		if i > 0 {
			q += ", "
		}
		args = append(args, k)
		q += "$" + strconv.Itoa(len(args))
	}
	var n int
	err := tx.queryRow(ctx, q+`)`, args...).Scan(&n)
	return n, mapErr(err)
}

// SetAccess replaces a site's access instructions.
func (tx *Tx) SetAccess(ctx context.Context, siteID int64, a portal.AccessInstructions) error {
	res, err := tx.exec(ctx, `UPDATE sites SET access_keys = $1, access_door_code = $2, access_pets = $3, access_parking = $4,
		access_other = $5, updated_at = $6 WHERE id = $7`, a.Keys, a.DoorCode, a.Pets, a.Parking, a.Other, tx.now, siteID)
	return affected(res, err)
}
