package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"asiakassivu/internal/portal"
)

// The outbox: background work (mail, push) is written as a job in the same
// transaction as the change that causes it, and a worker (package jobs)
// takes one job at a time under a lease. A lease that runs out (the worker
// crashed) lets another worker take the job again, so delivery is at least
// once. A finished job has done_at set; a job given up on also has
// last_error set (CompleteJob clears it).

// Job is one unit of background work as stored.
type Job struct {
	ID         int64
	Kind       string
	Payload    []byte
	RunAt      time.Time
	Attempts   int // claims so far, this one included
	LeaseUntil time.Time
	LeasedBy   string
	LastError  string
	CreatedAt  time.Time
	DoneAt     time.Time
}

// Failed reports whether the job was given up on.
func (j Job) Failed() bool { return !j.DoneAt.IsZero() && j.LastError != "" }

const jobColumns = `id, kind, payload, run_at, attempts, lease_until, leased_by, last_error, created_at, done_at`

func scanJob(r interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var payload string
	err := r.Scan(&j.ID, &j.Kind, &payload, timeCol{&j.RunAt}, &j.Attempts, timeCol{&j.LeaseUntil}, &j.LeasedBy,
		&j.LastError, timeCol{&j.CreatedAt}, timeCol{&j.DoneAt})
	j.Payload = []byte(payload)
	return j, err
}

// maxJobError bounds the error text kept with a job.
const maxJobError = 2000

// EnqueueJob writes a job that becomes due at runAt (now when zero). Call
// it in the transaction of the change that causes the work, so that both
// commit or neither. The payload is stored as text: it must be UTF-8 (JSON
// is) without NUL bytes.
func (tx *Tx) EnqueueJob(ctx context.Context, kind string, payload []byte, runAt time.Time) (int64, error) {
	if kind == "" {
		return 0, errors.New("enqueue job: empty kind")
	}
	if !utf8.Valid(payload) || strings.ContainsRune(string(payload), 0) {
		return 0, fmt.Errorf("enqueue job %s: payload is not UTF-8 text", kind)
	}
	if runAt.IsZero() {
		runAt = tx.now
	}
	id, err := tx.insert(ctx, `INSERT INTO jobs (kind, payload, run_at, attempts, leased_by, last_error, created_at)
		VALUES ($1, $2, $3, 0, '', '', $4) RETURNING id`, kind, string(payload), runAt.UTC().Truncate(time.Microsecond), tx.now)
	if err != nil {
		return 0, fmt.Errorf("enqueue job %s: %w", kind, err)
	}
	return id, nil
}

