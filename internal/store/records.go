package store

import (
	"context"
	"database/sql"

	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
)

// The Upsert methods write records that come from outside the portal (the
// ERP, the old extranet, the demo) by their (source, external id), so a
// repeated write changes the same row. Each returns the row's id.

// UpsertProvider writes a provider.
func (tx *Tx) UpsertProvider(ctx context.Context, p portal.Provider) (int64, error) {
	id, err := tx.insert(ctx, `INSERT INTO providers (source, external_id, name, business_id, city, phone, email, active, iban, bic,
			created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
		ON CONFLICT (source, external_id) DO UPDATE SET name = excluded.name, business_id = excluded.business_id,
			city = excluded.city, phone = excluded.phone, email = excluded.email, active = excluded.active,
			iban = excluded.iban, bic = excluded.bic, updated_at = excluded.updated_at
		RETURNING id`, p.Source, p.ExternalID, p.Name, p.BusinessID, p.City, p.Phone, p.Email, p.Active, p.IBAN, p.BIC, tx.now)
	if err != nil {
		return 0, err
	}
	return id, tx.fillIssuerAccounts(ctx, []int64{id})
}

// UpsertCustomer writes a customer record; its normalised email is computed
// here, which is what links it to an account.
func (tx *Tx) UpsertCustomer(ctx context.Context, c portal.Customer) (int64, error) {
	return tx.insert(ctx, `INSERT INTO customers (source, external_id, name, email, email_norm, phone, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
		ON CONFLICT (source, external_id) DO UPDATE SET name = excluded.name, email = excluded.email,
			email_norm = excluded.email_norm, phone = excluded.phone, updated_at = excluded.updated_at
		RETURNING id`, c.Source, c.ExternalID, c.Name, c.Email, emailaddr.Normalize(c.Email), c.Phone, tx.now)
}

// UpsertSite writes a site. Access instructions are the customer's to edit
// and are written only when the site is new.
func (tx *Tx) UpsertSite(ctx context.Context, s portal.Site) (int64, error) {
	return tx.insert(ctx, `INSERT INTO sites (customer_id, provider_id, source, external_id, name, street, postal_code, city,
			access_keys, access_door_code, access_pets, access_parking, access_other, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
		ON CONFLICT (source, external_id) DO UPDATE SET customer_id = excluded.customer_id, provider_id = excluded.provider_id,
			name = excluded.name, street = excluded.street, postal_code = excluded.postal_code, city = excluded.city,
			updated_at = excluded.updated_at
		RETURNING id`, s.CustomerID, s.ProviderID, s.Source, s.ExternalID, s.Name, s.Street, s.PostalCode, s.City,
		s.Access.Keys, s.Access.DoorCode, s.Access.Pets, s.Access.Parking, s.Access.Other, tx.now)
}

// UpsertContract writes a contract.
func (tx *Tx) UpsertContract(ctx context.Context, c portal.Contract) (int64, error) {
	return tx.insert(ctx, `INSERT INTO contracts (site_id, source, external_id, kind, service, work_type, rhythm, price_cents, vat_free,
			start_date, end_date, created_at, updated_at, service_sv, service_en)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14)
		ON CONFLICT (source, external_id) DO UPDATE SET site_id = excluded.site_id, kind = excluded.kind, service = excluded.service,
			work_type = excluded.work_type, rhythm = excluded.rhythm, price_cents = excluded.price_cents, vat_free = excluded.vat_free,
			start_date = excluded.start_date, end_date = excluded.end_date, updated_at = excluded.updated_at,
			service_sv = excluded.service_sv, service_en = excluded.service_en
		RETURNING id`, c.SiteID, c.Source, c.ExternalID, string(c.Kind), c.Service, c.WorkType, c.Rhythm, c.PriceCents, c.VATFree,
		dateArg(c.Start), dateArg(c.End), tx.now, c.ServiceSV, c.ServiceEN)
}

