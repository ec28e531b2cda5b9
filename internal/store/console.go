package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
)

// The chain admin's console: providers, their staff and invitations, the
// portal-feedback inbox and the audit log. Who may call these is decided
// in app.

const providerCols = `p.id, p.source, p.external_id, p.name, p.business_id, p.city, p.phone, p.email, p.active`

func scanProviderCols(r interface{ Scan(...any) error }, p *portal.Provider, more ...any) error {
	return r.Scan(append([]any{&p.ID, &p.Source, &p.ExternalID, &p.Name, &p.BusinessID, &p.City, &p.Phone, &p.Email, &p.Active},
		more...)...)
}

// Providers lists every provider, active ones first, then by name.
func (tx *Tx) Providers(ctx context.Context) ([]portal.ProviderSummary, error) {
	rows, err := tx.query(ctx, `SELECT `+providerCols+`,
		(SELECT COUNT(*) FROM provider_staff s WHERE s.provider_id = p.id AND s.active),
		(SELECT COUNT(*) FROM sites t WHERE t.provider_id = p.id)
		FROM providers p ORDER BY p.active DESC, LOWER(p.name), p.id`)
	return scanAll(rows, err, func(r *sql.Rows) (portal.ProviderSummary, error) {
		var p portal.ProviderSummary
		err := scanProviderCols(r, &p.Provider, &p.Staff, &p.Sites)
		return p, err
	})
}

// ProviderByID returns a provider or portal.ErrNotFound.
func (tx *Tx) ProviderByID(ctx context.Context, id int64) (portal.Provider, error) {
	var p portal.Provider
	err := scanProviderCols(tx.queryRow(ctx, `SELECT `+providerCols+` FROM providers p WHERE p.id = $1`, id), &p)
	return p, mapErr(err)
}

