package store

import (
	"context"
	"database/sql"
	"time"

	"asiakassivu/internal/portal"
)

// ERPState is what the store keeps of the last copy of a row the ERP sent
// through the sync API: the ERP's own version of it and a digest of its
// content (so a repeated copy is told from a different one under the same
// version), and whether the ERP has deleted it.
type ERPState struct {
	ID        int64
	Version   int64
	Digest    string
	DeletedAt time.Time // zero while the row is live
}

// erpTables are the tables the sync API writes; the names are spliced into
// SQL, so only these are accepted.
var erpTables = map[string]bool{"providers": true, "customers": true, "sites": true, "contracts": true, "visits": true,
	"invoices": true}

// deletable reports whether the table has a deleted_at column (providers
// have none: the API does not delete them).
func deletable(table string) bool { return table != "providers" }

// ERPStateOf returns the state of the row of table keyed (source,
// externalID), or portal.ErrNotFound when there is none.
func (tx *Tx) ERPStateOf(ctx context.Context, table, source, externalID string) (ERPState, error) {
	if !erpTables[table] {
		return ERPState{}, portal.ErrNotFound
	}
	deleted := "NULL"
	if deletable(table) {
		deleted = "deleted_at"
	}
	var s ERPState
	err := tx.queryRow(ctx, `SELECT id, erp_version, erp_digest, `+deleted+` FROM `+table+`
		WHERE source = $1 AND external_id = $2`, source, externalID).Scan(&s.ID, &s.Version, &s.Digest, timeCol{&s.DeletedAt})
	return s, mapErr(err)
}

// SetERPState records the ERP copy just written to a row: its version and
// digest. A copy newer than the deletion brings a deleted row back, since
// the ERP re-sent it on purpose.
func (tx *Tx) SetERPState(ctx context.Context, table string, id, version int64, digest string) error {
	if !erpTables[table] {
		return portal.ErrNotFound
	}
	set := ""
	if deletable(table) {
		set = ", deleted_at = NULL"
	}
	res, err := tx.exec(ctx, `UPDATE `+table+` SET erp_version = $1, erp_digest = $2`+set+` WHERE id = $3`, version, digest, id)
	return affected(res, err)
}

// MarkERPDeleted marks a row deleted (once: a repeated deletion keeps the
// first time) and returns when it was deleted. Nothing is removed: invoices
// stay with the company for the accounting period, and the rows that point
// at the row keep their meaning.
func (tx *Tx) MarkERPDeleted(ctx context.Context, table string, id int64) (time.Time, error) {
	if !erpTables[table] || !deletable(table) {
		return time.Time{}, portal.ErrNotFound
	}
	var at time.Time
	err := tx.queryRow(ctx, `UPDATE `+table+` SET deleted_at = COALESCE(deleted_at, $1), updated_at = $1 WHERE id = $2
		RETURNING deleted_at`, tx.now, id).Scan(timeCol{&at})
	return at, mapErr(err)
}

// ERPProvidersOf returns the providers a row of a sync API table belongs
// to, by its sites: a provider itself; a site's provider; the provider of
// the site of a contract, visit or invoice; every provider with a site
// (deleted or not) of a customer record, none when it has no site yet.
func (tx *Tx) ERPProvidersOf(ctx context.Context, table string, id int64) ([]int64, error) {
	var q string
	switch table {
	case "providers":
		return []int64{id}, nil
	case "customers":
		q = `SELECT DISTINCT provider_id FROM sites WHERE customer_id = $1 ORDER BY provider_id`
	case "sites":
		q = `SELECT provider_id FROM sites WHERE id = $1`
	case "contracts", "visits", "invoices":
		q = `SELECT s.provider_id FROM ` + table + ` x JOIN sites s ON s.id = x.site_id WHERE x.id = $1`
	default:
		return nil, portal.ErrNotFound
	}
	rows, err := tx.query(ctx, q, id)
	return scanAll(rows, err, func(r *sql.Rows) (int64, error) {
		var p int64
		err := r.Scan(&p)
		return p, err
	})
}

// The Synced readers return a row by id whether or not it is deleted: they
// answer the ERP about its own records, never a portal page.

