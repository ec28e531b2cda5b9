package portal

import (
	"testing"
	"time"
)

func hel(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, Helsinki)
}

func TestCancellationTerms(t *testing.T) {
	week := CancelPolicy{DeadlineDays: 7, LateFeePercent: 100}
	half := CancelPolicy{DeadlineDays: 3, LateFeePercent: 50}
	visit := func(start time.Time, st VisitStatus) Visit {
		return Visit{StartsAt: start.UTC(), EndsAt: start.Add(3 * time.Hour).UTC(), Status: st, PriceCents: 8999}
	}
	tests := []struct {
		name     string
		v        Visit
		p        CancelPolicy
		now      time.Time
		ill      bool
		deadline time.Time
		refused  string
		free     bool
		fee      int64
	}{
		{"well before", visit(hel(2026, 12, 15, 9, 0), VisitPlanned), week, hel(2026, 12, 1, 12, 0), false, hel(2026, 12, 8, 9, 0), "", true, 0},
		{"exactly at the deadline", visit(hel(2026, 12, 15, 9, 0), VisitConfirmed), week, hel(2026, 12, 8, 9, 0), false, hel(2026, 12, 8, 9, 0), "", true, 0},
		{"one minute after", visit(hel(2026, 12, 15, 9, 0), VisitConfirmed), week, hel(2026, 12, 8, 9, 1), false, hel(2026, 12, 8, 9, 0), "", false, 8999},
		{"one minute after, ill", visit(hel(2026, 12, 15, 9, 0), VisitConfirmed), week, hel(2026, 12, 8, 9, 1), true, hel(2026, 12, 8, 9, 0), "", true, 0},
		{"percentage fee rounds half up", visit(hel(2026, 12, 15, 9, 0), VisitPlanned), half, hel(2026, 12, 14, 9, 0), false, hel(2026, 12, 12, 9, 0), "", false, 4500},
		// Spring forward: 29.3.2026 at 03:00 clocks go to 04:00. A visit on
		// 2.4. at 10:00 (+03) has its deadline on 26.3. at 10:00 (+02).
		{"across spring DST", visit(hel(2026, 4, 2, 10, 0), VisitPlanned), week, hel(2026, 3, 26, 10, 0), false, hel(2026, 3, 26, 10, 0), "", true, 0},
		{"across spring DST, 1 min late", visit(hel(2026, 4, 2, 10, 0), VisitPlanned), week, hel(2026, 3, 26, 10, 1), false, hel(2026, 3, 26, 10, 0), "", false, 8999},
		// Fall back: 25.10.2026 at 04:00 clocks go to 03:00.
		{"across autumn DST", visit(hel(2026, 10, 29, 8, 0), VisitPlanned), week, hel(2026, 10, 22, 8, 0), false, hel(2026, 10, 22, 8, 0), "", true, 0},
		{"across autumn DST, 1 min late", visit(hel(2026, 10, 29, 8, 0), VisitPlanned), week, hel(2026, 10, 22, 8, 1), false, hel(2026, 10, 22, 8, 0), "", false, 8999},
		{"started", visit(hel(2026, 12, 15, 9, 0), VisitConfirmed), week, hel(2026, 12, 15, 9, 0), false, hel(2026, 12, 8, 9, 0), CancelRefusedStarted, false, 0},
		{"in progress", visit(hel(2026, 12, 15, 9, 0), VisitInProgress), week, hel(2026, 12, 15, 8, 0), false, hel(2026, 12, 8, 9, 0), CancelRefusedStarted, false, 0},
		{"past", visit(hel(2026, 11, 1, 9, 0), VisitPlanned), week, hel(2026, 12, 1, 9, 0), false, hel(2026, 10, 25, 9, 0), CancelRefusedStarted, false, 0},
		{"done", visit(hel(2026, 11, 1, 9, 0), VisitDone), week, hel(2026, 10, 1, 9, 0), false, hel(2026, 10, 25, 9, 0), CancelRefusedDone, false, 0},
		{"already cancelled", visit(hel(2026, 12, 15, 9, 0), VisitCancelledByCustomer), week, hel(2026, 12, 1, 9, 0), false, hel(2026, 12, 8, 9, 0), CancelRefusedCancelled, false, 0},
		{"cancelled by provider", visit(hel(2026, 12, 15, 9, 0), VisitCancelledByProvider), week, hel(2026, 12, 1, 9, 0), false, hel(2026, 12, 8, 9, 0), CancelRefusedCancelled, false, 0},
	}
	for _, tt := range tests {
		got := CancellationTerms(tt.v, tt.p, tt.now, tt.ill)
		if !got.Deadline.Equal(tt.deadline) || got.Refused != tt.refused || got.Free != tt.free || got.FeeCents != tt.fee {
			t.Errorf("%s: got deadline %v refused %q free %v fee %d; want %v %q %v %d", tt.name,
				got.Deadline.In(Helsinki), got.Refused, got.Free, got.FeeCents, tt.deadline, tt.refused, tt.free, tt.fee)
		}
	}
	// The DST cases really cross a change: the UTC distance is not 7×24 h.
	start := hel(2026, 4, 2, 10, 0)
	if d := start.Sub(CancelDeadline(start, 7)); d != 7*24*time.Hour-time.Hour {
		t.Errorf("spring: %v between deadline and start, want 167h", d)
	}
	start = hel(2026, 10, 29, 8, 0)
	if d := start.Sub(CancelDeadline(start, 7)); d != 7*24*time.Hour+time.Hour {
		t.Errorf("autumn: %v between deadline and start, want 169h", d)
	}
}