// The statements that write visits and invoices by their (source,
// external id), shared by the one-row and the bulk writes: the INSERT up to
// VALUES, and what a conflict updates. A visit's sequence moves on when its
// time or status changes (calendar feeds show the change).
const (
	visitInsert = `INSERT INTO visits (site_id, contract_id, source, external_id, starts_at, ends_at, status, service,
			worker_first_name, price_cents, customer_note, provider_note, cancel_fee_cents, cancel_fee_reason, sequence,
			created_at, updated_at, service_sv, service_en)
		VALUES `
	visitConflict = `
		ON CONFLICT (source, external_id) DO UPDATE SET site_id = excluded.site_id, contract_id = excluded.contract_id,
			starts_at = excluded.starts_at, ends_at = excluded.ends_at, status = excluded.status, service = excluded.service,
			worker_first_name = excluded.worker_first_name, price_cents = excluded.price_cents, provider_note = excluded.provider_note,
			sequence = visits.sequence + CASE WHEN visits.starts_at <> excluded.starts_at OR visits.ends_at <> excluded.ends_at
				OR visits.status <> excluded.status THEN 1 ELSE 0 END,
			cancel_fee_cents = CASE WHEN visits.status = excluded.status THEN visits.cancel_fee_cents ELSE excluded.cancel_fee_cents END,
			cancel_fee_reason = CASE WHEN visits.status = excluded.status THEN visits.cancel_fee_reason ELSE excluded.cancel_fee_reason END,
			updated_at = excluded.updated_at, service_sv = excluded.service_sv, service_en = excluded.service_en`
	invoiceInsert = `INSERT INTO invoices (customer_id, site_id, source, external_id, number, period_start, period_end,
			issued_on, due_on, paid_on, status, is_credit_note, total_cents, reference, created_at, updated_at)
		VALUES `
	invoiceConflict = `
		ON CONFLICT (source, external_id) DO UPDATE SET customer_id = excluded.customer_id, site_id = excluded.site_id,
			number = excluded.number, period_start = excluded.period_start, period_end = excluded.period_end,
			issued_on = excluded.issued_on, due_on = excluded.due_on, paid_on = excluded.paid_on, status = excluded.status,
			is_credit_note = excluded.is_credit_note, total_cents = excluded.total_cents, reference = excluded.reference,
			updated_at = excluded.updated_at`
)

// stampProvider, followed by a condition on the invoices' ids, gives each
// new invoice its provider as issued (business id, name and bank
// account): the site's provider at the time of the first write. A later
// write keeps them, so a change of the site's provider does not move
// invoices already issued, nor the account they are paid to.
const stampProvider = `UPDATE invoices SET
		provider_business_id = (SELECT p.business_id FROM sites s JOIN providers p ON p.id = s.provider_id WHERE s.id = invoices.site_id),
		provider_name = (SELECT p.name FROM sites s JOIN providers p ON p.id = s.provider_id WHERE s.id = invoices.site_id),
		provider_iban = (SELECT p.iban FROM sites s JOIN providers p ON p.id = s.provider_id WHERE s.id = invoices.site_id),
		provider_bic = (SELECT p.bic FROM sites s JOIN providers p ON p.id = s.provider_id WHERE s.id = invoices.site_id)
	WHERE provider_business_id IS NULL AND `

// fillIssuerAccount gives the invoices stamped with the business id of
// provider $1 that provider's account where theirs is still empty: a
// provider's IBAN often reaches the ERP after its first bills. The BIC
// follows only with the IBAN it belongs to. A provider without a business
// id or an IBAN fills nothing, and an invoice stamped with another
// business id is never touched.
const fillIssuerAccount = `UPDATE invoices SET
		provider_iban = CASE WHEN provider_iban = '' THEN (SELECT p.iban FROM providers p WHERE p.id = $1) ELSE provider_iban END,
		provider_bic = CASE WHEN provider_bic = '' AND provider_iban IN ('', (SELECT p.iban FROM providers p WHERE p.id = $1))
			THEN (SELECT p.bic FROM providers p WHERE p.id = $1) ELSE provider_bic END
	WHERE provider_business_id = (SELECT p.business_id FROM providers p WHERE p.id = $1 AND p.business_id <> '' AND p.iban <> '')
		AND (provider_iban = '' OR provider_bic = '')`

