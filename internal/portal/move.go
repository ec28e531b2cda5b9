package portal

import "time"

// MoveStatus is the state of a customer's request to move a visit.
type MoveStatus string

// The states of a move request. A pending request is answered by the
// provider (accepted or declined), replaced by the customer's newer
// request, or closed when the visit changes in another way.
const (
	MovePending  MoveStatus = "pending"
	MoveAccepted MoveStatus = "accepted"
	MoveDeclined MoveStatus = "declined"
	MoveReplaced MoveStatus = "replaced"
	MoveClosed   MoveStatus = "closed"
)

// MaxMoveOptions is how many start times a move request may propose.
const MaxMoveOptions = 3

// MaxMoveAhead is how far ahead a proposed time may be.
const MaxMoveAhead = 366 * 24 * time.Hour

// MoveRequest is a customer's request to move a visit to one of the
// proposed start times; the visit keeps its length.
type MoveRequest struct {
	ID        int64
	VisitID   int64
	AccountID int64
	// By is who asked, with their role on the site (the zero Actor for a
	// request made before actors were kept); By.AccountID is AccountID.
	By         Actor
	Status     MoveStatus
	Options    []time.Time
	Message    string
	Answer     string
	ChosenAt   time.Time // the accepted start time
	AnsweredAt time.Time
	CreatedAt  time.Time
}

// Why a visit cannot be changed: cancelled, done, or started (or past).
// The same reasons refuse a cancellation, a move request and a provider's
// reschedule.
const (
	CancelRefusedCancelled = "cancelled" // already cancelled
	CancelRefusedDone      = "done"      // done already
	CancelRefusedStarted   = "started"   // started or in the past
)

// Closed returns why a visit can no longer be cancelled, moved or
// rescheduled at now, or "" when it still can.
func Closed(v Visit, now time.Time) string {
	switch {
	case v.Status.Cancelled():
		return CancelRefusedCancelled
	case v.Status == VisitDone:
		return CancelRefusedDone
	case v.Status == VisitInProgress || !now.Before(v.StartsAt):
		return CancelRefusedStarted
	}
	return ""
}

// Problems with proposed start times, as text keys of the form field.
const (
	MoveNoOptions = "error.move.none"
	MovePast      = "error.move.past"
	MoveFar       = "error.move.far"
	MoveSame      = "error.move.same"
	MoveTooMany   = "error.move.many"
)

// CheckMoveOptions checks the start times a customer proposes for a visit
// at now: one to MaxMoveOptions of them, each in the future (not before
// now), within MaxMoveAhead, and none the visit's current start. It
// returns the first problem's text key, or "".
func CheckMoveOptions(v Visit, options []time.Time, now time.Time) string {
	switch {
	case len(options) == 0:
		return MoveNoOptions
	case len(options) > MaxMoveOptions:
		return MoveTooMany
	}
	for _, o := range options {
		switch {
		case !o.After(now):
			return MovePast
		case o.Sub(now) > MaxMoveAhead:
			return MoveFar
		case o.Equal(v.StartsAt):
			return MoveSame
		}
	}
	return ""
}
