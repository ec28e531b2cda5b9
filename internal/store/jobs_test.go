package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

func enqueue(t *testing.T, db *store.DB, kind, payload string, runAt time.Time) int64 {
	t.Helper()
	var id int64
	err := db.Write(context.Background(), func(tx *store.Tx) (err error) {
		id, err = tx.EnqueueJob(context.Background(), kind, []byte(payload), runAt)
		return err
	})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return id
}

func job(t *testing.T, db *store.DB, id int64) store.Job {
	t.Helper()
	var j store.Job
	err := db.Read(context.Background(), func(tx *store.Tx) (err error) {
		j, err = tx.JobByID(context.Background(), id)
		return err
	})
	if err != nil {
		t.Fatalf("job %d: %v", id, err)
	}
	return j
}

func TestJobLifecycle(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0) // each engine starts at t0
		ctx := context.Background()
		later := enqueue(t, db, "mail", `{"n":2}`, t0.Add(time.Hour))
		now := enqueue(t, db, "mail", `{"n":1,"text":"Hyvää päivää ✓"}`, time.Time{})
		other := enqueue(t, db, "push", `{}`, time.Time{})

		j, err := db.ClaimJob(ctx, "w1", []string{"mail"}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if j.ID != now || j.Kind != "mail" || string(j.Payload) != `{"n":1,"text":"Hyvää päivää ✓"}` || j.Attempts != 1 ||
			j.LeasedBy != "w1" || !j.LeaseUntil.Equal(t0.Add(time.Minute)) || !j.RunAt.Equal(t0) || !j.CreatedAt.Equal(t0) {
			t.Fatalf("claimed %+v", j)
		}
		// Held, not yet due, or of another kind: nothing more to claim.
		if _, err := db.ClaimJob(ctx, "w2", []string{"mail"}, time.Minute); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("second claim: %v, want ErrNotFound", err)
		}
		if err := db.CompleteJob(ctx, j.ID, "w2"); !errors.Is(err, portal.ErrConflict) {
			t.Errorf("complete by a non-holder: %v, want ErrConflict", err)
		}
		if err := db.CompleteJob(ctx, j.ID, "w1"); err != nil {
			t.Fatal(err)
		}
		if err := db.CompleteJob(ctx, j.ID, "w1"); !errors.Is(err, portal.ErrConflict) {
			t.Errorf("second complete: %v, want ErrConflict", err)
		}
		if got := job(t, db, now); !got.DoneAt.Equal(t0) || got.LeasedBy != "" || !got.LeaseUntil.IsZero() || got.Failed() {
			t.Errorf("done job %+v", got)
		}

		// Any kind when none is named.
		j, err = db.ClaimJob(ctx, "w1", nil, time.Minute)
		if err != nil || j.ID != other {
			t.Fatalf("claim any kind: %+v %v", j, err)
		}

		// Retry: released, due again at the given time, error kept.
		clock.Set(t0.Add(time.Hour))
		j, err = db.ClaimJob(ctx, "w1", []string{"mail"}, time.Minute)
		if err != nil || j.ID != later {
			t.Fatalf("claim later job: %+v %v", j, err)
		}
		if err := db.RetryJob(ctx, j.ID, "w1", "421 try again", t0.Add(time.Hour+30*time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ClaimJob(ctx, "w1", []string{"mail"}, time.Minute); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("claim before retry time: %v", err)
		}
		clock.Advance(30 * time.Second)
		j, err = db.ClaimJob(ctx, "w2", []string{"mail"}, time.Minute)
		if err != nil || j.ID != later || j.Attempts != 2 || j.LastError != "421 try again" {
			t.Fatalf("claim after retry time: %+v %v", j, err)
		}
		if err := db.FailJob(ctx, j.ID, "w2", "550 no such user"); err != nil {
			t.Fatal(err)
		}
		if got := job(t, db, later); !got.Failed() || got.LastError != "550 no such user" || got.Attempts != 2 {
			t.Errorf("failed job %+v", got)
		}

		// Not UTF-8 text: refused before it reaches the table.
		err = db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.EnqueueJob(ctx, "mail", []byte{0xff, 0}, time.Time{})
			return err
		})
		if err == nil {
			t.Error("binary payload accepted")
		}
	})
}

// TestEnqueueRollsBackWithTheChange: a job written in a transaction that
// fails is not there.
func TestEnqueueRollsBackWithTheChange(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.EnqueueJob(ctx, "mail", []byte(`{}`), time.Time{}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if _, err := db.ClaimJob(ctx, "w", nil, time.Minute); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("job of a rolled-back transaction claimed: %v", err)
		}
	})
}

