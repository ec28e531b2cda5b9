package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// KindVisitReminders is the job that, at 18:00 Helsinki time, reminds
// customers of their visits of the next day and schedules itself for the
// day after.
const KindVisitReminders = "visit_reminders"

// reminderHour is the Helsinki hour of the evening reminders.
const reminderHour = 18

// nextReminder returns the next 18:00 in Helsinki after now.
func nextReminder(now time.Time) time.Time {
	l := now.In(portal.Helsinki)
	at := time.Date(l.Year(), l.Month(), l.Day(), reminderHour, 0, 0, 0, portal.Helsinki)
	if !at.After(now) {
		at = time.Date(l.Year(), l.Month(), l.Day()+1, reminderHour, 0, 0, 0, portal.Helsinki)
	}
	return at
}

type reminderPayload struct {
	Day string `json:"day"` // the day of the visits, YYYY-MM-DD
}

// ScheduleReminders makes sure the evening reminder job is queued; each
// instance calls it at start. Two instances may both queue one: the day's
// row in reminder_runs lets only one of them send.
func (a *App) ScheduleReminders(ctx context.Context) error {
	return a.db.Write(ctx, func(tx *store.Tx) error {
		n, err := tx.PendingJobs(ctx, KindVisitReminders)
		if err != nil || n > 0 {
			return err
		}
		return enqueueReminders(ctx, tx, nextReminder(tx.Now()))
	})
}

func enqueueReminders(ctx context.Context, tx *store.Tx, at time.Time) error {
	day := portal.DateOf(at).AddDays(1)
	payload, _ := json.Marshal(reminderPayload{Day: day.String()})
	_, err := tx.EnqueueJob(ctx, KindVisitReminders, payload, at)
	return err
}

// SendReminders is the job: it pushes a reminder of each visit of the day
// to the customer's devices (those that keep the kind on), once per day
// however often it runs, and queues the next evening's run.
func (a *App) SendReminders(ctx context.Context, payload []byte) error {
	var p reminderPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return fmt.Errorf("reminder job payload %q: %w", payload, err)
	}
	d, err := time.ParseInLocation("2006-01-02", p.Day, portal.Helsinki)
	if err != nil {
		return fmt.Errorf("reminder job day %q: %w", p.Day, err)
	}
	day := portal.DateOf(d)
	from := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, portal.Helsinki)
	to := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, portal.Helsinki)
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		// The next evening first: a day that was already sent must not
		// end the chain.
		if n, err := tx.PendingJobs(ctx, KindVisitReminders); err != nil {
			return err
		} else if n <= 1 { // this run itself is still pending
			if err := enqueueReminders(ctx, tx, nextReminder(from.Add(time.Hour))); err != nil {
				return err
			}
		}
		visits, err := tx.VisitsStarting(ctx, from, to)
		if err != nil {
			return err
		}
		if ok, err := tx.ClaimReminderDay(ctx, day, len(visits)); err != nil || !ok {
			return err
		}
		for _, x := range visits {
			readers, err := customerAccounts(ctx, tx, x.Site, CapNotify)
			if err != nil {
				return err
			}
			start, end := x.Visit.StartsAt.In(portal.Helsinki), x.Visit.EndsAt.In(portal.Helsinki)
			if err := a.notifyAccounts(ctx, tx, readers, portal.NotifyVisitReminder, "notify.reminder.title",
				"notify.reminder.body", visitPath(x.Site.ID, x.Visit.ID), "site", siteLabel(x.Site),
				"from", start.Format("15.04"), "to", end.Format("15.04")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reminders for %s: %w", p.Day, err)
	}
	a.wake()
	return nil
}
