package store

import (
	"context"
	"database/sql"
	"time"

	"asiakassivu/internal/portal"
)

// Change is one row of the changes journal: something a person changed in
// the portal that the ERP must learn about, as stored. It is written from
// a portal.Event (AppendChange); Data is that event's JSON (EventData).
type Change struct {
	Seq        int64
	At         time.Time
	Kind       portal.EventKind
	Entity     string // table of the changed row
	EntityID   int64
	CustomerID int64
	SiteID     int64
	Data       string // JSON
	// Actor is who made the change on the customer's side, with their
	// role on the site (zero: the provider, the ERP or not recorded).
	Actor portal.Actor
}

// ChangeOf names whose records a change belongs to: the customer record
// and, when the change concerns one site, that site (0: none), and who
// made it on the customer's side (Actor; zero for the provider's changes).
// A feed limited to one provider keeps a change by them.
type ChangeOf struct {
	CustomerID int64
	SiteID     int64
	Actor      portal.Actor
}

// AppendChange adds event e to the changes journal, numbered from the
// counter row. Updating the counter locks it until this transaction ends,
// so numbers become visible in order and a reader paging by number never
// skips one.
func (tx *Tx) AppendChange(ctx context.Context, of ChangeOf, e portal.Event) (int64, error) {
	entity, id, data, err := encodeEvent(e)
	if err != nil {
		return 0, err
	}
	var seq int64
	if err := tx.queryRow(ctx, `UPDATE change_counter SET value = value + 1 WHERE id = 1 RETURNING value`).Scan(&seq); err != nil {
		return 0, mapErr(err)
	}
	_, err = tx.exec(ctx, `INSERT INTO changes (seq, at, kind, entity, entity_id, customer_id, site_id, data,
		actor_account_id, actor_name, actor_role)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, seq, tx.now, string(e.Kind()), entity, id, nullID(of.CustomerID),
		nullID(of.SiteID), data, nullID(of.Actor.AccountID), of.Actor.Name, string(of.Actor.Role))
	return seq, err
}

// ChangesAfter returns at most limit journal rows numbered above seq.
func (tx *Tx) ChangesAfter(ctx context.Context, seq int64, limit int) ([]Change, error) {
	rows, err := tx.query(ctx, `SELECT seq, at, kind, entity, entity_id, customer_id, site_id, data,
		actor_account_id, actor_name, actor_role FROM changes
		WHERE seq > $1 ORDER BY seq LIMIT $2`, seq, limit)
	return scanAll(rows, err, func(r *sql.Rows) (Change, error) {
		var c Change
		err := r.Scan(&c.Seq, timeCol{&c.At}, &c.Kind, &c.Entity, &c.EntityID, idCol{&c.CustomerID}, idCol{&c.SiteID}, &c.Data,
			idCol{&c.Actor.AccountID}, &c.Actor.Name, &c.Actor.Role)
		return c, err
	})
}

// AuditEntry is one row of the append-only audit log; it names what was
// touched, never the data itself.
type AuditEntry struct {
	ActorAccountID int64
	ActorRole      string
	Action         string
	CustomerID     int64
	SiteID         int64
	Detail         string
}

// Audit appends to the audit log.
func (tx *Tx) Audit(ctx context.Context, e AuditEntry) error {
	_, err := tx.exec(ctx, `INSERT INTO audit_log (at, actor_account_id, actor_role, action, customer_id, site_id, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, tx.now, nullID(e.ActorAccountID), e.ActorRole, e.Action, nullID(e.CustomerID),
		nullID(e.SiteID), e.Detail)
	return err
}

// LiveChange is a visit whose live status (C12) changed, as it is now,
// with the number of the journal row that told of the change.
type LiveChange struct {
	Seq   int64
	Visit portal.Visit
}

// LiveChangesAfter returns at most limit live-status changes (the
// journal's visit.departed, visit.arrived and visit.done rows) numbered
// above seq of the visits of sites within scope, oldest first, each with
// the visit as it is now. An open page's event stream reads them: the
// journal's numbers are its event ids, so a reconnecting page gets exactly
// what it missed. The walk starts from the journal's newest rows (its
// primary key), which is where an open page's seq points.
func (tx *Tx) LiveChangesAfter(ctx context.Context, scope Scope, seq int64, limit int) ([]LiveChange, error) {
	w, args := scope.where(3)
	rows, err := tx.query(ctx, `SELECT ch.seq, `+prefixCols("v", visitCols)+` FROM changes ch
		JOIN visits v ON v.id = ch.entity_id JOIN sites s ON s.id = v.site_id JOIN customers c ON c.id = s.customer_id
		WHERE ch.seq > $1 AND ch.entity = 'visits' AND ch.kind IN ('visit.departed', 'visit.arrived', 'visit.done')
		AND v.deleted_at IS NULL AND `+w+` ORDER BY ch.seq LIMIT $2`, append([]any{seq, limit}, args...)...)
	return scanAll(rows, err, func(r *sql.Rows) (LiveChange, error) {
		var c LiveChange
		err := r.Scan(append([]any{&c.Seq}, visitDest(&c.Visit)...)...)
		return c, mapErr(err)
	})
}

// LastChange is the number of the journal's newest row (0: none yet): an
// open page's live stream starts after it.
func (tx *Tx) LastChange(ctx context.Context) (int64, error) {
	var seq int64
	err := tx.queryRow(ctx, `SELECT value FROM change_counter WHERE id = 1`).Scan(&seq)
	return seq, mapErr(err)
}
