package portal

import "time"

// LiveStep is where a visit is on its day as the worker tells it (C12):
// not started, on the way, arrived, done.
type LiveStep string

// The live steps, in the order they are given.
const (
	LiveNone     LiveStep = ""
	LiveDeparted LiveStep = "departed"
	LiveArrived  LiveStep = "arrived"
	LiveDone     LiveStep = "done"
)

// LateAfter is how long after a visit's start with no "on the way" the
// provider sees the visit as late.
const LateAfter = 30 * time.Minute

// MaxArrivalEstimate is the longest arrival estimate a worker can give.
const MaxArrivalEstimate = 8 * time.Hour

// Live returns the step a visit has reached. A visit done in the ERP (no
// live steps given) is done as well.
func Live(v Visit) LiveStep {
	switch {
	case v.Status == VisitDone || !v.DoneAt.IsZero():
		return LiveDone
	case !v.ArrivedAt.IsZero():
		return LiveArrived
	case !v.DepartedAt.IsZero():
		return LiveDeparted
	}
	return LiveNone
}

// Why a live step is refused, as text keys (provider.live.refused.*).
const (
	LiveRefusedCancelled = "cancelled" // the visit is cancelled
	LiveRefusedDone      = "done"      // the visit is already done
	LiveRefusedDay       = "day"       // not the visit's day (Helsinki)
	LiveRefusedOrder     = "order"     // a step before it is missing, or it was given already
	LiveRefusedEarly     = "early"     // done before the visit started, with no arrival
)

// CheckLiveStep returns why step cannot be given for v at now, or "" when
// it can. The steps go in order: "on the way" first, then "arrived", then
// "done", each once, the first two only on the visit's day in Helsinki.
// "Done" is also the office's mark-done of a visit that never had live
// steps: on a later day it is allowed without them (as before C12); on
// the visit's day the worker arrives first.
func CheckLiveStep(v Visit, step LiveStep, now time.Time) string {
	at := Live(v)
	switch {
	case v.Status.Cancelled():
		return LiveRefusedCancelled
	case at == LiveDone:
		return LiveRefusedDone
	}
	switch step {
	case LiveDeparted, LiveArrived:
		if DateOf(now) != DateOf(v.StartsAt) {
			return LiveRefusedDay
		}
		if (step == LiveDeparted && at != LiveNone) || (step == LiveArrived && at != LiveDeparted) {
			return LiveRefusedOrder
		}
	case LiveDone:
		switch at {
		case LiveArrived:
		case LiveDeparted:
			return LiveRefusedOrder
		default:
			if now.Before(v.StartsAt) {
				return LiveRefusedEarly
			}
			if DateOf(now) == DateOf(v.StartsAt) {
				return LiveRefusedOrder
			}
		}
	default:
		return LiveRefusedOrder
	}
	return ""
}

// Late reports whether the provider should see v as late at now: on the
// visit's day, more than LateAfter after its start, open, and nobody on
// the way or arrived.
func Late(v Visit, now time.Time) bool {
	return !v.Status.Cancelled() && Live(v) == LiveNone && DateOf(now) == DateOf(v.StartsAt) &&
		now.Sub(v.StartsAt) > LateAfter
}
