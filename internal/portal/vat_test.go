package portal

import (
	"errors"
	"strings"
	"testing"
)

// TestCheckVATRate: 24 % until 31.8.2024, 25.5 % from 1.9.2024 (the
// performance date decides), 0 % only on a VAT-free contract; the reduced
// rates pass. A refusal names the rate and the day.
func TestCheckVATRate(t *testing.T) {
	for _, c := range []struct {
		rate    int
		day     Date
		vatFree bool
		refused string // part of the reason; "" accepted
	}{
		{2400, NewDate(2024, 8, 31), false, ""},
		{2400, NewDate(2023, 1, 1), true, ""},
		{2400, NewDate(2024, 9, 1), false, "24 % ended on 31.8.2024: work performed on 2024-09-01"},
		{2400, NewDate(2025, 6, 2), true, "has 25.5 %"},
		{2550, NewDate(2024, 9, 1), false, ""},
		{2550, NewDate(2026, 1, 1), true, ""},
		{2550, NewDate(2024, 8, 31), false, "25.5 % applies from 1.9.2024: work performed on 2024-08-31"},
		{0, NewDate(2025, 3, 4), true, ""},
		{0, NewDate(2023, 3, 4), true, ""},
		{0, NewDate(2025, 3, 4), false, "0 % is only for a VAT-free contract, and the site has none in force on 2025-03-04"},
		{1400, NewDate(2025, 3, 4), false, ""},
		{1350, NewDate(2023, 3, 4), false, ""},
		{1000, NewDate(2025, 3, 4), false, ""},
	} {
		got := CheckVATRate(c.rate, c.day, c.vatFree)
		if (got == "") != (c.refused == "") || !strings.Contains(got, c.refused) {
			t.Errorf("%d on %s (VAT-free %v): %q, want %q", c.rate, c.day, c.vatFree, got, c.refused)
		}
	}
}

// TestCheckInvoiceVAT: a 0 % line fits only a VAT-free contract in force on
// its day; the error names the first line that does not fit.
func TestCheckInvoiceVAT(t *testing.T) {
	contracts := []Contract{
		{ID: 1, Service: "Siivous", Start: NewDate(2022, 1, 1)},
		{ID: 2, Service: "Kotiapu", VATFree: true, Start: NewDate(2025, 1, 1), End: NewDate(2025, 6, 30)},
	}
	line := func(rate int, day Date) InvoiceLine { return InvoiceLine{VATRateBP: rate, PerformedOn: day} }
	for _, c := range []struct {
		name  string
		lines []InvoiceLine
		bad   int // -1: accepted
	}{
		{"fits", []InvoiceLine{line(2550, NewDate(2025, 2, 1)), line(0, NewDate(2025, 2, 1))}, -1},
		{"0 % after the VAT-free contract", []InvoiceLine{line(2550, NewDate(2025, 7, 1)), line(0, NewDate(2025, 7, 1))}, 1},
		{"0 % before it", []InvoiceLine{line(0, NewDate(2024, 12, 31))}, 0},
		{"old rate", []InvoiceLine{line(2550, NewDate(2025, 2, 1)), line(2400, NewDate(2025, 2, 1)), line(0, NewDate(2020, 1, 1))}, 1},
	} {
		err := CheckInvoiceVAT(c.lines, contracts)
		var ve *VATRateError
		if c.bad < 0 && err != nil || c.bad >= 0 && (!errors.As(err, &ve) || ve.Line != c.bad) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if VATFreeOn(nil, NewDate(2025, 2, 1)) || !VATFreeOn(contracts, NewDate(2025, 6, 30)) || VATFreeOn(contracts, NewDate(2025, 7, 1)) {
		t.Error("VATFreeOn")
	}
}
