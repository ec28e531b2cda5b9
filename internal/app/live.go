package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// Live visit status (PRODUCT.md C12): the worker marks today's visit "on
// the way" (with an optional arrival estimate), "arrived" and "done"
// (MarkVisitDone, with an optional note). The rules of order and day are
// portal.CheckLiveStep; who may give them is the staff rule of
// providerChange (their own provider's visits only, at the sequence they
// saw). The customer's open pages hear of each step through the site's
// events (LiveChanges).

// MaxLiveChanges bounds the live changes one read of a stream returns.
const MaxLiveChanges = 50

// liveRefused is the error of a refused live step: shown next to the
// step's form.
func liveRefused(field, why string) error {
	return InvalidInput{{field, "provider.live.refused." + why}}
}

// parseEstimate reads the minutes of an arrival estimate ("" or only
// spaces: none) and gives the time of arrival from now.
func parseEstimate(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || time.Duration(n)*time.Minute > portal.MaxArrivalEstimate {
		return time.Time{}, InvalidInput{{"eta", "error.live.eta"}}
	}
	return now.Add(time.Duration(n) * time.Minute), nil
}

// DepartVisit records that the staff member's worker set off to today's
// visit, with an optional arrival estimate in minutes (eta; "" for none).
// The customer's devices hear of it (NotifyVisitLive).
func (a *App) DepartVisit(ctx context.Context, v Viewer, visitID int64, seq int, eta string) error {
	return a.providerChange(ctx, v, visitID, seq, portal.KindVisitDeparted, func(tx *store.Tx, d *ProviderVisitDetail) (portal.Event, string, error) {
		now := tx.Now()
		if why := portal.CheckLiveStep(d.Visit.Visit, portal.LiveDeparted, now); why != "" {
			return nil, "", liveRefused("eta", why)
		}
		estimate, err := parseEstimate(eta, now)
		if err != nil {
			return nil, "", err
		}
		if err := tx.DepartVisit(ctx, visitID, seq, estimate); err != nil {
			return nil, "", err
		}
		return portal.VisitDeparted{VisitID: visitID, VisitExternalID: d.Visit.Visit.ExternalID, StartsAt: d.Visit.Visit.StartsAt,
			DepartedAt: now, ArrivalEstimate: estimate}, "", nil
	})
}

// ArriveVisit records that the worker arrived at today's visit, which
// was marked "on the way" first; the visit is then in progress.
func (a *App) ArriveVisit(ctx context.Context, v Viewer, visitID int64, seq int) error {
	return a.providerChange(ctx, v, visitID, seq, portal.KindVisitArrived, func(tx *store.Tx, d *ProviderVisitDetail) (portal.Event, string, error) {
		now := tx.Now()
		if why := portal.CheckLiveStep(d.Visit.Visit, portal.LiveArrived, now); why != "" {
			return nil, "", liveRefused("", why)
		}
		if err := tx.ArriveVisit(ctx, visitID, seq); err != nil {
			return nil, "", err
		}
		return portal.VisitArrived{VisitID: visitID, VisitExternalID: d.Visit.Visit.ExternalID, StartsAt: d.Visit.Visit.StartsAt,
			ArrivedAt: now}, "", nil
	})
}

// LiveStart returns where the live stream of a page opened now starts:
// the journal's newest row (store.Tx.LastChange).
func (a *App) LiveStart(ctx context.Context) (int64, error) {
	var seq int64
	err := a.db.ReadOne(ctx, func(tx *store.Tx) (err error) {
		seq, err = tx.LastChange(ctx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("live start: %w", err)
	}
	return seq, nil
}

// LiveSites returns the ids of the sites whose visits' live status the
// viewer may follow: those of their access scope (their own, and after
// family access, those granted to them). Staff and admins follow none
// here: their schedule shows the status.
func (a *App) LiveSites(ctx context.Context, v Viewer) ([]int64, error) {
	if v.Role != portal.RoleCustomer {
		return nil, portal.ErrNotFound
	}
	var ids []int64
	err := a.db.ReadOne(ctx, func(tx *store.Tx) error {
		sites, err := tx.Sites(ctx, v.scopeFor(CapView))
		for _, s := range sites {
			ids = append(ids, s.Site.ID)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("live sites: %w", err)
	}
	return ids, nil
}

// LiveChanges returns the live-status changes after the journal's row
// after of the visits the viewer may see, each with the visit as it is
// now (store.Tx.LiveChangesAfter); for staff and admins none.
func (a *App) LiveChanges(ctx context.Context, v Viewer, after int64) ([]store.LiveChange, error) {
	if v.Role != portal.RoleCustomer {
		return nil, portal.ErrNotFound
	}
	var out []store.LiveChange
	err := a.db.ReadOne(ctx, func(tx *store.Tx) (err error) {
		out, err = tx.LiveChangesAfter(ctx, v.scopeFor(CapView), after, MaxLiveChanges)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("live changes: %w", err)
	}
	return out, nil
}
