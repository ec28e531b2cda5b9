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

// VisitsPerPage is how many visits a list page shows.
const VisitsPerPage = 20

// MaxNoteLength is the longest note a customer can leave on a visit.
const MaxNoteLength = 1000

// ErrReadOnly means the site's contracts have all ended: it can be looked
// at but not changed.
var ErrReadOnly = errors.New("site is read-only")

// TermsChangedError means the cancellation terms changed between showing and
// confirming (the provider moved the visit, or the deadline passed); the
// new terms come with it.
type TermsChangedError struct{ Terms portal.CancelTerms }

func (e *TermsChangedError) Error() string { return "cancellation terms changed" }

// VisitList is one page of a site's visits.
type VisitList struct {
	Site     portal.Site
	Visits   []portal.Visit
	Upcoming bool
	Page     int
	More     bool
}

// SiteVisits lists the upcoming or past visits of a site the viewer may
// see, a page at a time (page counts from 1).
func (a *App) SiteVisits(ctx context.Context, v Viewer, siteID int64, upcoming bool, page int) (VisitList, error) {
	page = max(page, 1)
	out := VisitList{Upcoming: upcoming, Page: page}
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		s, err := tx.Site(ctx, v.siteScope(siteID, CapView), siteID)
		if err != nil {
			return err
		}
		out.Site = s.Site
		visits, err := tx.SiteVisits(ctx, siteID, tx.Now(), upcoming, VisitsPerPage+1, (page-1)*VisitsPerPage)
		if err != nil {
			return err
		}
		out.More = len(visits) > VisitsPerPage
		out.Visits = visits[:min(len(visits), VisitsPerPage)]
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("visits of site %d: %w", siteID, err)
	}
	if v.audited() {
		return out, a.audit(ctx, v, "visits.list", out.Site.CustomerID, siteID)
	}
	return out, nil
}

// VisitDetail is one visit with what the customer may do with it.
type VisitDetail struct {
	Site     portal.Site
	Visit    portal.Visit
	Terms    portal.CancelTerms
	Policy   portal.CancelPolicy
	ReadOnly bool
	// Move is the newest move request of the visit (nil when none), and
	// Closed why the visit can no longer be cancelled or moved ("" when it
	// can).
	Move   *portal.MoveRequest
	Closed string
	// CancelledBy is who cancelled the visit when it was someone else on
	// the customer's side than the viewer — the owner or a relative (family
	// access); the zero Actor otherwise.
	CancelledBy portal.Actor
}

// Visit returns one visit of a site the viewer may see, with the terms of
// cancelling it now.
func (a *App) Visit(ctx context.Context, v Viewer, siteID, visitID int64) (VisitDetail, error) {
	var d VisitDetail
	err := a.db.Read(ctx, func(tx *store.Tx) error { return a.visitDetail(ctx, tx, v, CapView, siteID, visitID, false, &d) })
	if err != nil {
		return d, fmt.Errorf("visit %d: %w", visitID, err)
	}
	if v.audited() {
		return d, a.audit(ctx, v, "visit.read", d.Site.CustomerID, siteID)
	}
	return d, nil
}

func (a *App) visitDetail(ctx context.Context, tx *store.Tx, v Viewer, c Capability, siteID, visitID int64, illness bool, d *VisitDetail) error {
	s, err := tx.Site(ctx, v.siteScope(siteID, c), siteID)
	if err != nil {
		return err
	}
	if d.Visit, err = tx.VisitOfSite(ctx, siteID, visitID); err != nil {
		return err
	}
	p, err := tx.Policies(ctx)
	if err != nil {
		return err
	}
	readOnly, err := a.readOnly(ctx, tx, siteID)
	if err != nil {
		return err
	}
	d.Site, d.ReadOnly = s.Site, readOnly
	d.Policy = portal.CancelPolicy{DeadlineDays: p.CancelDeadlineDays, LateFeePercent: p.LateFeePercent}
	d.Terms = portal.CancellationTerms(d.Visit, d.Policy, tx.Now(), illness)
	d.Closed = portal.Closed(d.Visit, tx.Now())
	if d.Visit.Status == portal.VisitCancelledByCustomer {
		by, err := tx.VisitCancelledBy(ctx, visitID)
		if err != nil {
			return err
		}
		if by.AccountID != v.AccountID {
			d.CancelledBy = by
		}
	}
	return setLatestMove(ctx, tx, visitID, &d.Move)
}

// ShownTerms are the terms the customer saw when confirming a cancellation.
type ShownTerms struct {
	Sequence int
	Deadline time.Time
	FeeCents int64
}