// fillIssuerAccounts runs fillIssuerAccount for each provider whose id is
// given, in the transaction that wrote them.
func (tx *Tx) fillIssuerAccounts(ctx context.Context, ids []int64) error {
	for _, id := range ids {
		if _, err := tx.exec(ctx, fillIssuerAccount, id); err != nil {
			return err
		}
	}
	return nil
}

// UpsertVisit writes a visit; a change of time or status bumps its
// sequence (for calendar feeds).
func (tx *Tx) UpsertVisit(ctx context.Context, v portal.Visit) (int64, error) {
	fee, reason := cancelFee(v)
	return tx.insert(ctx, visitInsert+`($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, $15, $15, $16, $17)`+visitConflict+
		` RETURNING id`, v.SiteID, nullID(v.ContractID), v.Source, v.ExternalID, v.StartsAt.UTC(), v.EndsAt.UTC(), string(v.Status),
		v.Service, v.WorkerFirstName, v.PriceCents, v.CustomerNote, v.ProviderNote, fee, reason, tx.now, v.ServiceSV, v.ServiceEN)
}

// cancelFee is the cancellation fee a written visit carries: none for a
// visit that is not cancelled, always free for the provider's
// cancellation, else what the writer knows (a customer's cancellation
// that came from the ERP: unknown). A visit whose status does not change
// keeps the fee it has (visitConflict).
func cancelFee(v portal.Visit) (int64, string) {
	switch {
	case !v.Status.Cancelled():
		return 0, string(portal.FeeUnknown)
	case v.Status == portal.VisitCancelledByProvider:
		return 0, string(portal.FeeFree)
	}
	return v.CancelFeeCents, string(v.CancelFeeReason)
}