// CreateProvider inserts a new provider; portal.ErrConflict when its
// (source, external id) is taken.
func (tx *Tx) CreateProvider(ctx context.Context, p portal.Provider) (int64, error) {
	return tx.insert(ctx, `INSERT INTO providers (source, external_id, name, business_id, city, phone, email, active, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		p.Source, p.ExternalID, p.Name, p.BusinessID, p.City, p.Phone, p.Email, p.Active, tx.now)
}

// UpdateProviderContact replaces a provider's name and contact details;
// its ids and active flag stay.
func (tx *Tx) UpdateProviderContact(ctx context.Context, p portal.Provider) error {
	res, err := tx.exec(ctx, `UPDATE providers SET name = $1, business_id = $2, city = $3, phone = $4, email = $5, updated_at = $6
		WHERE id = $7`, p.Name, p.BusinessID, p.City, p.Phone, p.Email, tx.now, p.ID)
	return affected(res, err)
}

// SetProviderActive turns a provider on or off. The staff of an inactive
// provider are no staff (see roleCols).
func (tx *Tx) SetProviderActive(ctx context.Context, id int64, active bool) error {
	res, err := tx.exec(ctx, `UPDATE providers SET active = $1, updated_at = $2 WHERE id = $3`, active, tx.now, id)
	return affected(res, err)
}

const staffCols = `s.id, s.provider_id, s.account_id, a.email, s.name, s.active, s.created_at`

func scanStaff(r interface{ Scan(...any) error }) (portal.StaffMember, error) {
	var m portal.StaffMember
	err := r.Scan(&m.ID, &m.ProviderID, &m.AccountID, &m.Email, &m.Name, &m.Active, timeCol{&m.CreatedAt})
	return m, mapErr(err)
}

// StaffMembers lists a provider's staff, active ones first.
func (tx *Tx) StaffMembers(ctx context.Context, providerID int64) ([]portal.StaffMember, error) {
	rows, err := tx.query(ctx, `SELECT `+staffCols+` FROM provider_staff s JOIN accounts a ON a.id = s.account_id
		WHERE s.provider_id = $1 ORDER BY s.active DESC, LOWER(s.name), a.email_norm`, providerID)
	return scanAll(rows, err, func(r *sql.Rows) (portal.StaffMember, error) { return scanStaff(r) })
}

// StaffByAccount returns the staff row of an account (of any provider,
// active or not) or portal.ErrNotFound.
func (tx *Tx) StaffByAccount(ctx context.Context, accountID int64) (portal.StaffMember, error) {
	return scanStaff(tx.queryRow(ctx, `SELECT `+staffCols+` FROM provider_staff s JOIN accounts a ON a.id = s.account_id
		WHERE s.account_id = $1`, accountID))
}

// PutStaff makes an account an active staff member of a provider. An
// account is staff of one provider at most (provider_staff.account_id is
// unique), so an existing row is moved and reactivated.
func (tx *Tx) PutStaff(ctx context.Context, providerID, accountID int64, name string) error {
	_, err := tx.exec(ctx, `INSERT INTO provider_staff (provider_id, account_id, name, active, created_at)
		VALUES ($1, $2, $3, TRUE, $4)
		ON CONFLICT (account_id) DO UPDATE SET provider_id = excluded.provider_id, name = excluded.name, active = TRUE`,
		providerID, accountID, name, tx.now)
	return mapErr(err)
}

// SetStaffActive turns a provider's staff member on or off;
// portal.ErrNotFound when the row is not that provider's.
func (tx *Tx) SetStaffActive(ctx context.Context, providerID, staffID int64, active bool) error {
	res, err := tx.exec(ctx, `UPDATE provider_staff SET active = $1 WHERE id = $2 AND provider_id = $3`, active, staffID, providerID)
	return affected(res, err)
}

// PutStaffInvite records the open invitation of an address, replacing an
// earlier open one (there is at most one per address).
func (tx *Tx) PutStaffInvite(ctx context.Context, in portal.StaffInvite) (int64, error) {
	norm := emailaddr.Normalize(in.Email)
	if _, err := tx.exec(ctx, `DELETE FROM staff_invites WHERE email_norm = $1 AND accepted_at IS NULL`, norm); err != nil {
		return 0, err
	}
	return tx.insert(ctx, `INSERT INTO staff_invites (email, email_norm, provider_id, name, invited_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, in.Email, norm, in.ProviderID, in.Name, nullID(in.InvitedBy), tx.now)
}

// OpenInvites lists a provider's invitations not yet accepted, newest first.
func (tx *Tx) OpenInvites(ctx context.Context, providerID int64) ([]portal.StaffInvite, error) {
	rows, err := tx.query(ctx, `SELECT id, email, provider_id, name, invited_by, created_at FROM staff_invites
		WHERE provider_id = $1 AND accepted_at IS NULL ORDER BY created_at DESC, id DESC`, providerID)
	return scanAll(rows, err, func(r *sql.Rows) (portal.StaffInvite, error) {
		var in portal.StaffInvite
		err := r.Scan(&in.ID, &in.Email, &in.ProviderID, &in.Name, idCol{&in.InvitedBy}, timeCol{&in.CreatedAt})
		return in, err
	})
}

// AcceptStaffInvite makes the account staff of the provider that invited
// its address, when an open invitation of an active provider exists, and
// marks it accepted. It returns the invitation, or portal.ErrNotFound when
// there is none.
func (tx *Tx) AcceptStaffInvite(ctx context.Context, accountID int64, emailNorm string) (portal.StaffInvite, error) {
	var in portal.StaffInvite
	err := tx.queryRow(ctx, `SELECT i.id, i.email, i.provider_id, i.name, i.invited_by, i.created_at
		FROM staff_invites i JOIN providers p ON p.id = i.provider_id
		WHERE i.email_norm = $1 AND i.accepted_at IS NULL AND p.active`, emailNorm).
		Scan(&in.ID, &in.Email, &in.ProviderID, &in.Name, idCol{&in.InvitedBy}, timeCol{&in.CreatedAt})
	if err != nil {
		return portal.StaffInvite{}, mapErr(err)
	}
	if err := tx.PutStaff(ctx, in.ProviderID, accountID, in.Name); err != nil {
		return portal.StaffInvite{}, err
	}
	_, err = tx.exec(ctx, `UPDATE staff_invites SET accepted_at = $1, account_id = $2 WHERE id = $3`, tx.now, accountID, in.ID)
	return in, err
}

// PortalFeedbackPage returns up to limit portal feedback rows, newest
// first, after skipping offset.
func (tx *Tx) PortalFeedbackPage(ctx context.Context, limit, offset int) ([]portal.PortalFeedback, error) {
	rows, err := tx.query(ctx, `SELECT f.id, f.account_id, COALESCE(a.email, ''), f.message, f.contact_allowed, f.contact_email,
		f.language, f.page, f.created_at FROM portal_feedback f LEFT JOIN accounts a ON a.id = f.account_id
		ORDER BY f.created_at DESC, f.id DESC LIMIT $1 OFFSET $2`, limit, offset)
	return scanAll(rows, err, func(r *sql.Rows) (portal.PortalFeedback, error) {
		var f portal.PortalFeedback
		err := r.Scan(&f.ID, idCol{&f.AccountID}, &f.AccountEmail, &f.Message, &f.ContactAllowed, &f.ContactEmail,
			&f.Language, &f.Page, timeCol{&f.CreatedAt})
		return f, err
	})
}

// AuditFilter narrows the audit log. Empty fields do not filter.
type AuditFilter struct {
	// Actor matches part of the acting account's normalised address.
	Actor string
	// CustomerID matches the customer exactly; CustomerName part of the
	// customer's name, case-insensitively (ASCII case only on SQLite).
	CustomerID   int64
	CustomerName string
	// From and Until bound the time: From ≤ at < Until.
	From, Until time.Time
}

// likePattern makes a LIKE pattern (escape \) that finds s anywhere.
func likePattern(s string) string {
	if s == "" {
		return ""
	}
	var b []rune
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			b = append(b, '\\')
		}
		b = append(b, r)
	}
	return "%" + string(b) + "%"
}

