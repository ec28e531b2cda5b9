package portal

import (
	"testing"
)

func TestVATRateOn(t *testing.T) {
	tests := []struct {
		d       Date
		vatFree bool
		want    int
	}{
		{NewDate(2023, 1, 1), false, 2400},
		{NewDate(2024, 8, 31), false, 2400},
		{NewDate(2024, 9, 1), false, 2550},
		{NewDate(2026, 11, 28), false, 2550},
		{NewDate(2026, 11, 28), true, 0},
	}
	for _, tt := range tests {
		if got := VATRateOn(tt.d, tt.vatFree); got != tt.want {
			t.Errorf("VATRateOn(%v, %v) = %d, want %d", tt.d, tt.vatFree, got, tt.want)
		}
	}
}

func TestVATOf(t *testing.T) {
	tests := []struct {
		net  int64
		bp   int
		want int64
	}{
		{10000, 2550, 2550},
		{3990, 2550, 1017}, // 1017.45
		{3998, 2550, 1019}, // 1019.49
		{4002, 2550, 1021}, // 1020.51
		{-10000, 2400, -2400},
		{12345, 0, 0},
	}
	for _, tt := range tests {
		if got := VATOf(tt.net, tt.bp); got != tt.want {
			t.Errorf("VATOf(%d, %d) = %d, want %d", tt.net, tt.bp, got, tt.want)
		}
	}
}

func TestDate(t *testing.T) {
	d, err := ParseDate("2024-11-26")
	if err != nil || d != NewDate(2024, 11, 26) {
		t.Fatalf("ParseDate = %v, %v", d, err)
	}
	if d.Finnish() != "26.11.2024" || d.String() != "2024-11-26" {
		t.Errorf("formats: %q %q", d.Finnish(), d.String())
	}
	if got := d.AddDays(6); got != NewDate(2024, 12, 2) {
		t.Errorf("AddDays = %v", got)
	}
	c := Contract{Start: NewDate(2024, 1, 1), End: NewDate(2024, 12, 31)}
	if !c.Active(NewDate(2024, 12, 31)) || c.Active(NewDate(2025, 1, 1)) || c.Active(NewDate(2023, 12, 31)) {
		t.Error("Contract.Active edges wrong")
	}
}

func TestReadOnly(t *testing.T) {
	today := NewDate(2026, 11, 28)
	ended := Contract{Start: NewDate(2024, 1, 1), End: NewDate(2026, 11, 27)}
	endsToday := Contract{Start: NewDate(2024, 1, 1), End: today}
	open := Contract{Start: NewDate(2024, 1, 1)}
	future := Contract{Start: NewDate(2027, 1, 1), End: NewDate(2027, 12, 31)}
	tests := []struct {
		cs   []Contract
		want bool
	}{
		{nil, true},
		{[]Contract{ended}, true},
		{[]Contract{ended, endsToday}, false},
		{[]Contract{ended, open}, false},
		{[]Contract{future}, false},
	}
	for i, tt := range tests {
		if got := ReadOnly(tt.cs, today); got != tt.want {
			t.Errorf("case %d: ReadOnly = %v, want %v", i, got, tt.want)
		}
	}
}