// UpsertInvoice writes a billing summary and replaces its lines.
func (tx *Tx) UpsertInvoice(ctx context.Context, inv portal.Invoice) (int64, error) {
	id, err := tx.insert(ctx, invoiceInsert+`($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)`+
		invoiceConflict+` RETURNING id`, inv.CustomerID, inv.SiteID, inv.Source, inv.ExternalID, inv.Number, dateArg(inv.PeriodStart),
		dateArg(inv.PeriodEnd), dateArg(inv.IssuedOn), dateArg(inv.DueOn), dateArg(inv.PaidOn), string(inv.Status),
		inv.IsCreditNote, inv.TotalCents, inv.Reference, tx.now)
	if err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, stampProvider+`id = $1`, id); err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, `DELETE FROM invoice_lines WHERE invoice_id = $1`, id); err != nil {
		return 0, err
	}
	for _, l := range inv.Lines {
		if _, err := tx.exec(ctx, `INSERT INTO invoice_lines (invoice_id, position, description, performed_on, quantity_milli,
				unit_price_cents, vat_rate_bp, net_cents, vat_cents, total_cents, is_work, description_sv, description_en)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, id, l.Position, l.Description, dateArg(l.PerformedOn),
			l.QuantityMilli, l.UnitPriceCents, l.VATRateBP, l.NetCents, l.VATCents, l.TotalCents, l.IsWork,
			l.DescriptionSV, l.DescriptionEN); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// EnsureThread returns the message thread of a site, creating it if needed.
func (tx *Tx) EnsureThread(ctx context.Context, siteID int64) (int64, error) {
	return tx.insert(ctx, `INSERT INTO threads (site_id, created_at) VALUES ($1, $2)
		ON CONFLICT (site_id) DO UPDATE SET site_id = excluded.site_id RETURNING id`, siteID, tx.now)
}

// AddMessage appends a message to a thread.
func (tx *Tx) AddMessage(ctx context.Context, m portal.Message) (int64, error) {
	at := m.CreatedAt
	if at.IsZero() {
		at = tx.now
	}
	if m.Data == "" {
		m.Data = "{}"
	}
	return tx.insert(ctx, `INSERT INTO messages (thread_id, author_account_id, author_kind, author_name, body, kind, data,
		created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, m.ThreadID, nullID(m.AuthorAccountID), m.AuthorKind,
		m.AuthorName, m.Body, m.Kind, m.Data, at.UTC())
}

// UpsertFeedback writes feedback by its (source, external id): migrated or
// demo feedback, and the portal's own (one rating per visit).
func (tx *Tx) UpsertFeedback(ctx context.Context, f portal.Feedback) (int64, error) {
	var rating any
	if f.Rating > 0 {
		rating = f.Rating
	}
	created := f.CreatedAt
	if created.IsZero() {
		created = tx.now
	}
	return tx.insert(ctx, `INSERT INTO feedback (site_id, visit_id, author_account_id, source, external_id, rating, comment, reply,
			replied_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (source, external_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment,
			reply = excluded.reply, replied_at = excluded.replied_at, updated_at = excluded.updated_at
		RETURNING id`, f.SiteID, nullID(f.VisitID), nullID(f.AuthorAccountID), f.Source, f.ExternalID, rating, f.Comment, f.Reply,
		timeArg(f.RepliedAt), created.UTC(), tx.now)
}

// Payer is one payer of a deduction consent; the identity code arrives
// already encrypted.
type Payer struct {
	Name            string
	IdentityCodeEnc []byte
	ShareBP         int
}

// SetDeductionConsent writes the consent of a customer record and replaces
// its payers.
func (tx *Tx) SetDeductionConsent(ctx context.Context, customerID int64, enabled, migrated bool, textVersion string, payers []Payer) (int64, error) {
	id, err := tx.insert(ctx, `INSERT INTO deduction_consents (customer_id, enabled, text_version, migrated, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5)
		ON CONFLICT (customer_id) DO UPDATE SET enabled = excluded.enabled, text_version = excluded.text_version,
			updated_at = excluded.updated_at
		RETURNING id`, customerID, enabled, textVersion, migrated, tx.now)
	if err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, `DELETE FROM deduction_payers WHERE consent_id = $1`, id); err != nil {
		return 0, err
	}
	for i, p := range payers {
		if _, err := tx.exec(ctx, `INSERT INTO deduction_payers (consent_id, position, name, identity_code_enc, share_bp)
			VALUES ($1, $2, $3, $4, $5)`, id, i+1, p.Name, p.IdentityCodeEnc, p.ShareBP); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// IsEmpty reports whether the database holds no accounts, customers or
// providers (so demo data may be loaded).
func (tx *Tx) IsEmpty(ctx context.Context) (bool, error) {
	var n int64
	err := tx.queryRow(ctx, `SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM customers)
		+ (SELECT count(*) FROM providers)`).Scan(&n)
	return n == 0, mapErr(err)
}

// Count returns the number of rows of a table, for tests and reports. The
// name must be one of the schema's tables.
func (tx *Tx) Count(ctx context.Context, table string) (int64, error) {
	if !knownTables[table] {
		return 0, portal.ErrNotFound
	}
	var n int64
	err := tx.queryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n)
	return n, mapErr(err)
}

var knownTables = map[string]bool{
	"accounts": true, "sessions": true, "one_time_codes": true, "providers": true, "provider_staff": true,
	"chain_admins": true, "customers": true, "sites": true, "contracts": true, "visits": true, "threads": true,
	"messages": true, "read_markers": true, "invoices": true, "invoice_lines": true, "feedback": true,
	"deduction_consents": true, "deduction_payers": true, "deduction_rules": true, "chain_policies": true,
	"jobs": true, "audit_log": true, "changes": true, "portal_feedback": true, "calendar_feeds": true,
	"move_requests": true, "reminder_runs": true, "api_tokens": true, "vapid_keys": true, "push_subscriptions": true, "notification_preferences": true,
}

var _ = sql.ErrNoRows

// AddPortalFeedback stores feedback about the portal.
func (tx *Tx) AddPortalFeedback(ctx context.Context, f portal.PortalFeedback) (int64, error) {
	return tx.insert(ctx, `INSERT INTO portal_feedback (account_id, message, contact_allowed, contact_email, language, page, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, nullID(f.AccountID), f.Message, f.ContactAllowed, f.ContactEmail,
		f.Language, f.Page, tx.now)
}
