package store

import (
	"context"
	"database/sql"
	"math"
	"slices"
	"time"

	"asiakassivu/internal/portal"
)

// messageCols are read from messages m joined with their threads t.
const messageCols = `m.id, m.thread_id, t.site_id, m.author_account_id, m.author_kind, m.author_name, m.body, m.kind, m.data,
	m.created_at`

func scanMessage(r interface{ Scan(...any) error }) (portal.Message, error) {
	var m portal.Message
	err := r.Scan(&m.ID, &m.ThreadID, &m.SiteID, idCol{&m.AuthorAccountID}, &m.AuthorKind, &m.AuthorName, &m.Body, &m.Kind,
		&m.Data, timeCol{&m.CreatedAt})
	return m, mapErr(err)
}

// ThreadPage returns at most limit messages of a site's thread written
// before the message numbered before (0: the newest), oldest first.
func (tx *Tx) ThreadPage(ctx context.Context, siteID, before int64, limit int) ([]portal.Message, error) {
	q := `SELECT ` + messageCols + ` FROM messages m JOIN threads t ON t.id = m.thread_id WHERE t.site_id = $1`
	args := []any{siteID, limit}
	if before > 0 {
		q += ` AND m.id < $3`
		args = append(args, before)
	}
	rows, err := tx.query(ctx, q+` ORDER BY m.id DESC LIMIT $2`, args...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (portal.Message, error) { return scanMessage(r) })
	slices.Reverse(out)
	return out, err
}

// MessagesAfter returns at most limit messages of a site's thread numbered
// above after, oldest first: what a live page has not shown yet.
func (tx *Tx) MessagesAfter(ctx context.Context, siteID, after int64, limit int) ([]portal.Message, error) {
	rows, err := tx.query(ctx, `SELECT `+messageCols+` FROM messages m JOIN threads t ON t.id = m.thread_id
		WHERE t.site_id = $1 AND m.id > $2 ORDER BY m.id LIMIT $3`, siteID, after, limit)
	return scanAll(rows, err, func(r *sql.Rows) (portal.Message, error) { return scanMessage(r) })
}

// MessageByID returns one message.
func (tx *Tx) MessageByID(ctx context.Context, id int64) (portal.Message, error) {
	return scanMessage(tx.queryRow(ctx, `SELECT `+messageCols+` FROM messages m JOIN threads t ON t.id = m.thread_id
		WHERE m.id = $1`, id))
}

// MarkRead moves an account's read marker of a site's thread up to
// message upTo (never back).
func (tx *Tx) MarkRead(ctx context.Context, threadID, accountID, upTo int64) error {
	_, err := tx.exec(ctx, `INSERT INTO read_markers (thread_id, account_id, last_read_message_id, updated_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (thread_id, account_id) DO UPDATE
		SET last_read_message_id = excluded.last_read_message_id, updated_at = excluded.updated_at
		WHERE read_markers.last_read_message_id < excluded.last_read_message_id`, threadID, accountID, upTo, tx.now)
	return mapErr(err)
}

