package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// Feedback rules: a done visit can be rated 1-5 within RatingWindow of its
// end, once (the rating can be changed within the window).
const (
	RatingWindow     = 30 * 24 * time.Hour
	MaxFeedbackChars = 2000
)

// feedbackSource marks feedback given in the portal.
const feedbackSource = "portal"

// CanRate reports whether a visit can be rated at now: once it is done
// and has ended, or at once when the worker marked it done ("Valmis",
// which may come before the planned end), within RatingWindow of its end.
func CanRate(v portal.Visit, now time.Time) bool {
	ended := !now.Before(v.EndsAt) || (!v.DoneAt.IsZero() && !now.Before(v.DoneAt))
	return v.Status == portal.VisitDone && ended && now.Sub(v.EndsAt) <= RatingWindow
}

func cleanComment(s string) (string, error) {
	s = strings.TrimSpace(strings.ToValidUTF8(s, ""))
	if utf8.RuneCountInString(s) > MaxFeedbackChars {
		return "", InvalidInput{{"comment", "error.comment.long"}}
	}
	return s, nil
}

// RateVisit stores the customer's rating of a done visit (1-5 stars and an
// optional comment), or replaces their earlier rating of it.
func (a *App) RateVisit(ctx context.Context, v Viewer, siteID, visitID int64, rating int, comment string) error {
	if v.Role != portal.RoleCustomer {
		return portal.ErrForbidden
	}
	comment, bad := cleanComment(comment)
	if bad == nil && (rating < 1 || rating > 5) {
		bad = InvalidInput{{"rating", "error.rating.range"}}
	}
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		// Whether the viewer may rate here comes first: one who may not
		// (a follower) is refused alike whatever they typed.
		s, err := tx.Site(ctx, v.siteScope(siteID, CapRate), siteID)
		if err != nil {
			return err
		}
		if bad != nil {
			return bad
		}
		visit, err := tx.VisitOfSite(ctx, siteID, visitID)
		if err != nil {
			return err
		}
		if !CanRate(visit, tx.Now()) {
			return InvalidInput{{"rating", "error.rating.closed"}}
		}
		actor, err := actorOf(ctx, tx, v, s.Site)
		if err != nil {
			return err
		}
		id, err := tx.UpsertFeedback(ctx, portal.Feedback{SiteID: siteID, VisitID: visitID, AuthorAccountID: v.AccountID,
			Source: feedbackSource, ExternalID: ratingKey(visitID), Rating: rating, Comment: comment})
		if err != nil {
			return err
		}
		_, err = tx.AppendChange(ctx, store.ChangeOf{CustomerID: s.Site.CustomerID, SiteID: siteID, Actor: actor},
			portal.VisitRated{FeedbackID: id, VisitExternalID: visit.ExternalID, Rating: rating, Comment: comment})
		return err
	})
	if err != nil {
		return fmt.Errorf("rate visit %d: %w", visitID, err)
	}
	return nil
}

// SiteFeedback gives general feedback about the service at a site.
func (a *App) SiteFeedback(ctx context.Context, v Viewer, siteID int64, comment string) error {
	if v.Role != portal.RoleCustomer {
		return portal.ErrForbidden
	}
	comment, err := cleanComment(comment)
	if err != nil {
		return err
	}
	if comment == "" {
		return InvalidInput{{"comment", "error.comment.empty"}}
	}
	b := make([]byte, 8)
	rand.Read(b)
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		s, err := tx.Site(ctx, v.siteScope(siteID, CapFeedback), siteID)
		if err != nil {
			return err
		}
		actor, err := actorOf(ctx, tx, v, s.Site)
		if err != nil {
			return err
		}
		id, err := tx.UpsertFeedback(ctx, portal.Feedback{SiteID: siteID, AuthorAccountID: v.AccountID, Source: feedbackSource,
			ExternalID: "site-" + hex.EncodeToString(b), Comment: comment})
		if err != nil {
			return err
		}
		_, err = tx.AppendChange(ctx, store.ChangeOf{CustomerID: s.Site.CustomerID, SiteID: siteID, Actor: actor},
			portal.SiteFeedbackGiven{FeedbackID: id, Comment: comment})
		return err
	})
	if err != nil {
		return fmt.Errorf("feedback on site %d: %w", siteID, err)
	}
	return nil
}

// FeedbackHistory is a site's feedback, migrated and given here, newest
// first, with the provider's replies.
func (a *App) FeedbackHistory(ctx context.Context, v Viewer, siteID int64) (portal.Site, []portal.Feedback, error) {
	var site portal.Site
	var out []portal.Feedback
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		s, err := tx.Site(ctx, v.siteScope(siteID, CapFeedback), siteID)
		if err != nil {
			return err
		}
		site = s.Site
		out, err = tx.FeedbackOfSite(ctx, siteID)
		return err
	})
	if err != nil {
		return site, nil, fmt.Errorf("feedback of site %d: %w", siteID, err)
	}
	if v.audited() {
		return site, out, a.audit(ctx, v, "feedback.list", site.CustomerID, siteID)
	}
	return site, out, nil
}

// ratingKey is the external id of the portal's rating of a visit: one per
// visit, so a new rating replaces the earlier one.
func ratingKey(visitID int64) string { return "visit-" + strconv.FormatInt(visitID, 10) }

// VisitRating returns the rating given in the portal to a visit of a site
// the viewer may see, if any.
func (a *App) VisitRating(ctx context.Context, v Viewer, siteID, visitID int64) (portal.Feedback, bool, error) {
	var f portal.Feedback
	found := false
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Site(ctx, v.siteScope(siteID, CapFeedback), siteID); err != nil {
			return err
		}
		var err error
		f, err = tx.FeedbackByKey(ctx, feedbackSource, ratingKey(visitID))
		if errors.Is(err, portal.ErrNotFound) {
			return nil
		}
		found = err == nil && f.SiteID == siteID && f.Rating > 0
		return err
	})
	if err != nil {
		return f, false, fmt.Errorf("rating of visit %d: %w", visitID, err)
	}
	return f, found, nil
}

// PortalFeedbackInput is what the "feedback about the portal" form sends.
type PortalFeedbackInput struct {
	Message        string
	ContactAllowed bool
	ContactEmail   string // used only when contact is allowed; a signed-in person's own address by default
	Language       string
	Page           string // the local page the person came from
}

// GivePortalFeedback stores feedback about the portal for the chain. Anyone
// may send it, signed in or not (v may be nil).
func (a *App) GivePortalFeedback(ctx context.Context, v *Viewer, in PortalFeedbackInput) error {
	msg, err := cleanComment(in.Message)
	if err != nil {
		return InvalidInput{{"message", "error.comment.long"}}
	}
	if msg == "" {
		return InvalidInput{{"message", "error.comment.empty"}}
	}
	f := portal.PortalFeedback{Message: msg, ContactAllowed: in.ContactAllowed, Language: in.Language, Page: truncate(in.Page, 300)}
	if v != nil {
		f.AccountID = v.AccountID
	}
	if in.ContactAllowed {
		email := strings.TrimSpace(in.ContactEmail)
		if email == "" && v != nil && v.Verified {
			email = v.Email
		}
		clean, err := emailaddr.Check(email)
		if err != nil {
			return InvalidInput{{"email", emailErrorKey(err, "error.email.invalid")}}
		}
		f.ContactEmail = clean
	}
	return a.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.AddPortalFeedback(ctx, f)
		return err
	})
}
