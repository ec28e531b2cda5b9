package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// The provider's side: staff see and change the visits of their own
// provider's sites only, and answer the feedback on them. Every other
// viewer gets portal.ErrNotFound, as for a page that does not exist.

// MaxReasonLength is the longest reason or answer the provider can give.
const MaxReasonLength = 500

// ProviderPerPage is how many threads or feedback a page of the
// provider's lists shows.
const ProviderPerPage = 50

// MaxVisitLength is the longest a rescheduled visit may last.
const MaxVisitLength = 12 * time.Hour

// staff returns the provider a viewer works for, or portal.ErrNotFound
// when the viewer is not verified provider staff.
func (v Viewer) staff() (int64, error) {
	if !v.Verified || v.Role != portal.RoleStaff || v.ProviderID == 0 {
		return 0, portal.ErrNotFound
	}
	return v.ProviderID, nil
}

// ScheduleFilter picks which visits of the day the provider's schedule
// lists; ScheduleActive (the default) leaves the cancelled ones out.
type ScheduleFilter string

// The schedule's filters, as they appear in the page's address.
const (
	ScheduleActive    ScheduleFilter = ""
	ScheduleAll       ScheduleFilter = "kaikki"
	ScheduleAgreed    ScheduleFilter = "sovitut"
	ScheduleDone      ScheduleFilter = "tehdyt"
	ScheduleCancelled ScheduleFilter = "perutut"
	ScheduleMoves     ScheduleFilter = "siirtopyynnot"
)

// ScheduleFilters lists every filter in the order the page offers them.
var ScheduleFilters = []ScheduleFilter{ScheduleActive, ScheduleAgreed, ScheduleMoves, ScheduleDone, ScheduleCancelled, ScheduleAll}

// statuses are the visit statuses a filter keeps (nil: any status).
func (f ScheduleFilter) statuses() []portal.VisitStatus {
	switch f {
	case ScheduleActive:
		return []portal.VisitStatus{portal.VisitPlanned, portal.VisitConfirmed, portal.VisitInProgress, portal.VisitDone}
	case ScheduleAgreed:
		return []portal.VisitStatus{portal.VisitPlanned, portal.VisitConfirmed, portal.VisitInProgress}
	case ScheduleDone:
		return []portal.VisitStatus{portal.VisitDone}
	case ScheduleCancelled:
		return []portal.VisitStatus{portal.VisitCancelledByCustomer, portal.VisitCancelledByProvider}
	}
	return nil
}

// ScheduleQuery is what the staff member asked the schedule for: a
// Helsinki day (YYYY-MM-DD; empty or unreadable: today), a filter, a
// worker's first name (empty: everyone) and a page of the day from 1.
type ScheduleQuery struct {
	Day    string
	Filter ScheduleFilter
	Worker string
	Page   int
}

// SchedulePerPage is how many visits of a day one page of the schedule
// shows: a provider with 33 000 homes has thousands of visits a day.
const SchedulePerPage = 50

// MaxScheduleWorkers bounds the workers offered in the worker filter.
const MaxScheduleWorkers = 100

// ProviderSchedule is one Helsinki day of the provider's visits, filtered
// and a page at a time, with the move requests waiting for an answer.
type ProviderSchedule struct {
	// Day is the Helsinki day shown; Week is today, tomorrow and the rest
	// of this week (to Sunday).
	Day    portal.Date
	Week   []portal.Date
	Filter ScheduleFilter
	Worker string
	// Workers are the workers with visits on the day, for the filter.
	Workers []string
	Moves   []portal.ProviderVisit
	Visits  []portal.ProviderVisit
	Page    int
	More    bool
}

