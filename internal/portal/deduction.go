package portal

// DeductionRule is the household-deduction rule of one (year, work type):
// the rate in basis points of the work share (VAT included) and, per
// person, the maximum (from which the omavastuu is already taken off) and
// the omavastuu, in cents.
type DeductionRule struct {
	Year           int
	WorkType       string
	RateBP         int
	MaxCents       int64
	OmavastuuCents int64
}

// Check reports what is wrong with a rule, or "" (a text-free reason for
// the command line).
func (r DeductionRule) Check() string {
	switch {
	case r.Year < 2000 || r.Year > 2100:
		return "year must be between 2000 and 2100"
	case r.WorkType == "":
		return "work type is required"
	case r.RateBP <= 0 || r.RateBP > 10000:
		return "rate must be 1–10000 basis points"
	case r.MaxCents <= 0:
		return "maximum must be positive"
	case r.OmavastuuCents < 0:
		return "omavastuu must not be negative"
	}
	return ""
}

// Deduction is one person's household deduction for the work share (VAT
// included) they paid in the year: min(max, rate × share − omavastuu),
// never below zero, rounded down to the cent.
func Deduction(r DeductionRule, workShareCents int64) int64 {
	if workShareCents <= 0 {
		return 0
	}
	d := workShareCents*int64(r.RateBP)/10000 - r.OmavastuuCents // positive: division rounds down
	if d < 0 {
		return 0
	}
	return min(d, r.MaxCents)
}

// SplitCents divides an amount among payers by their shares in basis
// points (summing to 10000): every payer but the first gets its share
// rounded toward zero, the first the rest, so an odd cent goes to the
// first payer and the parts always sum to the whole.
func SplitCents(totalCents int64, sharesBP []int) []int64 {
	out := make([]int64, len(sharesBP))
	if len(sharesBP) == 0 {
		return out
	}
	rest := totalCents
	for i := 1; i < len(sharesBP); i++ {
		out[i] = totalCents * int64(sharesBP[i]) / 10000
		rest -= out[i]
	}
	out[0] = rest
	return out
}

// PayerDeduction is one payer's part of the work share and the estimated
// deduction on it.
type PayerDeduction struct {
	ShareBP        int
	WorkShareCents int64
	DeductionCents int64
}

// EstimateDeductions splits a work share among one or two payers and
// estimates each one's deduction. Without shares the whole goes to one.
func EstimateDeductions(r DeductionRule, workShareCents int64, sharesBP []int) []PayerDeduction {
	if len(sharesBP) == 0 {
		sharesBP = []int{10000}
	}
	parts := SplitCents(workShareCents, sharesBP)
	out := make([]PayerDeduction, len(parts))
	for i, p := range parts {
		out[i] = PayerDeduction{ShareBP: sharesBP[i], WorkShareCents: p, DeductionCents: Deduction(r, p)}
	}
	return out
}

// CheckShares reports whether shares in basis points fit one or two
// payers: each 1–10000, together exactly 10000.
func CheckShares(sharesBP []int) bool {
	if len(sharesBP) < 1 || len(sharesBP) > 2 {
		return false
	}
	sum := 0
	for _, s := range sharesBP {
		if s <= 0 || s > 10000 {
			return false
		}
		sum += s
	}
	return sum == 10000
}

// WorkShare is the deductible part (VAT included) of a billing summary:
// the total of its work lines. A credit note's is negative.
func WorkShare(lines []InvoiceLine) int64 {
	var w int64
	for _, l := range lines {
		if l.IsWork {
			w += l.TotalCents
		}
	}
	return w
}

// VATTotal is the net, VAT and total of one VAT rate of an invoice.
type VATTotal struct {
	RateBP     int
	NetCents   int64
	VATCents   int64
	TotalCents int64
}

// VATTotals sums an invoice's lines per VAT rate, highest rate first.
func VATTotals(lines []InvoiceLine) []VATTotal {
	var out []VATTotal
	for _, l := range lines {
		i := 0
		for i < len(out) && out[i].RateBP != l.VATRateBP {
			i++
		}
		if i == len(out) {
			out = append(out, VATTotal{RateBP: l.VATRateBP})
		}
		out[i].NetCents += l.NetCents
		out[i].VATCents += l.VATCents
		out[i].TotalCents += l.TotalCents
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].RateBP > out[j-1].RateBP; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// InvoiceState is what a billing summary's status shows on a day.
type InvoiceState string

// Invoice states; overdue is derived from the due date and today.
const (
	StateOpen     InvoiceState = "open"
	StatePaid     InvoiceState = "paid"
	StateOverdue  InvoiceState = "overdue"
	StateCredit   InvoiceState = "credit"
	StateCredited InvoiceState = "credited"
)

// StateOn returns the state of a billing summary on day today.
func (inv Invoice) StateOn(today Date) InvoiceState {
	switch {
	case inv.IsCreditNote:
		return StateCredit
	case inv.Status == InvoicePaid || !inv.PaidOn.IsZero():
		return StatePaid
	case inv.Status == InvoiceCredited:
		return StateCredited
	case inv.DueOn.Before(today):
		return StateOverdue
	}
	return StateOpen
}