// SyncedProvider returns a provider by id.
func (tx *Tx) SyncedProvider(ctx context.Context, id int64) (portal.Provider, error) {
	var p portal.Provider
	err := tx.queryRow(ctx, `SELECT id, source, external_id, name, business_id, city, phone, email, active, iban, bic FROM providers
		WHERE id = $1`, id).Scan(&p.ID, &p.Source, &p.ExternalID, &p.Name, &p.BusinessID, &p.City, &p.Phone, &p.Email, &p.Active,
		&p.IBAN, &p.BIC)
	return p, mapErr(err)
}

// SyncedCustomer returns a customer record by id.
func (tx *Tx) SyncedCustomer(ctx context.Context, id int64) (portal.Customer, error) {
	var c portal.Customer
	err := tx.queryRow(ctx, `SELECT id, source, external_id, name, email, email_norm, phone FROM customers WHERE id = $1`, id).
		Scan(&c.ID, &c.Source, &c.ExternalID, &c.Name, &c.Email, &c.EmailNorm, &c.Phone)
	return c, mapErr(err)
}

// SyncedSite returns a site by id.
func (tx *Tx) SyncedSite(ctx context.Context, id int64) (portal.Site, error) {
	var s portal.Site
	err := tx.queryRow(ctx, `SELECT id, customer_id, provider_id, source, external_id, name, street, postal_code, city
		FROM sites WHERE id = $1`, id).Scan(&s.ID, &s.CustomerID, &s.ProviderID, &s.Source, &s.ExternalID, &s.Name, &s.Street,
		&s.PostalCode, &s.City)
	return s, mapErr(err)
}

// SyncedContract returns a contract by id.
func (tx *Tx) SyncedContract(ctx context.Context, id int64) (portal.Contract, error) {
	var c portal.Contract
	err := tx.queryRow(ctx, `SELECT `+contractCols+` FROM contracts WHERE id = $1`, id).Scan(contractDest(&c)...)
	return c, mapErr(err)
}

// SyncedVisit returns a visit by id.
func (tx *Tx) SyncedVisit(ctx context.Context, id int64) (portal.Visit, error) {
	return scanVisit(tx.queryRow(ctx, `SELECT `+visitCols+` FROM visits WHERE id = $1`, id))
}

// SyncedInvoice returns a billing summary by id, with its lines.
func (tx *Tx) SyncedInvoice(ctx context.Context, id int64) (portal.Invoice, error) {
	inv, err := scanInvoice(tx.queryRow(ctx, `SELECT `+invoiceCols+` FROM invoices WHERE id = $1`, id))
	if err != nil {
		return inv, err
	}
	inv.Lines, err = tx.InvoiceLines(ctx, id)
	return inv, err
}

// FeedChange is a journal row as the ERP reads it: with the ERP's own ids
// of the changed row, its site and customer record where those came from
// source (empty otherwise).
type FeedChange struct {
	Change
	EntityRef   string
	CustomerRef string
	SiteRef     string
}

// ChangesFeed returns at most limit journal rows numbered above seq, as
// ChangesAfter, with the external ids of source filled in. The numbers
// become visible in order (AppendChange), so paging by the last number
// seen neither skips nor repeats a row. A providerID other than 0 keeps
// only that provider's changes: those of its sites, and those of a
// customer record (no site) that has one of its sites.
func (tx *Tx) ChangesFeed(ctx context.Context, source string, seq int64, limit int, providerID int64) ([]FeedChange, error) {
	rows, err := tx.query(ctx, `SELECT ch.seq, ch.at, ch.kind, ch.entity, ch.entity_id, ch.customer_id, ch.site_id, ch.data,
		ch.actor_account_id, ch.actor_name, ch.actor_role,
		COALESCE(CASE ch.entity
			WHEN 'visits' THEN (SELECT x.external_id FROM visits x WHERE x.id = ch.entity_id AND x.source = $1)
			WHEN 'sites' THEN (SELECT x.external_id FROM sites x WHERE x.id = ch.entity_id AND x.source = $1)
			WHEN 'customers' THEN (SELECT x.external_id FROM customers x WHERE x.id = ch.entity_id AND x.source = $1)
			WHEN 'invoices' THEN (SELECT x.external_id FROM invoices x WHERE x.id = ch.entity_id AND x.source = $1)
			WHEN 'contracts' THEN (SELECT x.external_id FROM contracts x WHERE x.id = ch.entity_id AND x.source = $1)
			WHEN 'feedback' THEN (SELECT x.external_id FROM feedback x WHERE x.id = ch.entity_id AND x.source = $1)
		END, ''),
		COALESCE(CASE WHEN c.source = $1 THEN c.external_id END, ''),
		COALESCE(CASE WHEN s.source = $1 THEN s.external_id END, '')
		FROM changes ch LEFT JOIN customers c ON c.id = ch.customer_id LEFT JOIN sites s ON s.id = ch.site_id
		WHERE ch.seq > $2 AND ($4 = 0 OR s.provider_id = $4 OR (ch.site_id IS NULL
			AND EXISTS (SELECT 1 FROM sites s2 WHERE s2.customer_id = ch.customer_id AND s2.provider_id = $4)))
		ORDER BY ch.seq LIMIT $3`, source, seq, limit, providerID)
	return scanAll(rows, err, func(r *sql.Rows) (FeedChange, error) {
		var c FeedChange
		err := r.Scan(&c.Seq, timeCol{&c.At}, &c.Kind, &c.Entity, &c.EntityID, idCol{&c.CustomerID}, idCol{&c.SiteID}, &c.Data,
			idCol{&c.Actor.AccountID}, &c.Actor.Name, &c.Actor.Role, &c.EntityRef, &c.CustomerRef, &c.SiteRef)
		return c, err
	})
}