// ProviderVisits returns a day of the staff member's schedule.
func (a *App) ProviderVisits(ctx context.Context, v Viewer, q ScheduleQuery) (ProviderSchedule, error) {
	provider, err := v.staff()
	if err != nil {
		return ProviderSchedule{}, err
	}
	now := a.db.Now()
	today := portal.DateOf(now)
	out := ProviderSchedule{Day: today, Page: max(q.Page, 1), Worker: strings.TrimSpace(q.Worker)}
	if d, err := portal.ParseDate(q.Day); err == nil && d.Year >= 2000 && d.Year <= 9999 {
		out.Day = d
	}
	if slices.Contains(ScheduleFilters, q.Filter) {
		out.Filter = q.Filter
	}
	out.Week = append(out.Week, today, today.AddDays(1))
	for d := today.AddDays(2); d.Time().Weekday() != time.Monday && d.Time().Weekday() != time.Tuesday; d = d.AddDays(1) {
		out.Week = append(out.Week, d)
	}
	from := time.Date(out.Day.Year, out.Day.Month, out.Day.Day, 0, 0, 0, 0, portal.Helsinki)
	to := time.Date(out.Day.Year, out.Day.Month, out.Day.Day+1, 0, 0, 0, 0, portal.Helsinki)
	sq := store.ScheduleQuery{ProviderID: provider, From: from, To: to, Statuses: out.Filter.statuses(),
		MovePending: out.Filter == ScheduleMoves, Worker: out.Worker, Limit: SchedulePerPage + 1,
		Offset: (out.Page - 1) * SchedulePerPage}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if out.Moves, err = tx.ProviderMoveRequests(ctx, provider, 20); err != nil {
			return err
		}
		if out.Workers, err = tx.ProviderWorkers(ctx, provider, from, to, MaxScheduleWorkers); err != nil {
			return err
		}
		list, err := tx.ProviderSchedule(ctx, sq)
		if err != nil {
			return err
		}
		out.More = len(list) > SchedulePerPage
		out.Visits = list[:min(len(list), SchedulePerPage)]
		return tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role), Action: "provider.visits.list"})
	})
	if err != nil {
		return out, fmt.Errorf("provider visits: %w", err)
	}
	return out, nil
}

// ProviderVisitDetail is one visit as the provider's staff see it: the
// site with its access instructions, the customer's note, the newest move
// request and the customer's rating.
type ProviderVisitDetail struct {
	Visit  portal.ProviderVisit
	Site   portal.Site
	Move   *portal.MoveRequest
	Rating *portal.Feedback
	Closed string
	// CanMarkDone is true once the visit has started and is still open.
	CanMarkDone bool
}

// ProviderVisit returns one visit of the staff member's provider.
func (a *App) ProviderVisit(ctx context.Context, v Viewer, visitID int64) (ProviderVisitDetail, error) {
	var d ProviderVisitDetail
	provider, err := v.staff()
	if err != nil {
		return d, err
	}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if err := a.providerVisit(ctx, tx, provider, visitID, &d); err != nil {
			return err
		}
		if f, err := tx.FeedbackByKey(ctx, feedbackSource, ratingKey(visitID)); err == nil {
			d.Rating = &f
		} else if !errors.Is(err, portal.ErrNotFound) {
			return err
		}
		return tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role), Action: "visit.read",
			CustomerID: d.Site.CustomerID, SiteID: d.Site.ID, Detail: fmt.Sprint(visitID)})
	})
	if err != nil {
		return d, fmt.Errorf("provider visit %d: %w", visitID, err)
	}
	return d, nil
}

func (a *App) providerVisit(ctx context.Context, tx *store.Tx, provider, visitID int64, d *ProviderVisitDetail) error {
	var err error
	if d.Visit, err = tx.ProviderVisit(ctx, provider, visitID); err != nil {
		return err
	}
	s, err := tx.Site(ctx, store.Scope{ProviderID: provider}, d.Visit.Visit.SiteID)
	if err != nil {
		return err
	}
	d.Site = s.Site
	if err := setLatestMove(ctx, tx, visitID, &d.Move); err != nil {
		return err
	}
	now := tx.Now()
	d.Closed = portal.Closed(d.Visit.Visit, now)
	st := d.Visit.Visit.Status
	d.CanMarkDone = !st.Cancelled() && st != portal.VisitDone && !now.Before(d.Visit.Visit.StartsAt)
	return nil
}

