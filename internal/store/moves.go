package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"asiakassivu/internal/portal"
)

const moveCols = `id, visit_id, account_id, status, option1_at, option2_at, option3_at, message, answer, chosen_at,
	answered_at, created_at, actor_name, actor_role`

func scanMove(r interface{ Scan(...any) error }) (portal.MoveRequest, error) {
	var m portal.MoveRequest
	var opts [3]time.Time
	err := r.Scan(&m.ID, &m.VisitID, idCol{&m.AccountID}, &m.Status, timeCol{&opts[0]}, timeCol{&opts[1]}, timeCol{&opts[2]},
		&m.Message, &m.Answer, timeCol{&m.ChosenAt}, timeCol{&m.AnsweredAt}, timeCol{&m.CreatedAt},
		&m.By.Name, &m.By.Role)
	m.By.AccountID = m.AccountID
	for _, o := range opts {
		if !o.IsZero() {
			m.Options = append(m.Options, o)
		}
	}
	return m, mapErr(err)
}

// LatestMoveRequest returns the newest move request of a visit, or
// portal.ErrNotFound when there is none.
func (tx *Tx) LatestMoveRequest(ctx context.Context, visitID int64) (portal.MoveRequest, error) {
	return scanMove(tx.queryRow(ctx, `SELECT `+moveCols+` FROM move_requests WHERE visit_id = $1 ORDER BY id DESC LIMIT 1`, visitID))
}

// CreateMoveRequest stores a pending move request, asked by m.By (its
// account is m.AccountID); a pending one of the same visit is marked
// replaced first, so at most one stays pending.
func (tx *Tx) CreateMoveRequest(ctx context.Context, m portal.MoveRequest) (int64, error) {
	if _, err := tx.exec(ctx, `UPDATE move_requests SET status = 'replaced' WHERE visit_id = $1 AND status = 'pending'`,
		m.VisitID); err != nil {
		return 0, mapErr(err)
	}
	var opts [3]time.Time
	copy(opts[:], m.Options)
	return tx.insert(ctx, `INSERT INTO move_requests (visit_id, account_id, status, option1_at, option2_at, option3_at,
		message, created_at, actor_name, actor_role) VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		m.VisitID, nullID(m.AccountID), timeArg(opts[0]), timeArg(opts[1]), timeArg(opts[2]), m.Message, tx.now,
		m.By.Name, string(m.By.Role))
}

// AnswerMoveRequest records the provider's answer to a pending request:
// accepted (with the chosen start) or declined (with an optional note). It
// fails with portal.ErrConflict when the request is no longer pending.
func (tx *Tx) AnswerMoveRequest(ctx context.Context, id int64, status portal.MoveStatus, chosen time.Time, answer string, by int64) error {
	res, err := tx.exec(ctx, `UPDATE move_requests SET status = $1, chosen_at = $2, answer = $3, answered_by = $4,
		answered_at = $5 WHERE id = $6 AND status = 'pending'`, status, timeArg(chosen), answer, nullID(by), tx.now, id)
	if err := affected(res, err); errors.Is(err, portal.ErrNotFound) {
		return portal.ErrConflict
	} else if err != nil {
		return err
	}
	return nil
}

// CloseMoveRequests closes a visit's pending request, because the visit
// was changed in another way (moved, cancelled, done).
func (tx *Tx) CloseMoveRequests(ctx context.Context, visitID int64) error {
	_, err := tx.exec(ctx, `UPDATE move_requests SET status = 'closed', answered_at = $1
		WHERE visit_id = $2 AND status = 'pending'`, tx.now, visitID)
	return mapErr(err)
}

// changeVisit runs an update of one visit that must still be at the given
// sequence and in one of the open statuses; it bumps the sequence (which
// calendar apps and the customer's cancel form rely on) and fails with
// portal.ErrConflict when the visit changed meanwhile.
func (tx *Tx) changeVisit(ctx context.Context, visitID int64, sequence int, set string, args ...any) error {
	n := len(args)
	q := `UPDATE visits SET ` + set + `, sequence = sequence + 1, updated_at = $` + strconv.Itoa(n+1) +
		` WHERE id = $` + strconv.Itoa(n+2) + ` AND sequence = $` + strconv.Itoa(n+3) + ` AND status IN ('planned', 'confirmed', 'in_progress')`
	res, err := tx.exec(ctx, q, append(args, tx.now, visitID, sequence)...)
	if err := affected(res, err); errors.Is(err, portal.ErrNotFound) {
		return portal.ErrConflict
	} else if err != nil {
		return err
	}
	return nil
}

// RescheduleVisit moves a visit to new start and end times. A worker's
// "on the way" belonged to the old time and is forgotten.
func (tx *Tx) RescheduleVisit(ctx context.Context, visitID int64, sequence int, start, end time.Time) error {
	return tx.changeVisit(ctx, visitID, sequence, `starts_at = $1, ends_at = $2, departed_at = NULL, arrival_estimate = NULL`,
		start.UTC(), end.UTC())
}

// CancelVisitByProvider cancels a visit for the provider; the reason is
// shown to the customer as the provider's note. A provider's cancellation
// is never charged: its fee is stored as 0, free.
func (tx *Tx) CancelVisitByProvider(ctx context.Context, visitID int64, sequence int, reason string) error {
	return tx.changeVisit(ctx, visitID, sequence, `status = 'cancelled_provider', provider_note = $1, cancel_fee_cents = 0,
		cancel_fee_reason = $2`, reason, string(portal.FeeFree))
}

// MarkVisitDone marks a visit done at the transaction's time, with the
// worker's note to the customer (may be empty).
func (tx *Tx) MarkVisitDone(ctx context.Context, visitID int64, sequence int, note string) error {
	return tx.changeVisit(ctx, visitID, sequence, `status = 'done', done_at = $1, done_note = $2`, tx.now, note)
}

// DepartVisit records that the worker set off to a visit at the
// transaction's time, expecting to arrive at estimate (zero: none).
func (tx *Tx) DepartVisit(ctx context.Context, visitID int64, sequence int, estimate time.Time) error {
	return tx.changeVisit(ctx, visitID, sequence, `departed_at = $1, arrival_estimate = $2`, tx.now, timeArg(estimate))
}

// ArriveVisit records that the worker arrived at the transaction's time:
// the visit is in progress.
func (tx *Tx) ArriveVisit(ctx context.Context, visitID int64, sequence int) error {
	return tx.changeVisit(ctx, visitID, sequence, `status = 'in_progress', arrived_at = $1`, tx.now)
}

// PostSystemMessage adds a system message (author kind "system") to a
// site's thread, starting the thread when the site has none yet.
func (tx *Tx) PostSystemMessage(ctx context.Context, siteID int64, m portal.Message) (int64, error) {
	thread, err := tx.EnsureThread(ctx, siteID)
	if err != nil {
		return 0, err
	}
	m.ThreadID, m.AuthorKind, m.AuthorAccountID = thread, "system", 0
	return tx.AddMessage(ctx, m)
}