// CancelVisit cancels a visit for the customer on the terms they were
// shown. If the terms differ now (the visit was moved, or the deadline
// passed), nothing changes and *TermsChangedError carries the new terms.
// The fee (cents and portal.FeeReason) is computed by the terms at this
// transaction's clock and kept on the visit; the cancellation and its fee
// go to the changes journal for the ERP in the same transaction.
func (a *App) CancelVisit(ctx context.Context, v Viewer, siteID, visitID int64, illness bool, shown ShownTerms) (portal.CancelTerms, error) {
	if v.Role != portal.RoleCustomer {
		return portal.CancelTerms{}, portal.ErrForbidden
	}
	var d VisitDetail
	var changed *TermsChangedError
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		if err := a.visitDetail(ctx, tx, v, CapCancel, siteID, visitID, illness, &d); err != nil {
			return err
		}
		if d.ReadOnly {
			return ErrReadOnly
		}
		if d.Terms.Refused != "" || d.Visit.Sequence != shown.Sequence || !d.Terms.Deadline.Equal(shown.Deadline) ||
			(!illness && d.Terms.FeeCents != shown.FeeCents) {
			changed = &TermsChangedError{Terms: d.Terms}
			return nil
		}
		actor, err := actorOf(ctx, tx, v, d.Site)
		if err != nil {
			return err
		}
		// The fee is fixed here, by the terms at this transaction's clock:
		// what the customer, the provider's staff and the ERP see later.
		if err := tx.CancelVisitByCustomer(ctx, visitID, d.Visit.Sequence, d.Terms.FeeCents, d.Terms.Reason(), actor); err != nil {
			return err
		}
		if err := tx.CloseMoveRequests(ctx, visitID); err != nil {
			return err
		}
		if actor.Grantee() {
			if err := a.tellOwner(ctx, tx, d.Site, d.Visit, actor, changeCancelled); err != nil {
				return err
			}
		}
		_, err = tx.AppendChange(ctx, store.ChangeOf{CustomerID: d.Site.CustomerID, SiteID: siteID, Actor: actor},
			portal.CustomerCancelledVisit{VisitID: visitID, VisitExternalID: d.Visit.ExternalID, FeeCents: d.Terms.FeeCents,
				FeeReason: d.Terms.Reason(), Illness: d.Terms.Illness, Deadline: d.Terms.Deadline})
		return err
	})
	if err != nil {
		return d.Terms, fmt.Errorf("cancel visit %d: %w", visitID, err)
	}
	if changed != nil {
		return changed.Terms, changed
	}
	a.wake() // the owner's mail and push, when a relative cancelled
	return d.Terms, nil
}

// CancelPreview returns the visit with the terms of cancelling it now for
// the given reason (illness or not), for the confirmation step the
// customer sees before CancelVisit: nothing changes. Only the customer may
// ask (staff and admins get portal.ErrForbidden, another account's visit is
// portal.ErrNotFound); a read-only site gives ErrReadOnly. If the visit is
// no longer at the shown sequence, or cannot be cancelled any more,
// *TermsChangedError carries the terms of now.
func (a *App) CancelPreview(ctx context.Context, v Viewer, siteID, visitID int64, illness bool, sequence int) (VisitDetail, error) {
	var d VisitDetail
	if v.Role != portal.RoleCustomer {
		return d, portal.ErrForbidden
	}
	err := a.db.Read(ctx, func(tx *store.Tx) error { return a.visitDetail(ctx, tx, v, CapCancel, siteID, visitID, illness, &d) })
	switch {
	case err != nil:
		return d, fmt.Errorf("cancel preview of visit %d: %w", visitID, err)
	case d.ReadOnly:
		return d, ErrReadOnly
	case d.Terms.Refused != "" || d.Visit.Sequence != sequence:
		return d, &TermsChangedError{Terms: d.Terms}
	}
	return d, nil
}

// SetVisitNote stores the customer's note for one visit ("please also
// clean the balcony door"); it goes to the changes journal for the
// provider's systems.
func (a *App) SetVisitNote(ctx context.Context, v Viewer, siteID, visitID int64, note string) error {
	note = strings.TrimSpace(strings.ToValidUTF8(note, ""))
	if utf8.RuneCountInString(note) > MaxNoteLength {
		return InvalidInput{{"note", "error.note.long"}}
	}
	if v.Role != portal.RoleCustomer {
		return portal.ErrForbidden
	}
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		var d VisitDetail
		if err := a.visitDetail(ctx, tx, v, CapNote, siteID, visitID, false, &d); err != nil {
			return err
		}
		if d.ReadOnly {
			return ErrReadOnly
		}
		if d.Visit.Status.Cancelled() || d.Visit.Status == portal.VisitDone {
			return InvalidInput{{"note", "error.note.closed"}}
		}
		actor, err := actorOf(ctx, tx, v, d.Site)
		if err != nil {
			return err
		}
		if err := tx.SetCustomerNote(ctx, visitID, note); err != nil {
			return err
		}
		_, err = tx.AppendChange(ctx, store.ChangeOf{CustomerID: d.Site.CustomerID, SiteID: siteID, Actor: actor},
			portal.VisitNoteSet{VisitID: visitID, VisitExternalID: d.Visit.ExternalID, Note: note})
		return err
	})
	if err != nil {
		return fmt.Errorf("note on visit %d: %w", visitID, err)
	}
	return nil
}

// readOnly applies portal.ReadOnly to a site's contracts today.
func (a *App) readOnly(ctx context.Context, tx *store.Tx, siteID int64) (bool, error) {
	contracts, err := tx.ContractsOfSite(ctx, siteID)
	if err != nil {
		return false, err
	}
	return portal.ReadOnly(contracts, portal.DateOf(tx.Now())), nil
}