// providerChange runs one change of a visit by the staff member: it loads
// the visit (only of their provider), lets change do its part, closes a
// pending move request unless the change answered it, and writes the
// changes journal, the audit log and a system message in the site's
// thread, all in one transaction. change returns the event (of the given
// kind) and the message's body. seq is the visit's sequence the staff
// member saw; if the visit changed since, nothing changes and
// portal.ErrConflict is returned.
func (a *App) providerChange(ctx context.Context, v Viewer, visitID int64, seq int, kind portal.EventKind,
	change func(tx *store.Tx, d *ProviderVisitDetail) (event portal.Event, body string, err error)) error {
	provider, err := v.staff()
	if err != nil {
		return err
	}
	var siteID int64
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		var d ProviderVisitDetail
		if err := a.providerVisit(ctx, tx, provider, visitID, &d); err != nil {
			return err
		}
		siteID = d.Site.ID
		if d.Visit.Visit.Sequence != seq {
			return portal.ErrConflict
		}
		event, body, err := change(tx, &d)
		if err != nil {
			return err
		}
		if event.Kind() != kind {
			return fmt.Errorf("%s answered by a %s event", kind, event.Kind())
		}
		if err := tx.CloseMoveRequests(ctx, visitID); err != nil {
			return err
		}
		if _, err := tx.AppendChange(ctx, store.ChangeOf{CustomerID: d.Site.CustomerID, SiteID: d.Site.ID}, event); err != nil {
			return err
		}
		// The thread's message keeps the event's data: the reader's page
		// writes it in the reader's language.
		data, err := store.EventData(event)
		if err != nil {
			return err
		}
		if _, err := tx.PostSystemMessage(ctx, d.Site.ID, portal.Message{Kind: string(kind), Data: data, Body: body}); err != nil {
			return err
		}
		// The customer's devices hear of a moved or cancelled visit; the
		// message in the thread tells the details.
		if kind != portal.KindVisitMarkedDone {
			readers, err := customerAccounts(ctx, tx, d.Site, CapNotify)
			if err != nil {
				return err
			}
			if err := a.notifyAccounts(ctx, tx, readers, portal.NotifyVisitChanged, "notify.visit.title",
				"notify.visit.body", visitPath(d.Site.ID, visitID), "site", siteLabel(d.Site)); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role), Action: string(kind),
			CustomerID: d.Site.CustomerID, SiteID: d.Site.ID, Detail: fmt.Sprint(visitID)})
	})
	if err != nil {
		return fmt.Errorf("%s %d: %w", kind, visitID, err)
	}
	a.published(siteID)
	a.wake()
	return nil
}

// RescheduleVisit moves a visit to a new day and time window (Helsinki
// time). The new start must be in the future and the window at most
// MaxVisitLength long.
func (a *App) RescheduleVisit(ctx context.Context, v Viewer, visitID int64, seq int, from, to LocalTime) error {
	start, ok1 := from.Time()
	end, ok2 := LocalTime{from.Date, to.Clock}.Time()
	switch {
	case !ok1:
		return InvalidInput{{"start", "error.move.format"}}
	case !ok2:
		return InvalidInput{{"end", "error.move.format"}}
	case !end.After(start) || end.Sub(start) > MaxVisitLength:
		return InvalidInput{{"end", "error.reschedule.window"}}
	}
	return a.providerChange(ctx, v, visitID, seq, portal.KindVisitRescheduled, func(tx *store.Tx, d *ProviderVisitDetail) (portal.Event, string, error) {
		if d.Closed != "" {
			return nil, "", InvalidInput{{"start", "move.refused." + d.Closed}}
		}
		if !start.After(tx.Now()) {
			return nil, "", InvalidInput{{"start", "error.move.past"}}
		}
		old := d.Visit.Visit
		if err := tx.RescheduleVisit(ctx, visitID, seq, start, end); err != nil {
			return nil, "", err
		}
		return portal.VisitRescheduled{VisitID: visitID, VisitExternalID: old.ExternalID, From: old.StartsAt, StartsAt: start, EndsAt: end},
			fmt.Sprintf("Palveluntuottaja siirsi palveluvuoron %s: uusi aika %s–%s.", fiTime(old.StartsAt), fiTime(start),
				end.In(portal.Helsinki).Format("15.04")), nil
	})
}

