package portal

import (
	"testing"
	"time"
)

func TestCheckLiveStep(t *testing.T) {
	start := time.Date(2026, 12, 8, 10, 0, 0, 0, Helsinki)
	at := func(h, m int) time.Time { return start.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	open := Visit{StartsAt: start, EndsAt: start.Add(2 * time.Hour), Status: VisitConfirmed}
	departed := open
	departed.DepartedAt = at(-1, 0)
	arrived := departed
	arrived.ArrivedAt, arrived.Status = at(0, 5), VisitInProgress
	done := arrived
	done.DoneAt, done.Status = at(1, 0), VisitDone
	erpDone := open
	erpDone.Status = VisitDone
	cancelled := open
	cancelled.Status = VisitCancelledByProvider
	for _, c := range []struct {
		name string
		v    Visit
		step LiveStep
		now  time.Time
		want string
	}{
		{"on the way in the morning", open, LiveDeparted, at(-2, 0), ""},
		{"on the way the day before", open, LiveDeparted, at(-24, 0), LiveRefusedDay},
		{"on the way the day after", open, LiveDeparted, at(24, 0), LiveRefusedDay},
		{"on the way late in the day", open, LiveDeparted, at(13, 59), ""},
		{"on the way twice", departed, LiveDeparted, at(-1, 0), LiveRefusedOrder},
		{"arrived first", open, LiveArrived, at(0, 0), LiveRefusedOrder},
		{"arrived after on the way", departed, LiveArrived, at(0, 0), ""},
		{"arrived the day after", departed, LiveArrived, at(24, 0), LiveRefusedDay},
		{"arrived twice", arrived, LiveArrived, at(0, 10), LiveRefusedOrder},
		{"done after arriving", arrived, LiveDone, at(0, 30), ""},
		{"done while on the way", departed, LiveDone, at(0, 30), LiveRefusedOrder},
		{"done on the day without steps", open, LiveDone, at(0, 30), LiveRefusedOrder},
		{"done before the start", open, LiveDone, at(-1, 0), LiveRefusedEarly},
		{"done by the office the day after", open, LiveDone, at(24, 0), ""},
		{"done twice", done, LiveDone, at(1, 30), LiveRefusedDone},
		{"done in the ERP", erpDone, LiveDeparted, at(0, 0), LiveRefusedDone},
		{"cancelled", cancelled, LiveDeparted, at(0, 0), LiveRefusedCancelled},
		{"unknown step", open, LiveStep("x"), at(0, 0), LiveRefusedOrder},
	} {
		if got := CheckLiveStep(c.v, c.step, c.now); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestLate(t *testing.T) {
	start := time.Date(2026, 12, 8, 10, 0, 0, 0, Helsinki)
	open := Visit{StartsAt: start, EndsAt: start.Add(2 * time.Hour), Status: VisitConfirmed}
	departed := open
	departed.DepartedAt = start
	cancelled := open
	cancelled.Status = VisitCancelledByCustomer
	for _, c := range []struct {
		name string
		v    Visit
		now  time.Time
		want bool
	}{
		{"at the start", open, start, false},
		{"30 minutes after", open, start.Add(30 * time.Minute), false},
		{"31 minutes after", open, start.Add(31 * time.Minute), true},
		{"on the way", departed, start.Add(time.Hour), false},
		{"cancelled", cancelled, start.Add(time.Hour), false},
		{"the next day", open, start.Add(24 * time.Hour), false},
	} {
		if got := Late(c.v, c.now); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
