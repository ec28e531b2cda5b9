// Package jobs runs the outbox: background work that a use case wrote into
// the jobs table in its own transaction (store.Tx.EnqueueJob), done by a
// Worker that leases one job at a time, retries failures with growing
// pauses and gives up after a number of attempts. Delivery is at least
// once: a worker that dies holding a job loses it when the lease runs out,
// and another worker does it again.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// Handler does the work of one job. It gets the job's payload and a
// context that shutdown does not cancel (a job is finished, not cut off),
// bounded by the worker's job timeout.
type Handler func(ctx context.Context, payload []byte) error

// permanent marks an error that retrying will not cure; routine ones are
// an expected end (a device that has gone away), not a fault.
type permanent struct {
	err     error
	routine bool
}

// Error is the wrapped error's text.
func (p permanent) Error() string { return p.err.Error() }

// Unwrap returns the wrapped error.
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps err so that the worker gives the job up at once instead
// of retrying it (a payload that does not decode, an address refused).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err: err}
}

// Routine is Permanent for an end that is part of normal running, such as
// a push subscription its service says is gone: the job is given up at
// once, like a permanent error, but logged at info level, since nobody
// needs to act on it.
func Routine(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err: err, routine: true}
}

// IsPermanent reports whether err was wrapped by Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// DefaultBackoff is the pause before the next attempt after attempt n
// (1-based) failed: 30 s, 2 min, 10 min, 30 min, then 1 h.
func DefaultBackoff(n int) time.Duration {
	steps := []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute}
	if n >= 1 && n <= len(steps) {
		return steps[n-1]
	}
	if n < 1 {
		return steps[0]
	}
	return time.Hour
}

// Options configure a Worker; the zero value gives the defaults.
type Options struct {
	// Name identifies the worker in the leases it takes; it must differ
	// between running workers. Default: host name, process id and a
	// random suffix.
	Name string
	// Poll is how often an idle worker looks for due jobs. Default 2 s;
	// Notify wakes it sooner.
	Poll time.Duration
	// Lease is how long a job is held before another worker may take it
	// over. Default 5 min.
	Lease time.Duration
	// JobTimeout bounds one run of a handler. Default 2 min; at most half
	// of Lease.
	JobTimeout time.Duration
	// MaxAttempts is how many times a job is tried before it is given up
	// (and logged as an error). Default 10.
	MaxAttempts int
	// Backoff is the pause after failed attempt n. Default DefaultBackoff.
	Backoff func(n int) time.Duration
	// KeepDone is how long finished jobs stay in the table. Default 7 days.
	KeepDone time.Duration
	// CleanupEvery is how often finished jobs are deleted and finished
	// mail payloads emptied. Default 1 min.
	CleanupEvery time.Duration
	// Log receives failures (never payloads).
	Log *slog.Logger
}

// Worker takes due jobs from the outbox one at a time and runs the handler
// registered for their kind.
type Worker struct {
	db       *store.DB
	o        Options
	wake     chan struct{}
	mu       sync.Mutex
	handlers map[string]Handler
	scrub    []string
}

// New returns a worker on db. Register handlers before Run.
func New(db *store.DB, o Options) *Worker {
	if o.Name == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		rand.Read(b)
		o.Name = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	if o.JobTimeout <= 0 {
		o.JobTimeout = 2 * time.Minute
	}
	// A job must end well within its lease, or another worker takes it
	// over while it still runs.
	o.JobTimeout = min(o.JobTimeout, o.Lease/2)
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.Backoff == nil {
		o.Backoff = DefaultBackoff
	}
	if o.KeepDone <= 0 {
		o.KeepDone = 7 * 24 * time.Hour
	}
	if o.CleanupEvery <= 0 {
		o.CleanupEvery = time.Minute
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Worker{db: db, o: o, wake: make(chan struct{}, 1), handlers: map[string]Handler{}}
}

// Name is the worker's name in the leases it takes.
func (w *Worker) Name() string { return w.o.Name }

// Register sets the handler of a kind of job. Jobs of kinds without a
// handler are left for a worker that has one.
func (w *Worker) Register(kind string, h Handler) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.handlers[kind] = h
}

