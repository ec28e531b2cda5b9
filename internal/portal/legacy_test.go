package portal

import "testing"

func TestLegacyEligible(t *testing.T) {
	cut, ret := NewDate(2024, 11, 26), NewDate(2025, 3, 31)
	for _, tc := range []struct {
		name         string
		since, today Date
		want         bool
	}{
		{"old customer before retirement", NewDate(2019, 8, 15), NewDate(2025, 1, 10), true},
		{"day before retirement", NewDate(2019, 8, 15), NewDate(2025, 3, 30), true},
		{"on the retirement date", NewDate(2019, 8, 15), NewDate(2025, 3, 31), false},
		{"after retirement", NewDate(2019, 8, 15), NewDate(2026, 11, 28), false},
		{"contract began the day before the cut-over", NewDate(2024, 11, 25), NewDate(2025, 1, 10), true},
		{"contract began on the cut-over", NewDate(2024, 11, 26), NewDate(2025, 1, 10), false},
		{"no regular contract", Date{}, NewDate(2025, 1, 10), false},
	} {
		if got := LegacyEligible(tc.since, cut, ret, tc.today); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