// CancelVisitForProvider cancels a visit for the provider; a reason is
// required and is shown to the customer. A provider's cancellation is
// never charged.
func (a *App) CancelVisitForProvider(ctx context.Context, v Viewer, visitID int64, seq int, reason string) error {
	reason, err := cleanReason(reason, "reason", true)
	if err != nil {
		return err
	}
	return a.providerChange(ctx, v, visitID, seq, portal.KindProviderCancelledVisit, func(tx *store.Tx, d *ProviderVisitDetail) (portal.Event, string, error) {
		if d.Closed == portal.CancelRefusedCancelled || d.Closed == portal.CancelRefusedDone {
			return nil, "", InvalidInput{{"reason", "visit.refused." + d.Closed}}
		}
		if err := tx.CancelVisitByProvider(ctx, visitID, seq, reason); err != nil {
			return nil, "", err
		}
		// A cancellation by the provider is always emailed, besides the
		// message in the thread.
		if err := a.mailCustomer(ctx, tx, d.Site, "visit_cancelled", map[string]string{"site": siteLabel(d.Site),
			"visit": d.Visit.Visit.StartsAt.In(portal.Helsinki).Format("2.1.2006 15.04"), "reason": reason,
			"url": a.baseURL + visitPath(d.Site.ID, visitID)}); err != nil {
			return nil, "", err
		}
		return portal.ProviderCancelledVisit{VisitID: visitID, VisitExternalID: d.Visit.Visit.ExternalID, StartsAt: d.Visit.Visit.StartsAt,
				Reason: reason},
			fmt.Sprintf("Palveluntuottaja perui palveluvuoron %s. Syy: %s", fiTime(d.Visit.Visit.StartsAt), reason), nil
	})
}

// MarkVisitDone marks a started visit done.
func (a *App) MarkVisitDone(ctx context.Context, v Viewer, visitID int64, seq int) error {
	return a.providerChange(ctx, v, visitID, seq, portal.KindVisitMarkedDone, func(tx *store.Tx, d *ProviderVisitDetail) (portal.Event, string, error) {
		if !d.CanMarkDone {
			return nil, "", InvalidInput{{"", "error.done.early"}}
		}
		if err := tx.MarkVisitDone(ctx, visitID, seq); err != nil {
			return nil, "", err
		}
		return portal.VisitMarkedDone{VisitID: visitID, VisitExternalID: d.Visit.Visit.ExternalID, StartsAt: d.Visit.Visit.StartsAt},
			fmt.Sprintf("Palveluvuoro %s on tehty.", fiTime(d.Visit.Visit.StartsAt)), nil
	})
}

// AnswerMove answers a pending move request: accept moves the visit to
// the chosen proposed start (keeping its length); decline leaves it where
// it is, with an optional note to the customer.
func (a *App) AnswerMove(ctx context.Context, v Viewer, visitID int64, seq int, requestID int64, accept bool, option int, answer string) error {
	answer, err := cleanReason(answer, "answer", false)
	if err != nil {
		return err
	}
	kind := portal.KindVisitMoveDeclined
	if accept {
		kind = portal.KindVisitMoveAccepted
	}
	return a.providerChange(ctx, v, visitID, seq, kind, func(tx *store.Tx, d *ProviderVisitDetail) (portal.Event, string, error) {
		m := d.Move
		if m == nil || m.ID != requestID || m.Status != portal.MovePending {
			return nil, "", portal.ErrConflict
		}
		old := d.Visit.Visit
		if !accept {
			if err := tx.AnswerMoveRequest(ctx, m.ID, portal.MoveDeclined, time.Time{}, answer, v.AccountID); err != nil {
				return nil, "", err
			}
			body := fmt.Sprintf("Palveluntuottaja ei voi siirtää palveluvuoroa %s.", fiTime(old.StartsAt))
			if answer != "" {
				body += " " + answer
			}
			return portal.VisitMoveDeclined{VisitID: visitID, VisitExternalID: old.ExternalID, RequestID: m.ID, StartsAt: old.StartsAt,
				Answer: answer}, body, nil
		}
		if option < 1 || option > len(m.Options) {
			return nil, "", InvalidInput{{"option", "error.move.choose"}}
		}
		start := m.Options[option-1]
		if d.Closed != "" {
			return nil, "", InvalidInput{{"option", "move.refused." + d.Closed}}
		}
		if !start.After(tx.Now()) {
			return nil, "", InvalidInput{{"option", "error.move.past"}}
		}
		end := start.Add(old.EndsAt.Sub(old.StartsAt))
		if err := tx.AnswerMoveRequest(ctx, m.ID, portal.MoveAccepted, start, answer, v.AccountID); err != nil {
			return nil, "", err
		}
		if err := tx.RescheduleVisit(ctx, visitID, seq, start, end); err != nil {
			return nil, "", err
		}
		body := fmt.Sprintf("Palveluntuottaja hyväksyi siirron: palveluvuoro %s siirtyy aikaan %s.", fiTime(old.StartsAt), fiTime(start))
		if answer != "" {
			body += " " + answer
		}
		return portal.VisitMoveAccepted{VisitID: visitID, VisitExternalID: old.ExternalID, RequestID: m.ID, From: old.StartsAt,
			StartsAt: start, EndsAt: end, Answer: answer}, body, nil
	})
}