// scrubPayload asks the cleanup to empty the payloads of finished jobs of
// kind (they may hold secrets).
func (w *Worker) scrubPayload(kind string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !slices.Contains(w.scrub, kind) {
		w.scrub = append(w.scrub, kind)
	}
}

func (w *Worker) kinds() ([]string, []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var ks []string
	for k := range w.handlers {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks, slices.Clone(w.scrub)
}

func (w *Worker) handler(kind string) Handler {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.handlers[kind]
}

// Notify wakes the worker to look for due jobs now; call it after
// committing a transaction that enqueued one. It never blocks.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx is cancelled, then returns after the job at hand (if
// any) is finished: shutdown stops the worker between jobs.
func (w *Worker) Run(ctx context.Context) error {
	var lastCleanup time.Time
	for {
		if ctx.Err() != nil {
			return nil
		}
		if now := w.db.Now(); now.Sub(lastCleanup) >= w.o.CleanupEvery {
			lastCleanup = now
			w.cleanup(ctx)
		}
		did, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.o.Log.Error("job worker", "err", err)
		}
		if did && err == nil {
			continue
		}
		t := time.NewTimer(w.o.Poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-w.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

func (w *Worker) cleanup(ctx context.Context) {
	_, scrub := w.kinds()
	if _, err := w.db.CleanupJobs(ctx, w.o.KeepDone, scrub); err != nil && ctx.Err() == nil {
		w.o.Log.Error("job cleanup", "err", err)
	}
}

// RunOnce takes one due job, if there is one, and runs it to the end:
// done, retried later, or given up. It reports whether it took a job. The
// job's handler and the recording of its outcome do not stop when ctx is
// cancelled.
func (w *Worker) RunOnce(ctx context.Context) (bool, error) {
	kinds, _ := w.kinds()
	if len(kinds) == 0 {
		return false, nil
	}
	j, err := w.db.ClaimJob(ctx, w.o.Name, kinds, w.o.Lease)
	if errors.Is(err, portal.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	// From here the job is ours: finish it even when shutdown begins.
	ctx = context.WithoutCancel(ctx)
	runErr := w.run(ctx, j)
	switch {
	case runErr == nil:
		err = w.db.CompleteJob(ctx, j.ID, w.o.Name)
	case IsPermanent(runErr) || j.Attempts >= w.o.MaxAttempts:
		level := slog.LevelError
		if p := (permanent{}); errors.As(runErr, &p) && p.routine {
			level = slog.LevelInfo
		}
		w.o.Log.Log(ctx, level, "job given up", "job", j.ID, "kind", j.Kind, "attempts", j.Attempts, "err", runErr)
		err = w.db.FailJob(ctx, j.ID, w.o.Name, runErr.Error())
	default:
		next := w.db.Now().Add(w.pause(j.Attempts, runErr))
		w.o.Log.Warn("job failed, will retry", "job", j.ID, "kind", j.Kind, "attempts", j.Attempts,
			"retry_at", next.UTC(), "err", runErr)
		err = w.db.RetryJob(ctx, j.ID, w.o.Name, runErr.Error(), next)
	}
	if errors.Is(err, portal.ErrConflict) {
		// The lease ran out and another worker took the job over; it
		// will do the job again (at least once).
		w.o.Log.Warn("job lease lost", "job", j.ID, "kind", j.Kind)
		return true, nil
	}
	return true, err
}

// run calls the job's handler, turning a panic into an error.
func (w *Worker) run(ctx context.Context, j store.Job) (err error) {
	h := w.handler(j.Kind)
	if h == nil {
		return fmt.Errorf("no handler for job kind %q", j.Kind)
	}
	ctx, cancel := context.WithTimeout(ctx, w.o.JobTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			w.o.Log.Error("job handler panicked", "job", j.ID, "kind", j.Kind, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("job %d (%s) panicked: %v", j.ID, j.Kind, p)
		}
	}()
	return h(ctx, j.Payload)
}
