package portal

import "time"

// EventKind names a kind of change event as the changes journal and the
// ERP's feed name it. The strings are the feed's contract: once published
// they do not change.
type EventKind string

// The kinds of change events, one per Event type below. Events lists them
// all; the API's OpenAPI document lists the same set (a test holds them
// together).
const (
	KindCustomerCancelledVisit  EventKind = "visit.cancelled_by_customer"
	KindVisitNoteSet            EventKind = "visit.note"
	KindVisitMoveRequested      EventKind = "visit.move_requested"
	KindVisitRescheduled        EventKind = "visit.rescheduled"
	KindProviderCancelledVisit  EventKind = "visit.cancelled_by_provider"
	KindVisitMarkedDone         EventKind = "visit.done"
	KindVisitDeparted           EventKind = "visit.departed"
	KindVisitArrived            EventKind = "visit.arrived"
	KindVisitMoveAccepted       EventKind = "visit.move_accepted"
	KindVisitMoveDeclined       EventKind = "visit.move_declined"
	KindVisitRated              EventKind = "feedback.visit"
	KindSiteFeedbackGiven       EventKind = "feedback.site"
	KindFeedbackReplied         EventKind = "feedback.replied"
	KindSiteAccessChanged       EventKind = "site.access_changed"
	KindDeductionConsentChanged EventKind = "deduction.consent_changed"
	KindGrantGiven              EventKind = "grant.given"
	KindGrantAccepted           EventKind = "grant.accepted"
	KindGrantEnded              EventKind = "grant.ended"
)

// Event is one change made in the portal that the ERP must learn about:
// an entry of the changes journal. Each kind is a struct of its own with
// the ids of what it is about; the store turns it into the journal row
// (entity and data), the API documents its data per kind.
type Event interface {
	Kind() EventKind
}

// Events returns one (zero) value of every event type, in the order of
// the kind constants: the set the OpenAPI document and the store's
// encoding are tested against.
func Events() []Event {
	return []Event{CustomerCancelledVisit{}, VisitNoteSet{}, VisitMoveRequested{}, VisitRescheduled{},
		ProviderCancelledVisit{}, VisitMarkedDone{}, VisitDeparted{}, VisitArrived{}, VisitMoveAccepted{}, VisitMoveDeclined{}, VisitRated{},
		SiteFeedbackGiven{}, FeedbackReplied{}, SiteAccessChanged{}, DeductionConsentChanged{}, GrantGiven{}, GrantAccepted{},
		GrantEnded{}}
}

// CustomerCancelledVisit: the customer cancelled a visit on the terms
// shown to them (a fee after the deadline unless ill).
type CustomerCancelledVisit struct {
	VisitID         int64
	VisitExternalID string
	FeeCents        int64
	FeeReason       FeeReason
	Illness         bool
	Deadline        time.Time
}

// VisitNoteSet: the customer wrote (or cleared) their note for a visit.
type VisitNoteSet struct {
	VisitID         int64
	VisitExternalID string
	Note            string
}

// VisitMoveRequested: the customer asked the provider to move a visit to
// one of a few proposed starts.
type VisitMoveRequested struct {
	VisitID         int64
	VisitExternalID string
	RequestID       int64
	Options         []time.Time
	Message         string
}

// VisitRescheduled: the provider moved a visit from From to a new window.
type VisitRescheduled struct {
	VisitID          int64
	VisitExternalID  string
	From             time.Time
	StartsAt, EndsAt time.Time
}

// ProviderCancelledVisit: the provider cancelled a visit, with a reason
// shown to the customer. A provider's cancellation is never charged.
type ProviderCancelledVisit struct {
	VisitID         int64
	VisitExternalID string
	StartsAt        time.Time
	Reason          string
}

// VisitMarkedDone: the provider marked a visit done, at DoneAt, with an
// optional note to the customer.
type VisitMarkedDone struct {
	VisitID         int64
	VisitExternalID string
	StartsAt        time.Time
	DoneAt          time.Time
	Note            string
}

// VisitDeparted: the worker set off to today's visit at DepartedAt,
// expecting to arrive at ArrivalEstimate (zero: no estimate).
type VisitDeparted struct {
	VisitID         int64
	VisitExternalID string
	StartsAt        time.Time
	DepartedAt      time.Time
	ArrivalEstimate time.Time
}

// VisitArrived: the worker arrived at the visit's site at ArrivedAt.
type VisitArrived struct {
	VisitID         int64
	VisitExternalID string
	StartsAt        time.Time
	ArrivedAt       time.Time
}

// VisitMoveAccepted: the provider accepted a move request; the visit moved
// from From to the chosen window.
type VisitMoveAccepted struct {
	VisitID          int64
	VisitExternalID  string
	RequestID        int64
	From             time.Time
	StartsAt, EndsAt time.Time
	Answer           string
}