// ProviderFeedbackList returns a page of the feedback on the staff
// member's sites, unanswered first.
func (a *App) ProviderFeedbackList(ctx context.Context, v Viewer, page int) (list []portal.ProviderFeedback, more bool, err error) {
	provider, err := v.staff()
	if err != nil {
		return nil, false, err
	}
	page = max(page, 1)
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if list, err = tx.ProviderFeedbackList(ctx, provider, ProviderPerPage+1, (page-1)*ProviderPerPage); err != nil {
			return err
		}
		more = len(list) > ProviderPerPage
		list = list[:min(len(list), ProviderPerPage)]
		return tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role), Action: "provider.feedback.list"})
	})
	if err != nil {
		return nil, false, fmt.Errorf("provider feedback: %w", err)
	}
	return list, more, nil
}

// ReplyToFeedback stores the provider's reply to feedback on one of its
// sites (replacing an earlier reply); the customer sees it in the site's
// feedback history.
func (a *App) ReplyToFeedback(ctx context.Context, v Viewer, feedbackID int64, reply string) error {
	provider, err := v.staff()
	if err != nil {
		return err
	}
	reply, err = cleanReason(reply, "reply", true)
	if err != nil {
		return err
	}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		f, err := tx.ProviderFeedbackItem(ctx, provider, feedbackID)
		if err != nil {
			return err
		}
		if err := tx.ReplyFeedback(ctx, feedbackID, reply); err != nil {
			return err
		}
		s, err := tx.Site(ctx, store.Scope{ProviderID: provider}, f.Feedback.SiteID)
		if err != nil {
			return err
		}
		if _, err := tx.AppendChange(ctx, store.ChangeOf{CustomerID: s.Site.CustomerID, SiteID: s.Site.ID},
			portal.FeedbackReplied{FeedbackID: feedbackID, FeedbackExternalID: f.Feedback.ExternalID, Reply: reply}); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEntry{ActorAccountID: v.AccountID, ActorRole: string(v.Role), Action: "feedback.replied",
			CustomerID: s.Site.CustomerID, SiteID: s.Site.ID, Detail: fmt.Sprint(feedbackID)})
	})
	if err != nil {
		return fmt.Errorf("reply to feedback %d: %w", feedbackID, err)
	}
	return nil
}

// cleanReason trims a provider's text and checks its length; field names
// the form field for the error.
func cleanReason(s, field string, required bool) (string, error) {
	s = strings.TrimSpace(strings.ToValidUTF8(s, ""))
	switch {
	case required && s == "":
		return "", InvalidInput{{field, "error.reason.required"}}
	case utf8.RuneCountInString(s) > MaxReasonLength:
		return "", InvalidInput{{field, "error.reason.long"}}
	}
	return s, nil
}

// fiTime writes a time the Finnish way in Helsinki time, for the Finnish
// body of a system message ("10.12.2026 klo 9.00").
func fiTime(t time.Time) string { return t.In(portal.Helsinki).Format("2.1.2006 klo 15.04") }

// mailCustomer queues a mail to the address on a site's customer record,
// in the language of the account of that address (Finnish without one).
func (a *App) mailCustomer(ctx context.Context, tx *store.Tx, site portal.Site, kind string, data map[string]string) error {
	if a.mailer == nil {
		return nil
	}
	c, err := tx.CustomerByID(ctx, site.CustomerID)
	if err != nil || c.Email == "" {
		return err
	}
	lang := "fi"
	if acc, err := tx.VerifiedAccountByEmail(ctx, c.Email); err == nil {
		lang = orDefault(acc.Language, lang)
	} else if !errors.Is(err, portal.ErrNotFound) {
		return err
	}
	return a.mailer.Enqueue(ctx, tx, kind, lang, c.Email, data)
}

// visitPath is where the customer sees a visit.
func visitPath(siteID, visitID int64) string {
	return fmt.Sprintf("/kohteet/%d/palveluvuorot/%d", siteID, visitID)
}
