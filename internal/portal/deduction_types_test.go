package portal

import (
	"slices"
	"testing"
)

var rule2025Care = DeductionRule{Year: 2025, WorkType: "care", RateBP: 3500, MaxCents: 160000, OmavastuuCents: 15000}

// TestDeductionByTypeSingle: with one work type the function is exactly
// Deduction, for the vero.fi figures and every share in a wide range.
func TestDeductionByTypeSingle(t *testing.T) {
	for _, r := range []DeductionRule{rule2025, rule2025Oil, rule2024} {
		shares := []int64{0, -5000, 42858, 42900, 499999, 500000, 599999, 600000, 608333, 608334, 1000000}
		for s := int64(-1000); s <= 800000; s += 37 {
			shares = append(shares, s)
		}
		for _, s := range shares {
			got := DeductionByType([]TypeShare{{WorkType: r.WorkType, WorkShareCents: s, Rule: r, HasRule: true}})
			if want := Deduction(r, s); got != want {
				t.Fatalf("%d %s, share %d: %d, Deduction %d", r.Year, r.WorkType, s, got, want)
			}
		}
	}
}

func TestDeductionByType(t *testing.T) {
	ts := func(r DeductionRule, share int64) TypeShare {
		return TypeShare{WorkType: r.WorkType, WorkShareCents: share, Rule: r, HasRule: true}
	}
	noRule := func(workType string, share int64) TypeShare {
		return TypeShare{WorkType: workType, WorkShareCents: share}
	}
	other2025 := DeductionRule{Year: 2025, WorkType: "x", RateBP: 3500, MaxCents: 160000, OmavastuuCents: 10000}
	for _, c := range []struct {
		name  string
		types []TypeShare
		want  int64
	}{
		// 35 % × 1 000 € + 35 % × 1 000 € = 700 €, less one omavastuu of 150 €
		// (two separate estimates would take it twice: 400 €).
		{"household and care, omavastuu once", []TypeShare{ts(rule2025, 100000), ts(rule2025Care, 100000)}, 55000},
		// 35 % × 2 000 € = 700 € + 60 % × 3 000 € = 1 800 €; 2 500 − 150 = 2 350 €,
		// under the larger maximum 3 500 €.
		{"household and oil heating", []TypeShare{ts(rule2025, 200000), ts(rule2025Oil, 300000)}, 235000},
		// household 35 % × 10 000 € = 3 500 € capped at 1 600 + 150 = 1 750 €;
		// oil 60 % × 1 000 € = 600 €; 2 350 − 150 = 2 200 €.
		{"a type's own cap", []TypeShare{ts(rule2025, 1000000), ts(rule2025Oil, 100000)}, 220000},
		// oil 60 % × 6 000 € = 3 600 € (cap 3 650 €) + household 1 750 € (capped);
		// 5 350 − 150 = 5 200 € capped at the largest maximum 3 500 €.
		{"the total cap", []TypeShare{ts(rule2025Oil, 600000), ts(rule2025, 500000)}, 350000},
		// Both at the maximum of equal rules: 1 750 + 1 750 − 150 → 1 600 €.
		{"equal rules both capped", []TypeShare{ts(rule2025, 500000), ts(rule2025Care, 500000)}, 160000},
		// A type without a rule counts nothing: 35 % × 1 000 € − 150 € = 200 €.
		{"a type without a rule", []TypeShare{ts(rule2025, 100000), noRule("garden", 500000)}, 20000},
		{"only types without a rule", []TypeShare{noRule("garden", 500000)}, 0},
		{"nothing", nil, 0},
		// The largest omavastuu is taken: 60 % × 1 000 € + 35 % × 1 000 € = 950 € − 150 €.
		{"the largest omavastuu", []TypeShare{ts(rule2024, 100000), ts(rule2025, 100000)}, 80000},
		// A type whose share is not positive uses no rule: its omavastuu of
		// 150 € is not taken, the other rule's 100 € is: 350 − 100 = 250 €.
		{"a credited type uses no rule", []TypeShare{ts(rule2025, -5000), ts(other2025, 100000)}, 25000},
		// Below the omavastuu together: 35 % × 200 € + 35 % × 200 € = 140 € < 150 €.
		{"below omavastuu", []TypeShare{ts(rule2025, 20000), ts(rule2025Care, 20000)}, 0},
		// Rounded down per type: 35 % × 0,01 € twice is 0 + 0, not 0,007.
		{"rounded down per type", []TypeShare{ts(rule2025, 42858), ts(rule2025Care, 1)}, 0},
	} {
		if got := DeductionByType(c.types); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
		rev := slices.Clone(c.types)
		slices.Reverse(rev)
		if got := DeductionByType(rev); got != c.want {
			t.Errorf("%s reversed: %d, want %d", c.name, got, c.want)
		}
	}
}