// APIToken is an integration's bearer token as stored: its SHA-256 only.
// ProviderID is its scope: 0 for every provider's records, else the one
// provider (ProviderRef: that provider's external id) it is limited to.
type APIToken struct {
	ID          int64
	Name        string
	ProviderID  int64
	ProviderRef string
	CreatedAt   time.Time
	LastUsedAt  time.Time
	RevokedAt   time.Time
}

// CreateAPIToken stores a new token under a name, limited to the provider
// providerID (0: all); portal.ErrConflict when a token in use already has
// the name.
func (tx *Tx) CreateAPIToken(ctx context.Context, name string, hash []byte, providerID int64) (int64, error) {
	return tx.insert(ctx, `INSERT INTO api_tokens (name, token_hash, created_at, provider_id) VALUES ($1, $2, $3, $4) RETURNING id`,
		name, hash, tx.now, nullID(providerID))
}

const apiTokenCols = `id, name, provider_id, COALESCE((SELECT p.external_id FROM providers p WHERE p.id = api_tokens.provider_id), ''),
	created_at, last_used_at, revoked_at`

func scanAPIToken(r interface{ Scan(...any) error }) (APIToken, error) {
	var t APIToken
	err := r.Scan(&t.ID, &t.Name, idCol{&t.ProviderID}, &t.ProviderRef, timeCol{&t.CreatedAt}, timeCol{&t.LastUsedAt},
		timeCol{&t.RevokedAt})
	return t, mapErr(err)
}

// APITokenByHash returns the token that is not revoked and has the hash,
// or portal.ErrNotFound.
func (tx *Tx) APITokenByHash(ctx context.Context, hash []byte) (APIToken, error) {
	return scanAPIToken(tx.queryRow(ctx, `SELECT `+apiTokenCols+` FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
		hash))
}

// APITokens lists every token, revoked ones too, oldest first.
func (tx *Tx) APITokens(ctx context.Context) ([]APIToken, error) {
	rows, err := tx.query(ctx, `SELECT `+apiTokenCols+` FROM api_tokens ORDER BY id`)
	return scanAll(rows, err, func(r *sql.Rows) (APIToken, error) { return scanAPIToken(r) })
}

// TouchAPIToken records that a token was used now.
func (tx *Tx) TouchAPIToken(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, tx.now, id)
	return mapErr(err)
}

// RevokeAPIToken revokes the token in use with the id, or else the one in
// use with the name; portal.ErrNotFound when there is none.
func (tx *Tx) RevokeAPIToken(ctx context.Context, id int64, name string) (APIToken, error) {
	return scanAPIToken(tx.queryRow(ctx, `UPDATE api_tokens SET revoked_at = $1
		WHERE revoked_at IS NULL AND (id = $2 OR ($2 = 0 AND name = $3)) RETURNING `+apiTokenCols, tx.now, id, name))
}

// LockKey holds a lock on key until the transaction ends, so that two
// writes of the same record take turns even while the row does not exist
// yet. On PostgreSQL it is a transaction-scoped advisory lock; SQLite's
// write transactions already take turns (one writer, BEGIN IMMEDIATE).
func (tx *Tx) LockKey(ctx context.Context, key string) error {
	if tx.db.engine != Postgres {
		return nil
	}
	_, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key)
	return err
}
