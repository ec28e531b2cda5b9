package app

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

func TestNextReminder(t *testing.T) {
	h := portal.Helsinki
	for _, c := range []struct{ now, want time.Time }{
		{time.Date(2026, 11, 28, 12, 0, 0, 0, h), time.Date(2026, 11, 28, 18, 0, 0, 0, h)},
		{time.Date(2026, 11, 28, 18, 0, 0, 0, h), time.Date(2026, 11, 29, 18, 0, 0, 0, h)},
		{time.Date(2026, 11, 28, 23, 30, 0, 0, h), time.Date(2026, 11, 29, 18, 0, 0, 0, h)},
		// Across both DST changes the reminder stays at 18:00 local time.
		{time.Date(2026, 3, 28, 19, 0, 0, 0, h), time.Date(2026, 3, 29, 18, 0, 0, 0, h)},
		{time.Date(2026, 10, 24, 19, 0, 0, 0, h), time.Date(2026, 10, 25, 18, 0, 0, 0, h)},
	} {
		if got := nextReminder(c.now); !got.Equal(c.want) {
			t.Errorf("after %v: %v, want %v", c.now, got, c.want)
		}
	}
}

func TestVisitReminders(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		// The test runs at 12.00 in Helsinki on the suite's day.
		today := portal.DateOf(t0)
		clock.Set(time.Date(today.Year, today.Month, today.Day, 12, 0, 0, 0, portal.Helsinki))
		maija := w.signIn(t, "maija@example.fi")
		tomorrow := time.Date(today.Year, today.Month, today.Day+1, 9, 0, 0, 0, portal.Helsinki)
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i, at := range []time.Time{tomorrow, tomorrow.AddDate(0, 0, 1)} {
				if _, err := tx.UpsertVisit(ctx, portal.Visit{SiteID: w.sites["koti"], Source: "t", ExternalID: "r" + string(rune('0'+i)),
					StartsAt: at, EndsAt: at.Add(3 * time.Hour), Status: portal.VisitConfirmed}); err != nil {
					return err
				}
			}
			_, err := tx.SavePushSubscription(ctx, store.PushSubscription{AccountID: maija.AccountID,
				Endpoint: "https://push.example/maija", P256dh: "k", Auth: "a"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// Two instances start: one evening run is queued, for tomorrow.
		for range 2 {
			if err := w.app.ScheduleReminders(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var job store.Job
		db.Read(ctx, func(tx *store.Tx) error {
			jobs, err := tx.JobsOfKind(ctx, KindVisitReminders)
			if len(jobs) != 1 {
				t.Fatalf("reminder jobs %+v, %v", jobs, err)
			}
			job = jobs[0]
			return err
		})
		if want := time.Date(today.Year, today.Month, today.Day, 18, 0, 0, 0, portal.Helsinki); !job.RunAt.Equal(want) ||
			string(job.Payload) != `{"day":"`+today.AddDays(1).String()+`"}` {
			t.Errorf("reminder job at %v with %s", job.RunAt, job.Payload)
		}
		// The run pushes one reminder (tomorrow's visit only), queues the
		// next evening, and a second run of the same day sends nothing.
		for range 2 {
			if err := w.app.SendReminders(ctx, job.Payload); err != nil {
				t.Fatal(err)
			}
		}
		if n := pushJobs(t, db); n != 1 {
			t.Errorf("%d reminder pushes, want 1", n)
		}
		db.Read(ctx, func(tx *store.Tx) error {
			jobs, _ := tx.JobsOfKind(ctx, KindVisitReminders)
			var next []string
			for _, j := range jobs {
				var p reminderPayload
				json.Unmarshal(j.Payload, &p)
				next = append(next, p.Day)
			}
			if len(jobs) != 2 || next[1] != today.AddDays(2).String() {
				t.Errorf("reminder jobs after the run: %v", next)
			}
			return nil
		})
	})
}