func TestEstimateDeductionsByType(t *testing.T) {
	// One type: the same as EstimateDeductions.
	for _, shares := range [][]int{nil, {5000, 5000}, {7000, 3000}} {
		for _, w := range []int64{0, 500001, 1000001, 838066} {
			got := EstimateDeductionsByType([]TypeShare{{WorkType: "household", WorkShareCents: w, Rule: rule2025, HasRule: true}}, shares)
			if want := EstimateDeductions(rule2025, w, shares); !slices.Equal(got, want) {
				t.Errorf("%d %v: %+v, want %+v", w, shares, got, want)
			}
		}
	}
	// Two types split 70/30, each with an odd cent to the first payer:
	// 1 000,01 € → 700,01 € and 300,00 € of each. First payer
	// 35 % × 700,01 = 245,0035 → 245,00 € twice, 490 − 150 = 340 €; second
	// 35 % × 300 = 105 € twice, 210 − 150 = 60 €.
	got := EstimateDeductionsByType([]TypeShare{
		{WorkType: "household", WorkShareCents: 100001, Rule: rule2025, HasRule: true},
		{WorkType: "care", WorkShareCents: 100001, Rule: rule2025Care, HasRule: true},
	}, []int{7000, 3000})
	want := []PayerDeduction{{7000, 140002, 34000}, {3000, 60000, 6000}}
	if !slices.Equal(got, want) {
		t.Errorf("two types 70/30: %+v, want %+v", got, want)
	}
	// A type without a rule is in the payers' work share, not in the
	// deduction: 35 % × 500 € − 150 € = 25 € each.
	got = EstimateDeductionsByType([]TypeShare{
		{WorkType: "household", WorkShareCents: 100000, Rule: rule2025, HasRule: true},
		{WorkType: "garden", WorkShareCents: 40000},
	}, []int{5000, 5000})
	want = []PayerDeduction{{5000, 70000, 2500}, {5000, 70000, 2500}}
	if !slices.Equal(got, want) {
		t.Errorf("type without a rule: %+v, want %+v", got, want)
	}
}

func TestWorkTypeOf(t *testing.T) {
	cleaning := Contract{ID: 1, Kind: ContractRegular, Service: "Säännöllinen siivous", WorkType: "household",
		Start: NewDate(2021, 9, 1)}
	care := Contract{ID: 2, Kind: ContractRegular, Service: "Kotiapu ja hoiva", WorkType: "care",
		Start: NewDate(2024, 1, 1), End: NewDate(2024, 12, 31)}
	help := Contract{ID: 3, Kind: ContractOneOff, Service: "Kotiapu", WorkType: "household",
		Start: NewDate(2024, 3, 5), End: NewDate(2024, 3, 5)}
	windows := Contract{ID: 4, Kind: ContractOneOff, Service: "Ikkunanpesu", WorkType: "renovation",
		Start: NewDate(2024, 5, 10), End: NewDate(2024, 5, 10)}
	all := []Contract{cleaning, care, help, windows}
	for _, c := range []struct {
		name      string
		contracts []Contract
		day       Date
		desc      string
		want      string
	}{
		{"named, longest service", all, NewDate(2024, 3, 5), "Kotiapu ja hoiva 5.3.2024", "care"},
		{"named one-off", all, NewDate(2024, 3, 5), "Kotiapu 5.3.2024", "household"},
		{"named one-off over the regular ones", all, NewDate(2024, 5, 10), "Ikkunanpesu 10.5.2024", "renovation"},
		{"unnamed: the first regular in force", all, NewDate(2024, 6, 1), "Lisätyö", "household"},
		{"named but not in force", all, NewDate(2025, 6, 1), "Kotiapu ja hoiva 1.6.2025", "household"},
		{"one-off only in force", []Contract{care, windows}, NewDate(2024, 5, 10), "Lisätyö", "care"},
		{"only a one-off in force", []Contract{windows}, NewDate(2024, 5, 10), "Lisätyö", "renovation"},
		{"nothing in force: the latest regular", all, NewDate(2020, 1, 1), "Vanha työ", "care"},
		{"nothing in force, no regular", []Contract{windows}, NewDate(2020, 1, 1), "Vanha työ", "renovation"},
		{"no contracts", nil, NewDate(2024, 1, 1), "Työ", DefaultWorkType},
		{"no work type", []Contract{{ID: 9, Kind: ContractRegular, Start: NewDate(2020, 1, 1)}}, NewDate(2024, 1, 1), "Työ", DefaultWorkType},
	} {
		if got := WorkTypeOf(c.contracts, c.day, c.desc); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
		rev := slices.Clone(c.contracts)
		slices.Reverse(rev)
		if got := WorkTypeOf(rev, c.day, c.desc); got != c.want {
			t.Errorf("%s (reversed): %q, want %q", c.name, got, c.want)
		}
	}
}