// JobByID returns a job, or portal.ErrNotFound.
func (tx *Tx) JobByID(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(tx.queryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	return j, mapErr(err)
}

// dueJobs is the condition for a job that may be claimed at $1 (kinds
// follow from $2 on): due, not done, and not leased or its lease run out.
func dueJobs(kinds []string) (string, []any) {
	where := `done_at IS NULL AND run_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)`
	var args []any
	if len(kinds) > 0 {
		ph := make([]string, len(kinds))
		for i, k := range kinds {
			ph[i] = "$" + strconv.Itoa(i+2)
			args = append(args, k)
		}
		where += ` AND kind IN (` + strings.Join(ph, ", ") + `)`
	}
	return where, args
}

// ClaimJob takes the oldest due job of one of kinds (any kind when kinds is
// empty) for worker: it leases the job until now+lease and counts the
// attempt, in a short transaction of its own. Returns portal.ErrNotFound
// when no job is due. No two workers hold a job at once: PostgreSQL skips
// rows another claimer has locked (FOR UPDATE SKIP LOCKED); SQLite has a
// single writer connection whose transactions begin IMMEDIATE, so claims
// run one after the other.
func (db *DB) ClaimJob(ctx context.Context, worker string, kinds []string, lease time.Duration) (Job, error) {
	if worker == "" || lease <= 0 {
		return Job{}, errors.New("claim job: want a worker name and a positive lease")
	}
	where, kindArgs := dueJobs(kinds)
	// A cheap look on the reader pool first, so that an idle poll does not
	// take SQLite's write lock.
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM jobs WHERE `+where+` LIMIT 1) due`,
		append([]any{db.now()}, kindArgs...)...).Scan(&n)
	if err != nil {
		return Job{}, fmt.Errorf("claim job: %w", mapErr(err))
	}
	if n == 0 {
		return Job{}, portal.ErrNotFound
	}
	lock := ""
	if db.engine == Postgres {
		lock = ` FOR UPDATE SKIP LOCKED`
	}
	var j Job
	err = db.Write(ctx, func(tx *Tx) error {
		args := append([]any{tx.now}, kindArgs...)
		next := "$" + strconv.Itoa(len(args)+1)
		args = append(args, tx.now.Add(lease), worker)
		var err error
		j, err = scanJob(tx.queryRow(ctx, `UPDATE jobs SET lease_until = `+next+`, leased_by = $`+strconv.Itoa(len(args))+`,
				attempts = attempts + 1
			WHERE id = (SELECT id FROM jobs WHERE `+where+` ORDER BY run_at, id LIMIT 1`+lock+`)
			RETURNING `+jobColumns, args...))
		return mapErr(err)
	})
	if err != nil {
		if errors.Is(err, portal.ErrNotFound) {
			return Job{}, portal.ErrNotFound
		}
		return Job{}, fmt.Errorf("claim job: %w", err)
	}
	return j, nil
}

// finishJob updates a job that worker still holds; a job taken over by
// another worker (or already finished) gives portal.ErrConflict.
func (db *DB) finishJob(ctx context.Context, what string, id int64, worker, set string, args ...any) error {
	err := db.Write(ctx, func(tx *Tx) error {
		n := len(args)
		all := append([]any{}, args...)
		all = append(all, id, worker)
		res, err := tx.exec(ctx, `UPDATE jobs SET `+set+`, lease_until = NULL, leased_by = ''
			WHERE id = $`+strconv.Itoa(n+1)+` AND leased_by = $`+strconv.Itoa(n+2)+` AND done_at IS NULL`, all...)
		if err != nil {
			return err
		}
		k, err := res.RowsAffected()
		if err != nil {
			return mapErr(err)
		}
		if k == 0 {
			return fmt.Errorf("job %d is no longer held by %s: %w", id, worker, portal.ErrConflict)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s job: %w", what, err)
	}
	return nil
}

// CompleteJob marks a job done, if worker still holds its lease (else
// portal.ErrConflict: another worker took it over and may deliver again).
func (db *DB) CompleteJob(ctx context.Context, id int64, worker string) error {
	return db.finishJob(ctx, "complete", id, worker, `done_at = $1, last_error = ''`, db.now())
}

// RetryJob releases a job that failed for now, to be tried again at runAt,
// keeping the error text. Same lease rule as CompleteJob.
func (db *DB) RetryJob(ctx context.Context, id int64, worker, errText string, runAt time.Time) error {
	return db.finishJob(ctx, "retry", id, worker, `run_at = $1, last_error = $2`,
		runAt.UTC().Truncate(time.Microsecond), clip(errText))
}

// FailJob gives up on a job: it is done, with the error that ended it.
// Same lease rule as CompleteJob.
func (db *DB) FailJob(ctx context.Context, id int64, worker, errText string) error {
	if errText == "" {
		errText = "failed"
	}
	return db.finishJob(ctx, "fail", id, worker, `done_at = $1, last_error = $2`, db.now(), clip(errText))
}

func clip(s string) string {
	if len(s) <= maxJobError {
		return s
	}
	s = s[:maxJobError]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// CleanupJobs deletes jobs finished more than keep ago and empties the
// payloads of finished jobs of scrubKinds (mail payloads may hold a
// one-time code, which must not outlive its use). It returns the number of
// jobs deleted.
func (db *DB) CleanupJobs(ctx context.Context, keep time.Duration, scrubKinds []string) (int64, error) {
	var deleted int64
	err := db.Write(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM jobs WHERE done_at IS NOT NULL AND done_at < $1`, tx.now.Add(-keep))
		if err != nil {
			return err
		}
		if deleted, err = res.RowsAffected(); err != nil {
			return mapErr(err)
		}
		if len(scrubKinds) == 0 {
			return nil
		}
		ph := make([]string, len(scrubKinds))
		args := make([]any, len(scrubKinds))
		for i, k := range scrubKinds {
			ph[i], args[i] = "$"+strconv.Itoa(i+1), k
		}
		_, err = tx.exec(ctx, `UPDATE jobs SET payload = '' WHERE done_at IS NOT NULL AND payload <> ''
			AND kind IN (`+strings.Join(ph, ", ")+`)`, args...)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("clean up jobs: %w", err)
	}
	return deleted, nil
}