// AuditLog returns up to limit entries matching f, newest first, after
// skipping offset. One SQL text serves every filter (an empty parameter
// switches its condition off), so the statement is prepared once.
func (tx *Tx) AuditLog(ctx context.Context, f AuditFilter, limit, offset int) ([]portal.AuditEntry, error) {
	from, until := f.From, f.Until
	if from.IsZero() {
		from = time.Unix(0, 0)
	}
	if until.IsZero() {
		until = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	rows, err := tx.query(ctx, `SELECT l.id, l.at, l.actor_account_id, COALESCE(a.email, ''), l.actor_role, l.action,
		l.customer_id, COALESCE(c.name, ''), l.site_id, l.detail
		FROM audit_log l LEFT JOIN accounts a ON a.id = l.actor_account_id LEFT JOIN customers c ON c.id = l.customer_id
		WHERE (CAST($1 AS TEXT) = '' OR a.email_norm LIKE CAST($1 AS TEXT) ESCAPE '\')
		AND (CAST($2 AS BIGINT) = 0 OR l.customer_id = CAST($2 AS BIGINT))
		AND (CAST($3 AS TEXT) = '' OR LOWER(c.name) LIKE CAST($3 AS TEXT) ESCAPE '\')
		AND l.at >= $4 AND l.at < $5
		ORDER BY l.at DESC, l.id DESC LIMIT $6 OFFSET $7`,
		likePattern(emailaddr.Normalize(f.Actor)), f.CustomerID, likePattern(strings.ToLower(strings.TrimSpace(f.CustomerName))), from.UTC(), until.UTC(), limit, offset)
	return scanAll(rows, err, func(r *sql.Rows) (portal.AuditEntry, error) {
		var e portal.AuditEntry
		err := r.Scan(&e.ID, timeCol{&e.At}, idCol{&e.ActorAccountID}, &e.ActorEmail, &e.ActorRole, &e.Action,
			idCol{&e.CustomerID}, &e.CustomerName, idCol{&e.SiteID}, &e.Detail)
		return e, err
	})
}

// IsAdmin reports whether an account is a chain admin.
func (tx *Tx) IsAdmin(ctx context.Context, accountID int64) (bool, error) {
	var n int64
	err := tx.QueryInt(ctx, `SELECT COUNT(*) FROM chain_admins WHERE account_id = $1`, &n, accountID)
	return n > 0, err
}
