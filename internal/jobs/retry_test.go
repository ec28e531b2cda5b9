package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"asiakassivu/internal/jobs"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestRetryAfter: a handler's requested wait replaces a shorter backoff,
// never a longer one; the error text is kept either way.
func TestRetryAfter(t *testing.T) {
	if jobs.RetryAfter(nil, time.Minute) != nil {
		t.Error("RetryAfter(nil) is not nil")
	}
	plain := errors.New("x")
	if jobs.RetryAfter(plain, 0) != plain {
		t.Error("RetryAfter with no wait changed the error")
	}
	clock := storetest.NewClock(t0)
	db := storetest.Open(t, store.SQLite, clock.Now)
	ctx := context.Background()
	busy := errors.New("429 Too Many Requests")
	for _, c := range []struct {
		after, want time.Duration
	}{{10 * time.Minute, 10 * time.Minute}, {time.Second, jobs.DefaultBackoff(1)}} {
		w := jobs.New(db, jobs.Options{Name: "test"})
		w.Register("busy", func(context.Context, []byte) error { return jobs.RetryAfter(busy, c.after) })
		var id int64
		err := db.Write(ctx, func(tx *store.Tx) (err error) {
			id, err = tx.EnqueueJob(ctx, "busy", []byte(`{}`), time.Time{})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if did, err := w.RunOnce(ctx); !did || err != nil {
			t.Fatalf("RunOnce: %v %v", did, err)
		}
		if j := jobOf(t, db, id); !j.DoneAt.IsZero() || !j.RunAt.Equal(clock.Now().Add(c.want)) || j.LastError != busy.Error() {
			t.Errorf("after %s: %+v, want a retry at +%s", c.after, j, c.want)
		}
		clock.Advance(24 * time.Hour)
		// Finish it so the next case's worker starts from an empty queue.
		w.Register("busy", func(context.Context, []byte) error { return nil })
		w.RunOnce(ctx)
	}
}
