package portal

import "fmt"

// VAT rates in basis points.
const (
	VATGeneral2013 = 2400 // until 31.8.2024
	VATGeneral2024 = 2550 // from 1.9.2024
	VATZero        = 0    // VAT-free home help
)

// VATRateOn returns the general VAT rate for work performed on day d, or
// zero for VAT-free services. The performance date decides.
func VATRateOn(d Date, vatFree bool) int {
	if vatFree {
		return VATZero
	}
	if d.Before(NewDate(2024, 9, 1)) {
		return VATGeneral2013
	}
	return VATGeneral2024
}

// VATOf returns the VAT on a net amount at a rate in basis points, rounded
// half up to the cent.
func VATOf(netCents int64, rateBP int) int64 {
	v := netCents * int64(rateBP)
	if v >= 0 {
		return (v + 5000) / 10000
	}
	return -((-v + 5000) / 10000)
}

// VATChangeDay is the first day of the general rate 25.5 %.
var VATChangeDay = NewDate(2024, 9, 1)

// CheckVATRate reports why a billing-summary line's VAT rate (basis
// points) does not fit the line's performance date, or "" when it does:
// the general rate is 24 % for work performed until 31.8.2024 and 25.5 %
// from 1.9.2024 (the performance date decides, not the invoice date), and
// 0 % is only for a line of a VAT-free contract (vatFree: the site has a
// VAT-free contract in force on that day, VATFreeOn). The reduced rates
// (10 %, 13.5 %, 14 %) are not the portal's services and are not checked.
// The reason is English, for the ERP and the import report, and names the
// rate and the day.
func CheckVATRate(rateBP int, performedOn Date, vatFree bool) string {
	switch {
	case rateBP == VATGeneral2013 && !performedOn.Before(VATChangeDay):
		return fmt.Sprintf("VAT 24 %% ended on 31.8.2024: work performed on %s has 25.5 %% (2550)", performedOn)
	case rateBP == VATGeneral2024 && performedOn.Before(VATChangeDay):
		return fmt.Sprintf("VAT 25.5 %% applies from 1.9.2024: work performed on %s has 24 %% (2400)", performedOn)
	case rateBP == VATZero && !vatFree:
		return fmt.Sprintf("VAT 0 %% is only for a VAT-free contract, and the site has none in force on %s", performedOn)
	}
	return ""
}

// VATFreeOn reports whether one of a site's contracts is VAT-free and in
// force on day d.
func VATFreeOn(contracts []Contract, d Date) bool {
	for _, c := range contracts {
		if c.VATFree && c.Active(d) {
			return true
		}
	}
	return false
}

// VATRateError is a billing summary refused because a line's VAT rate does
// not fit its performance date (CheckVATRate). Line is the line's index in
// the summary as sent (from 0).
type VATRateError struct {
	Line   int
	Reason string
}

func (e *VATRateError) Error() string { return fmt.Sprintf("line %d: %s", e.Line+1, e.Reason) }

// CheckInvoiceVAT checks every line of a billing summary against the site's
// contracts and returns a *VATRateError for the first line that does not
// fit, or nil.
func CheckInvoiceVAT(lines []InvoiceLine, contracts []Contract) error {
	for i, l := range lines {
		if r := CheckVATRate(l.VATRateBP, l.PerformedOn, VATFreeOn(contracts, l.PerformedOn)); r != "" {
			return &VATRateError{Line: i, Reason: r}
		}
	}
	return nil
}
