package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// LocalTime is a date and a clock time as typed into a form
// ("2026-12-10", "09:00"), read in Helsinki time.
type LocalTime struct{ Date, Clock string }

// Empty reports whether neither part was filled in.
func (l LocalTime) Empty() bool {
	return strings.TrimSpace(l.Date) == "" && strings.TrimSpace(l.Clock) == ""
}

// Time parses the local time; ok is false when either part is malformed.
func (l LocalTime) Time() (t time.Time, ok bool) {
	// A date input sends 2006-01-02; a browser without one lets people
	// type the Finnish way, 2.1.2006.
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(l.Date), portal.Helsinki)
	if err != nil {
		if d, err = time.ParseInLocation("2.1.2006", strings.TrimSpace(l.Date), portal.Helsinki); err != nil {
			return time.Time{}, false
		}
	}
	c, err := time.Parse("15:04", strings.TrimSpace(strings.ReplaceAll(l.Clock, ".", ":")))
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(d.Year(), d.Month(), d.Day(), c.Hour(), c.Minute(), 0, 0, portal.Helsinki), true
}

// RequestMove stores the customer's request to move a visit to one of up
// to three proposed start times, with an optional message. A pending
// request of the same visit is replaced. The request goes to the changes
// journal; the provider answers it.
func (a *App) RequestMove(ctx context.Context, v Viewer, siteID, visitID int64, options []LocalTime, message string) error {
	if v.Role != portal.RoleCustomer {
		return portal.ErrForbidden
	}
	message = strings.TrimSpace(strings.ToValidUTF8(message, ""))
	var bad InvalidInput
	if utf8.RuneCountInString(message) > MaxNoteLength {
		bad = append(bad, FieldError{"message", "error.note.long"})
	}
	var times []time.Time
	var fields []string
	for i, o := range options {
		if o.Empty() {
			continue
		}
		field := fmt.Sprintf("option%d", i+1)
		t, ok := o.Time()
		if !ok {
			bad = append(bad, FieldError{field, "error.move.format"})
			continue
		}
		times, fields = append(times, t), append(fields, field)
	}
	if len(bad) > 0 {
		return bad
	}
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		var d VisitDetail
		if err := a.visitDetail(ctx, tx, v, CapMove, siteID, visitID, false, &d); err != nil {
			return err
		}
		if d.ReadOnly {
			return ErrReadOnly
		}
		if why := portal.Closed(d.Visit, tx.Now()); why != "" {
			return InvalidInput{{"option1", "move.refused." + why}}
		}
		if key := portal.CheckMoveOptions(d.Visit, times, tx.Now()); key != "" {
			field := "option1"
			for i, t := range times {
				if portal.CheckMoveOptions(d.Visit, []time.Time{t}, tx.Now()) != "" {
					field = fields[i]
					break
				}
			}
			return InvalidInput{{field, key}}
		}
		actor, err := actorOf(ctx, tx, v, d.Site)
		if err != nil {
			return err
		}
		id, err := tx.CreateMoveRequest(ctx, portal.MoveRequest{VisitID: visitID, AccountID: v.AccountID, By: actor,
			Options: times, Message: message})
		if err != nil {
			return err
		}
		if actor.Grantee() {
			if err := a.tellOwner(ctx, tx, d.Site, d.Visit, actor, changeMoveRequested); err != nil {
				return err
			}
		}
		_, err = tx.AppendChange(ctx, store.ChangeOf{CustomerID: d.Site.CustomerID, SiteID: siteID, Actor: actor},
			portal.VisitMoveRequested{VisitID: visitID, VisitExternalID: d.Visit.ExternalID, RequestID: id, Options: times,
				Message: message})
		return err
	})
	if err != nil {
		return fmt.Errorf("move request for visit %d: %w", visitID, err)
	}
	a.wake() // the owner's mail and push, when a relative asked
	return nil
}

// setLatestMove points *dst at the newest move request of a visit and
// leaves it nil when there is none (the store answers portal.ErrNotFound).
func setLatestMove(ctx context.Context, tx *store.Tx, visitID int64, dst **portal.MoveRequest) error {
	m, err := tx.LatestMoveRequest(ctx, visitID)
	switch {
	case err == nil:
		*dst = &m
	case !errors.Is(err, portal.ErrNotFound):
		return err
	}
	return nil
}
