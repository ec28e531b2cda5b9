package portal

import "time"

// CancelPolicy is the chain's rule for customer cancellations: free until
// DeadlineDays before the start (at the same local clock time, Helsinki,
// so a DST change in between does not move it), after that a fee of
// LateFeePercent of the visit's price.
type CancelPolicy struct {
	DeadlineDays   int
	LateFeePercent int
}

// CancelTerms are what cancelling a visit now would mean, shown before the
// customer confirms.
type CancelTerms struct {
	// Refused names why the visit cannot be cancelled ("" when it can).
	Refused string
	// Deadline is the last moment of free cancellation.
	Deadline time.Time
	// Free is true when no fee is due (before the deadline, or illness).
	Free bool
	// FeeCents is the late-cancellation fee (0 when free).
	FeeCents int64
	// Illness says the fee was waived because the customer is ill.
	Illness bool
}

// CancelDeadline returns the last moment of free cancellation of a visit
// starting at start: the same Helsinki clock time days earlier.
func CancelDeadline(start time.Time, days int) time.Time {
	l := start.In(Helsinki)
	return time.Date(l.Year(), l.Month(), l.Day()-days, l.Hour(), l.Minute(), l.Second(), 0, Helsinki)
}

// CancellationTerms applies the policy to a visit at time now. Cancelling
// exactly at the deadline is still free; one moment later the fee is due,
// unless the customer is ill. A visit that has started, is done or is
// already cancelled cannot be cancelled.
func CancellationTerms(v Visit, p CancelPolicy, now time.Time, illness bool) CancelTerms {
	t := CancelTerms{Deadline: CancelDeadline(v.StartsAt, p.DeadlineDays)}
	if t.Refused = Closed(v, now); t.Refused != "" {
		return t
	}
	if !now.After(t.Deadline) {
		t.Free = true
		return t
	}
	if illness {
		t.Free, t.Illness = true, true
		return t
	}
	t.FeeCents = (v.PriceCents*int64(p.LateFeePercent) + 50) / 100
	t.Free = t.FeeCents == 0
	return t
}

// FeeReason says why a cancellation costs what it costs: the customer and
// the provider's staff see it on the cancelled visit, the ERP reads it in
// the changes feed (fee_reason). The strings are the feed's contract.
type FeeReason string

// The fee reasons of a cancellation. FeeUnknown is a visit cancelled before
// the portal kept the fee (or in the ERP): nothing is claimed about it.
const (
	FeeUnknown FeeReason = ""
	FeeCharged FeeReason = "charged"
	FeeFree    FeeReason = "free"
	FeeIllness FeeReason = "illness"
)

// FeeReasons lists the reasons a cancellation can have.
var FeeReasons = []FeeReason{FeeCharged, FeeFree, FeeIllness}

// Reason tells the fee reason of cancelling on these terms: charged when a
// fee is due, illness when the fee was waived for illness, free otherwise.
func (t CancelTerms) Reason() FeeReason {
	switch {
	case t.FeeCents > 0:
		return FeeCharged
	case t.Illness:
		return FeeIllness
	}
	return FeeFree
}