// TestConcurrentClaimersTakeEachJobOnce runs several claimers at once: every
// job is processed exactly once while no worker crashes.
func TestConcurrentClaimersTakeEachJobOnce(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0) // each engine starts at t0
		ctx := context.Background()
		const jobs, workers = 60, 6
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i := range jobs {
				if _, err := tx.EnqueueJob(ctx, "mail", fmt.Appendf(nil, `{"n":%d}`, i), time.Time{}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		seen := map[int64][]string{}
		var wg sync.WaitGroup
		errc := make(chan error, workers)
		for w := range workers {
			name := fmt.Sprintf("w%d", w)
			wg.Go(func() {
				for {
					j, err := db.ClaimJob(ctx, name, []string{"mail"}, time.Minute)
					if errors.Is(err, portal.ErrNotFound) {
						return
					}
					if err != nil {
						errc <- err
						return
					}
					mu.Lock()
					seen[j.ID] = append(seen[j.ID], name)
					mu.Unlock()
					if err := db.CompleteJob(ctx, j.ID, name); err != nil {
						errc <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Error(err)
		}
		if len(seen) != jobs {
			t.Errorf("%d jobs processed, want %d", len(seen), jobs)
		}
		for id, by := range seen {
			if len(by) != 1 {
				t.Errorf("job %d processed %d times: %v", id, len(by), by)
			}
		}
	})
}

// TestExpiredLeaseIsTakenOver: a worker that crashed holding a job loses
// it when the lease runs out, and another worker delivers it again.
func TestExpiredLeaseIsTakenOver(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0) // each engine starts at t0
		ctx := context.Background()
		id := enqueue(t, db, "mail", `{}`, time.Time{})
		if _, err := db.ClaimJob(ctx, "crashed", nil, time.Minute); err != nil {
			t.Fatal(err)
		}
		clock.Advance(59 * time.Second)
		if _, err := db.ClaimJob(ctx, "w2", nil, time.Minute); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("claim within the lease: %v", err)
		}
		clock.Advance(time.Second)
		j, err := db.ClaimJob(ctx, "w2", nil, time.Minute)
		if err != nil || j.ID != id || j.Attempts != 2 || j.LeasedBy != "w2" {
			t.Fatalf("take-over: %+v %v", j, err)
		}
		// The crashed worker, back from the dead, no longer holds the job.
		if err := db.CompleteJob(ctx, id, "crashed"); !errors.Is(err, portal.ErrConflict) {
			t.Errorf("complete by the old holder: %v", err)
		}
		if err := db.RetryJob(ctx, id, "crashed", "x", t0); !errors.Is(err, portal.ErrConflict) {
			t.Errorf("retry by the old holder: %v", err)
		}
		if err := db.CompleteJob(ctx, id, "w2"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCleanupJobs(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0) // each engine starts at t0
		ctx := context.Background()
		old := enqueue(t, db, "mail", `{"code":"123456"}`, time.Time{})
		j, _ := db.ClaimJob(ctx, "w", nil, time.Minute)
		if err := db.CompleteJob(ctx, j.ID, "w"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(8 * 24 * time.Hour)
		recent := enqueue(t, db, "mail", `{"code":"654321"}`, time.Time{})
		push := enqueue(t, db, "push", `{"p":1}`, time.Time{})
		pending := enqueue(t, db, "mail", `{"code":"111111"}`, time.Time{})
		for _, want := range []int64{recent, push} {
			j, err := db.ClaimJob(ctx, "w", nil, time.Minute)
			if err != nil || j.ID != want {
				t.Fatalf("claim: %+v %v", j, err)
			}
			if err := db.CompleteJob(ctx, j.ID, "w"); err != nil {
				t.Fatal(err)
			}
		}
		n, err := db.CleanupJobs(ctx, 7*24*time.Hour, []string{"mail"})
		if err != nil || n != 1 {
			t.Fatalf("cleanup: %d %v", n, err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			if _, err := tx.JobByID(ctx, old); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("old done job kept: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if p := job(t, db, recent).Payload; len(p) != 0 {
			t.Errorf("done mail job keeps its payload %q", p)
		}
		if p := job(t, db, push).Payload; string(p) != `{"p":1}` {
			t.Errorf("push payload %q", p)
		}
		if p := job(t, db, pending).Payload; string(p) != `{"code":"111111"}` {
			t.Errorf("pending mail payload %q", p)
		}
	})
}