// VisitMoveDeclined: the provider declined a move request; the visit
// stays at StartsAt.
type VisitMoveDeclined struct {
	VisitID         int64
	VisitExternalID string
	RequestID       int64
	StartsAt        time.Time
	Answer          string
}

// VisitRated: the customer rated a done visit (or changed the rating).
type VisitRated struct {
	FeedbackID      int64
	VisitExternalID string
	Rating          int
	Comment         string
}

// SiteFeedbackGiven: the customer gave general feedback about the service
// at a site.
type SiteFeedbackGiven struct {
	FeedbackID int64
	Comment    string
}

// FeedbackReplied: the provider replied to a customer's feedback.
type FeedbackReplied struct {
	FeedbackID         int64
	FeedbackExternalID string
	Reply              string
}

// SiteAccessChanged: the customer changed a site's access instructions.
// Fields names the changed fields (sorted), never their content: a door
// code travels no further than it must.
type SiteAccessChanged struct {
	SiteID         int64
	SiteExternalID string
	Fields         []string
}

// DeductionConsentChanged: the customer turned the household-deduction
// consent on or off, or changed its payers.
type DeductionConsentChanged struct {
	CustomerID  int64
	Enabled     bool
	Payers      int
	CodesKept   int
	TextVersion string
}

// GrantGiven: a site's owner invited a person (by email) to look after or
// follow the site (family access, PRODUCT.md C11). The invitation gives
// access only once accepted, and can be accepted until ExpiresAt.
type GrantGiven struct {
	GrantID        int64
	SiteExternalID string
	Role           string // "follower" or "caretaker"
	GranteeEmail   string
	GivenAt        time.Time
	ExpiresAt      time.Time
}

// GrantAccepted: the invited person accepted: from AcceptedAt on they may
// act for the customer at the site in the role.
type GrantAccepted struct {
	GrantID        int64
	SiteExternalID string
	Role           string
	GranteeEmail   string
	GivenAt        time.Time
	AcceptedAt     time.Time
}

// GrantEnded: the owner revoked a grant (or withdrew an invitation), or
// the grantee left: from EndedAt on they may no longer act at the site.
// AcceptedAt is zero for an invitation that was never accepted; EndedBy
// is "owner" or "grantee".
type GrantEnded struct {
	GrantID        int64
	SiteExternalID string
	Role           string
	GranteeEmail   string
	GivenAt        time.Time
	AcceptedAt     time.Time
	EndedAt        time.Time
	EndedBy        string
}

// Kind is the event's kind.
func (GrantGiven) Kind() EventKind { return KindGrantGiven }

// Kind is the event's kind.
func (GrantAccepted) Kind() EventKind { return KindGrantAccepted }

// Kind is the event's kind.
func (GrantEnded) Kind() EventKind { return KindGrantEnded }

// Kind is the event's kind.
func (CustomerCancelledVisit) Kind() EventKind { return KindCustomerCancelledVisit }

// Kind is the event's kind.
func (VisitNoteSet) Kind() EventKind { return KindVisitNoteSet }

// Kind is the event's kind.
func (VisitMoveRequested) Kind() EventKind { return KindVisitMoveRequested }

// Kind is the event's kind.
func (VisitRescheduled) Kind() EventKind { return KindVisitRescheduled }

// Kind is the event's kind.
func (ProviderCancelledVisit) Kind() EventKind { return KindProviderCancelledVisit }

// Kind is the event's kind.
func (VisitMarkedDone) Kind() EventKind { return KindVisitMarkedDone }

// Kind is the event's kind.
func (VisitDeparted) Kind() EventKind { return KindVisitDeparted }

// Kind is the event's kind.
func (VisitArrived) Kind() EventKind { return KindVisitArrived }

// Kind is the event's kind.
func (VisitMoveAccepted) Kind() EventKind { return KindVisitMoveAccepted }

// Kind is the event's kind.
func (VisitMoveDeclined) Kind() EventKind { return KindVisitMoveDeclined }

// Kind is the event's kind.
func (VisitRated) Kind() EventKind { return KindVisitRated }

// Kind is the event's kind.
func (SiteFeedbackGiven) Kind() EventKind { return KindSiteFeedbackGiven }

// Kind is the event's kind.
func (FeedbackReplied) Kind() EventKind { return KindFeedbackReplied }

// Kind is the event's kind.
func (SiteAccessChanged) Kind() EventKind { return KindSiteAccessChanged }

// Kind is the event's kind.
func (DeductionConsentChanged) Kind() EventKind { return KindDeductionConsentChanged }
