package portal

import (
	"slices"
	"testing"
)

var (
	rule2025    = DeductionRule{Year: 2025, WorkType: "household", RateBP: 3500, MaxCents: 160000, OmavastuuCents: 15000}
	rule2025Oil = DeductionRule{Year: 2025, WorkType: "oil_heating", RateBP: 6000, MaxCents: 350000, OmavastuuCents: 15000}
	rule2024    = DeductionRule{Year: 2024, WorkType: "household", RateBP: 6000, MaxCents: 350000, OmavastuuCents: 10000}
)

// TestDeductionVeroFi reproduces the Tax Administration's figures to the
// cent.
func TestDeductionVeroFi(t *testing.T) {
	for _, c := range []struct {
		name  string
		rule  DeductionRule
		share int64
		want  int64
	}{
		{"2025 5 000 € reaches the maximum", rule2025, 500000, 160000},
		{"2025 4 999,99 €", rule2025, 499999, 159999},
		{"2025 above the maximum", rule2025, 1000000, 160000},
		{"2025 oil heating 6 083,34 € first reaches the maximum", rule2025Oil, 608334, 350000},
		{"2025 oil heating one cent less", rule2025Oil, 608333, 349999},
		{"2024 household 6 000 € reaches the maximum", rule2024, 600000, 350000},
		{"2024 household 5 999,99 €", rule2024, 599999, 349999},
		{"zero", rule2025, 0, 0},
		{"negative (credit notes)", rule2025, -5000, 0},
		{"below omavastuu", rule2025, 40000, 0},
		{"exactly omavastuu", rule2025, 42858, 0},
		{"one cent over omavastuu", rule2025, 42900, 15},
		{"2024 below omavastuu", rule2024, 16666, 0},
		{"2024 1 000 €", rule2024, 100000, 50000},
	} {
		if got := Deduction(c.rule, c.share); got != c.want {
			t.Errorf("%s: Deduction(%d) = %d, want %d", c.name, c.share, got, c.want)
		}
	}
}

func TestSplitCents(t *testing.T) {
	for _, c := range []struct {
		total  int64
		shares []int
		want   []int64
	}{
		{100001, []int{10000}, []int64{100001}},
		{100001, []int{5000, 5000}, []int64{50001, 50000}},
		{100000, []int{5000, 5000}, []int64{50000, 50000}},
		{100001, []int{7000, 3000}, []int64{70001, 30000}},
		{10003, []int{3000, 7000}, []int64{3001, 7002}},
		{0, []int{5000, 5000}, []int64{0, 0}},
	} {
		got := SplitCents(c.total, c.shares)
		if !slices.Equal(got, c.want) {
			t.Errorf("SplitCents(%d, %v) = %v, want %v", c.total, c.shares, got, c.want)
		}
	}
}

func TestEstimateDeductionsTwoPayers(t *testing.T) {
	// 2025: 10 000,01 € split 50/50 → 5 000,01 € and 5 000 €, both at the maximum.
	got := EstimateDeductions(rule2025, 1000001, []int{5000, 5000})
	if got[0].WorkShareCents != 500001 || got[1].WorkShareCents != 500000 || got[0].DeductionCents != 160000 || got[1].DeductionCents != 160000 {
		t.Errorf("50/50: %+v", got)
	}
	// 2025: 5 000,01 € split 70/30 → 3 500,01 € (1 075,00 €) and 1 500 € (375 €).
	got = EstimateDeductions(rule2025, 500001, []int{7000, 3000})
	if got[0].WorkShareCents != 350001 || got[1].WorkShareCents != 150000 || got[0].DeductionCents != 107500 || got[1].DeductionCents != 37500 {
		t.Errorf("70/30: %+v", got)
	}
	// One payer by default.
	got = EstimateDeductions(rule2025, 500000, nil)
	if len(got) != 1 || got[0].DeductionCents != 160000 {
		t.Errorf("one payer: %+v", got)
	}
}

func TestCheckShares(t *testing.T) {
	for _, c := range []struct {
		s  []int
		ok bool
	}{{[]int{10000}, true}, {[]int{5000, 5000}, true}, {[]int{7000, 3000}, true}, {[]int{7000, 2000}, false},
		{[]int{10000, 0}, false}, {nil, false}, {[]int{3000, 3000, 4000}, false}} {
		if CheckShares(c.s) != c.ok {
			t.Errorf("CheckShares(%v) = %v", c.s, !c.ok)
		}
	}
}

func TestVATTotalsAndWorkShare(t *testing.T) {
	lines := []InvoiceLine{
		{VATRateBP: 2550, NetCents: 10000, VATCents: 2550, TotalCents: 12550, IsWork: true},
		{VATRateBP: 2550, NetCents: 1000, VATCents: 255, TotalCents: 1255},
		{VATRateBP: 0, NetCents: 5000, TotalCents: 5000, IsWork: true},
		{VATRateBP: 2400, NetCents: 100, VATCents: 24, TotalCents: 124},
	}
	got := VATTotals(lines)
	want := []VATTotal{{2550, 11000, 2805, 13805}, {2400, 100, 24, 124}, {0, 5000, 0, 5000}}
	if !slices.Equal(got, want) {
		t.Errorf("VATTotals = %v, want %v", got, want)
	}
	if w := WorkShare(lines); w != 17550 {
		t.Errorf("WorkShare = %d", w)
	}
}

func TestInvoiceState(t *testing.T) {
	today := NewDate(2026, 3, 10)
	for _, c := range []struct {
		inv  Invoice
		want InvoiceState
	}{
		{Invoice{Status: InvoiceOpen, DueOn: NewDate(2026, 3, 10)}, StateOpen},
		{Invoice{Status: InvoiceOpen, DueOn: NewDate(2026, 3, 9)}, StateOverdue},
		{Invoice{Status: InvoicePaid, DueOn: NewDate(2026, 3, 9), PaidOn: NewDate(2026, 3, 1)}, StatePaid},
		{Invoice{Status: InvoicePaid, IsCreditNote: true, TotalCents: -100}, StateCredit},
		{Invoice{Status: InvoiceCredited, DueOn: NewDate(2026, 1, 1)}, StateCredited},
	} {
		if got := c.inv.StateOn(today); got != c.want {
			t.Errorf("%+v: %s, want %s", c.inv, got, c.want)
		}
	}
}

func TestRuleCheck(t *testing.T) {
	if p := rule2025.Check(); p != "" {
		t.Errorf("valid rule: %s", p)
	}
	for _, r := range []DeductionRule{{Year: 1999, WorkType: "x", RateBP: 1, MaxCents: 1}, {Year: 2025, RateBP: 1, MaxCents: 1},
		{Year: 2025, WorkType: "x", RateBP: 10001, MaxCents: 1}, {Year: 2025, WorkType: "x", RateBP: 100},
		{Year: 2025, WorkType: "x", RateBP: 100, MaxCents: 1, OmavastuuCents: -1}} {
		if r.Check() == "" {
			t.Errorf("%+v accepted", r)
		}
	}
}