// ReadBy reports whether any of the accounts has read the thread up to
// message id.
func (tx *Tx) ReadBy(ctx context.Context, threadID, messageID int64, accounts []int64) (bool, error) {
	for _, a := range accounts {
		var n int64
		if err := tx.QueryInt(ctx, `SELECT count(*) FROM read_markers WHERE thread_id = $1 AND account_id = $2
			AND last_read_message_id >= $3`, &n, threadID, a, messageID); err != nil {
			return false, err
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

// ClaimThreadEmail records that a side ("customer" or "provider") of a
// thread is being emailed now, unless it was emailed within the last
// window; ok is false then.
func (tx *Tx) ClaimThreadEmail(ctx context.Context, threadID int64, side string, window time.Duration) (ok bool, err error) {
	col := "customer_emailed_at"
	if side == "provider" {
		col = "provider_emailed_at"
	}
	res, err := tx.exec(ctx, `UPDATE threads SET `+col+` = $1 WHERE id = $2 AND (`+col+` IS NULL OR `+col+` <= $3)`,
		tx.now, threadID, tx.now.Add(-window))
	if err != nil {
		return false, mapErr(err)
	}
	n, err := res.RowsAffected()
	return n > 0, mapErr(err)
}

// AuthorName is the name a customer account writes under: the name on
// the oldest customer record with its address; portal.ErrNotFound when it
// has none.
func (tx *Tx) AuthorName(ctx context.Context, emailNorm string) (string, error) {
	var name string
	err := tx.queryRow(ctx, `SELECT name FROM customers WHERE email_norm = $1 AND deleted_at IS NULL ORDER BY id LIMIT 1`, emailNorm).Scan(&name)
	return name, mapErr(err)
}

// StaffName is the name a staff member writes under; portal.ErrNotFound
// for an account that is not staff.
func (tx *Tx) StaffName(ctx context.Context, accountID int64) (string, error) {
	var name string
	err := tx.queryRow(ctx, `SELECT name FROM provider_staff WHERE account_id = $1`, accountID).Scan(&name)
	return name, mapErr(err)
}

// StaffOf lists the active staff accounts of a provider.
func (tx *Tx) StaffOf(ctx context.Context, providerID int64) ([]int64, error) {
	rows, err := tx.query(ctx, `SELECT account_id FROM provider_staff WHERE provider_id = $1 AND active ORDER BY account_id`, providerID)
	return scanAll(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
}

// inboxThreads selects the threads of provider $1 with messages, with a
// read marker of account $2 joined as rm; the thread's site must still be
// the provider's (the thread's own provider_id, kept by a trigger, only
// narrows the walk).
const inboxThreads = `FROM threads t LEFT JOIN read_markers rm ON rm.thread_id = t.id AND rm.account_id = $2
	JOIN sites s ON s.id = t.site_id JOIN customers c ON c.id = s.customer_id
	WHERE t.provider_id = $1 AND s.provider_id = $1 AND t.last_message_id IS NOT NULL
	AND s.deleted_at IS NULL AND c.deleted_at IS NULL`

// inboxUnread is true for a thread with customer messages the account has
// not read.
const inboxUnread = `t.last_customer_message_id > COALESCE(rm.last_read_message_id, 0)`

// ProviderInbox lists the threads of a provider's sites that have
// messages, either those with customer messages unread by the account or
// the others, the latest first, at most limit of them; before > 0 starts
// after the thread whose newest message is before (keyset paging: any
// page is one walk of the index threads_provider_last, migration 00024,
// from that key on, not past all the pages before it). Unread messages
// are counted for the page's threads only.
func (tx *Tx) ProviderInbox(ctx context.Context, providerID, accountID int64, unread bool, limit int, before int64) ([]portal.ThreadSummary, error) {
	which := inboxUnread
	if !unread {
		which = `NOT (` + inboxUnread + `) OR t.last_customer_message_id IS NULL`
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	rows, err := tx.query(ctx, `SELECT s.id, s.name, s.street, s.city, c.name, last.created_at, last.body, last.author_kind,
		(SELECT count(*) FROM messages u WHERE u.thread_id = t.id AND u.author_kind = 'customer'
			AND u.id > COALESCE(rm.last_read_message_id, 0)) AS unread, t.last_message_id
		FROM threads t JOIN sites s ON s.id = t.site_id JOIN customers c ON c.id = s.customer_id
		JOIN messages last ON last.id = t.last_message_id
		LEFT JOIN read_markers rm ON rm.thread_id = t.id AND rm.account_id = $2
		WHERE t.id IN (SELECT t.id `+inboxThreads+` AND t.last_message_id < $4 AND (`+which+`)
			ORDER BY t.last_message_id DESC LIMIT $3)
		ORDER BY t.last_message_id DESC`, providerID, accountID, limit, before)
	return scanAll(rows, err, func(r *sql.Rows) (portal.ThreadSummary, error) {
		var s portal.ThreadSummary
		err := r.Scan(&s.SiteID, &s.SiteName, &s.Street, &s.City, &s.CustomerName, timeCol{&s.LastAt}, &s.LastBody, &s.LastKind,
			&s.Unread, &s.LastMessageID)
		return s, err
	})
}

// LastVisitEnd returns when the last visit of a site ends (zero when it
// has none).
func (tx *Tx) LastVisitEnd(ctx context.Context, siteID int64) (time.Time, error) {
	var t time.Time
	err := tx.queryRow(ctx, `SELECT max(ends_at) FROM visits WHERE site_id = $1 AND deleted_at IS NULL AND status NOT IN
		('cancelled_customer', 'cancelled_provider')`, siteID).Scan(timeCol{&t})
	return t, mapErr(err)
}

// CustomerByID returns a customer record.
func (tx *Tx) CustomerByID(ctx context.Context, id int64) (portal.Customer, error) {
	var c portal.Customer
	err := tx.queryRow(ctx, `SELECT id, source, external_id, name, email, email_norm, phone FROM customers WHERE id = $1 AND deleted_at IS NULL`, id).
		Scan(&c.ID, &c.Source, &c.ExternalID, &c.Name, &c.Email, &c.EmailNorm, &c.Phone)
	return c, mapErr(err)
}
