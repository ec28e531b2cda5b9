package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"asiakassivu/internal/i18n"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// The calendar feed covers visits from this long ago to this far ahead.
const (
	calendarPast   = 90 * 24 * time.Hour
	calendarFuture = 366 * 24 * time.Hour
)

// NewCalendarFeed makes a new secret calendar-feed token for the account,
// revoking the old address; the feed's texts are in lang (Finnish when lang
// is none of the portal's) and its events carry the street address only
// when showAddress is set (the person ticked it). The token is shown once;
// only its hash stays.
func (a *App) NewCalendarFeed(ctx context.Context, v Viewer, lang string, showAddress bool) (string, error) {
	if !v.Verified {
		return "", portal.ErrForbidden
	}
	l, ok := i18n.Parse(lang)
	if !ok {
		l = i18n.Finnish
	}
	token, hash := newToken()
	err := a.db.Write(ctx, func(tx *store.Tx) error { return tx.SetCalendarToken(ctx, v.AccountID, hash, string(l), showAddress) })
	if err != nil {
		return "", fmt.Errorf("new calendar feed: %w", err)
	}
	return token, nil
}

// RevokeCalendarFeed ends the account's calendar-feed address.
func (a *App) RevokeCalendarFeed(ctx context.Context, v Viewer) error {
	return a.db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteCalendarToken(ctx, v.AccountID) })
}

// SetCalendarShowAddress turns the street address in the account's feed
// (and in its single-visit calendar files) on or off; portal.ErrNotFound
// when the account has no feed.
func (a *App) SetCalendarShowAddress(ctx context.Context, v Viewer, on bool) error {
	if !v.Verified {
		return portal.ErrForbidden
	}
	err := a.db.Write(ctx, func(tx *store.Tx) error { return tx.SetCalendarShowAddress(ctx, v.AccountID, on) })
	if err != nil {
		return fmt.Errorf("calendar feed address: %w", err)
	}
	return nil
}

// CalendarFeedOf returns the account's current feed (its CreatedAt is zero
// when it has none).
func (a *App) CalendarFeedOf(ctx context.Context, v Viewer) (portal.CalendarFeed, error) {
	var f portal.CalendarFeed
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) { f, err = tx.CalendarFeedOf(ctx, v.AccountID); return err })
	if errors.Is(err, portal.ErrNotFound) {
		return portal.CalendarFeed{}, nil
	}
	return f, err
}

// CalendarFeed returns the iCalendar of every site of the account whose
// feed token is given, in the feed's language, or portal.ErrNotFound for
// an unknown or revoked token. Its events carry what calendarEvent puts in
// them: never access instructions or notes.
func (a *App) CalendarFeed(ctx context.Context, token string) ([]byte, error) {
	if len(token) != 43 {
		return nil, portal.ErrNotFound
	}
	if a.texts == nil {
		return nil, errors.New("calendar feed: no texts")
	}
	h := sha256.Sum256([]byte(token))
	var (
		events []portal.CalendarEvent
		p      i18n.Printer
	)
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		now := tx.Now()
		feed, err := tx.CalendarFeedByToken(ctx, h[:])
		if err != nil {
			return err
		}
		acc, err := tx.AccountByID(ctx, feed.AccountID)
		if err != nil {
			return err
		}
		p = a.printer(feed.Language)
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
				events = append(events, a.calendarEvent(p, s.Site, vi, feed.ShowAddress, now))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("calendar feed: %w", err)
	}
	return portal.ICalendar(p.T("calfeed.name"), events), nil
}

// VisitCalendar returns one visit of a site as an iCalendar file in lang,
// for the customer who sees the site (as the visit's page: another
// customer's visit is portal.ErrNotFound; staff and admins are not
// customers and get portal.ErrForbidden). The event is the feed's: the
// street address only when the account's feed has it turned on.
func (a *App) VisitCalendar(ctx context.Context, v Viewer, siteID, visitID int64, lang string) ([]byte, error) {
	if v.Role != portal.RoleCustomer || !v.Verified {
		return nil, portal.ErrForbidden
	}
	if a.texts == nil {
		return nil, errors.New("visit calendar: no texts")
	}
	p := a.printer(lang)
	var ev portal.CalendarEvent
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		s, err := tx.Site(ctx, v.siteScope(siteID, CapView), siteID)
		if err != nil {
			return err
		}
		vi, err := tx.VisitOfSite(ctx, siteID, visitID)
		if err != nil {
			return err
		}
		feed, err := tx.CalendarFeedOf(ctx, v.AccountID)
		if err != nil && !errors.Is(err, portal.ErrNotFound) {
			return err
		}
		ev = a.calendarEvent(p, s.Site, vi, feed.ShowAddress, tx.Now())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("visit calendar %d: %w", visitID, err)
	}
	return portal.ICalendar(p.T("calfeed.name"), []portal.CalendarEvent{ev}), nil
}

// printer is the texts of lang, Finnish when lang is none of the portal's.
func (a *App) printer(lang string) i18n.Printer {
	l, ok := i18n.Parse(lang)
	if !ok {
		l = i18n.Finnish
	}
	return a.texts.Printer(l)
}

// calendarEvent is a visit as a calendar shows it. The title names the
// service and the home ("Siivous – Koti, Tampere"), so that the visits of
// two homes can be told apart; the description has the worker's first name
// and the visit's page. The street address goes in LOCATION only when
// showAddress is set; access instructions and notes never go anywhere.
func (a *App) calendarEvent(p i18n.Printer, s portal.Site, vi portal.Visit, showAddress bool, now time.Time) portal.CalendarEvent {
	service := vi.ServiceIn(string(p.Lang))
	if service == "" {
		service = p.T("calfeed.visit")
	}
	summary := service
	if home := joinNonEmpty(", ", s.Name, s.City); home != "" {
		summary = p.T("calfeed.summary", "service", service, "home", home)
	}
	if vi.Status.Cancelled() {
		summary = p.T("calfeed.cancelled", "summary", summary)
	}
	var desc []string
	if vi.WorkerFirstName != "" {
		desc = append(desc, p.T("calfeed.worker", "name", vi.WorkerFirstName))
	}
	ev := portal.CalendarEvent{UID: "visit-" + strconv.FormatInt(vi.ID, 10) + "@asiakassivu", Sequence: vi.Sequence,
		Start: vi.StartsAt, End: vi.EndsAt, Summary: summary, Status: vi.Status, Stamp: now}
	if a.baseURL != "" {
		ev.URL = a.baseURL + visitPath(s.ID, vi.ID)
		desc = append(desc, p.T("calfeed.details", "url", ev.URL))
	}
	ev.Description = strings.Join(desc, "\n")
	if showAddress {
		ev.Location = s.Address()
	}
	return ev
}

// joinNonEmpty joins the parts that are not empty with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
