package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// The calendar feed covers visits from this long ago to this far ahead.
const (
	calendarPast   = 90 * 24 * time.Hour
	calendarFuture = 366 * 24 * time.Hour
)

// NewCalendarFeed makes a new secret calendar-feed token for the account,
// revoking the old address. The token is shown once; only its hash stays.
func (a *App) NewCalendarFeed(ctx context.Context, v Viewer) (string, error) {
	if !v.Verified {
		return "", portal.ErrForbidden
	}
	token, hash := newToken()
	err := a.db.Write(ctx, func(tx *store.Tx) error { return tx.SetCalendarToken(ctx, v.AccountID, hash) })
	if err != nil {
		return "", fmt.Errorf("new calendar feed: %w", err)
	}
	return token, nil
}

// RevokeCalendarFeed ends the account's calendar-feed address.
func (a *App) RevokeCalendarFeed(ctx context.Context, v Viewer) error {
	return a.db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteCalendarToken(ctx, v.AccountID) })
}

// CalendarFeedSince returns when the account's current feed address was
// made (zero when it has none).
func (a *App) CalendarFeedSince(ctx context.Context, v Viewer) (time.Time, error) {
	var t time.Time
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) { t, err = tx.CalendarFeedSince(ctx, v.AccountID); return err })
	if errors.Is(err, portal.ErrNotFound) {
		return time.Time{}, nil
	}
	return t, err
}

// CalendarFeed returns the iCalendar of every site of the account whose
// feed token is given, or portal.ErrNotFound for an unknown or revoked
// token. It carries times, service and the worker's first name only.
func (a *App) CalendarFeed(ctx context.Context, token string) ([]byte, error) {
	if len(token) != 43 {
		return nil, portal.ErrNotFound
	}
	h := sha256.Sum256([]byte(token))
	var events []portal.CalendarEvent
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		now := tx.Now()
		acc, err := tx.AccountByCalendarToken(ctx, h[:])
		if err != nil {
			return err
		}
		sites, err := tx.Sites(ctx, store.Scope{EmailNorm: acc.EmailNorm})
		if err != nil {
			return err
		}
		for _, s := range sites {
			visits, err := tx.VisitsBetween(ctx, s.Site.ID, now.Add(-calendarPast), now.Add(calendarFuture))
			if err != nil {
				return err
			}
			for _, vi := range visits {
				summary := vi.Service
				switch {
				case summary == "":
					summary = vi.WorkerFirstName
				case vi.WorkerFirstName != "":
					summary += " (" + vi.WorkerFirstName + ")"
				}
				events = append(events, portal.CalendarEvent{UID: "visit-" + strconv.FormatInt(vi.ID, 10) + "@asiakassivu",
					Sequence: vi.Sequence, Start: vi.StartsAt, End: vi.EndsAt, Summary: summary, Status: vi.Status, Stamp: now})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("calendar feed: %w", err)
	}
	return portal.ICalendar("Palveluvuorot", events), nil
}
