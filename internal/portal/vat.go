package portal

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
