package portal

import (
	"testing"
	"time"
)

func TestCheckMoveOptions(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	v := Visit{StartsAt: now.AddDate(0, 0, 5), Status: VisitConfirmed}
	for _, c := range []struct {
		name    string
		options []time.Time
		want    string
	}{
		{"none", nil, MoveNoOptions},
		{"one ahead", []time.Time{now.Add(time.Minute)}, ""},
		{"three ahead", []time.Time{now.AddDate(0, 0, 1), now.AddDate(0, 0, 2), now.AddDate(0, 0, 3)}, ""},
		{"four", []time.Time{now.AddDate(0, 0, 1), now.AddDate(0, 0, 2), now.AddDate(0, 0, 3), now.AddDate(0, 0, 4)}, MoveTooMany},
		{"exactly now", []time.Time{now}, MovePast},
		{"a minute ago", []time.Time{now.Add(-time.Minute)}, MovePast},
		{"second one past", []time.Time{now.AddDate(0, 0, 1), now.AddDate(0, 0, -1)}, MovePast},
		{"at the limit", []time.Time{now.Add(MaxMoveAhead)}, ""},
		{"past the limit", []time.Time{now.Add(MaxMoveAhead + time.Minute)}, MoveFar},
		{"the current start", []time.Time{v.StartsAt}, MoveSame},
	} {
		if got := CheckMoveOptions(v, c.options, now); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestClosed(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	ahead, past := now.Add(time.Hour), now.Add(-time.Hour)
	for _, c := range []struct {
		status VisitStatus
		start  time.Time
		want   string
	}{
		{VisitPlanned, ahead, ""},
		{VisitConfirmed, ahead, ""},
		{VisitConfirmed, now, CancelRefusedStarted},
		{VisitConfirmed, past, CancelRefusedStarted},
		{VisitInProgress, ahead, CancelRefusedStarted},
		{VisitDone, past, CancelRefusedDone},
		{VisitCancelledByCustomer, ahead, CancelRefusedCancelled},
		{VisitCancelledByProvider, ahead, CancelRefusedCancelled},
	} {
		if got := Closed(Visit{Status: c.status, StartsAt: c.start}, now); got != c.want {
			t.Errorf("%s at %v: %q, want %q", c.status, c.start, got, c.want)
		}
	}
}
