package portal

import "strings"

// DefaultWorkType is the work type of work whose site has no contract to
// tell it by, and of a year's statement without any work.
const DefaultWorkType = "household"

// CompareWorkTypes orders work types for showing: DefaultWorkType first,
// then by name.
func CompareWorkTypes(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == DefaultWorkType:
		return -1
	case b == DefaultWorkType:
		return 1
	}
	return strings.Compare(a, b)
}

// TypeShare is one work type's part of a person's or an account's work
// share (VAT included) in a year, with that type's rule for the year when
// it is published.
type TypeShare struct {
	WorkType       string
	WorkShareCents int64
	Rule           DeductionRule
	HasRule        bool
}

// DeductionByType is one person's household deduction for work of one or
// more work types bought in the same year. Each type with a rule counts
// rate × share, rounded down to the cent and capped at that type's maximum
// plus omavastuu; the omavastuu is then taken once (the largest of the
// rules used) and the total capped at the largest maximum of the rules
// used, never below zero. A rule is used when its type has a positive
// share; types without a rule count nothing. With one type this is exactly
// Deduction: min(rate × share, max + omavastuu) − omavastuu equals
// min(rate × share − omavastuu, max).
func DeductionByType(shares []TypeShare) int64 {
	var sum, omavastuu, maxCents int64
	used := false
	for _, s := range shares {
		if !s.HasRule || s.WorkShareCents <= 0 {
			continue
		}
		r := s.Rule
		a := s.WorkShareCents * int64(r.RateBP) / 10000 // positive: division rounds down
		sum += min(a, r.MaxCents+r.OmavastuuCents)
		if !used || r.OmavastuuCents > omavastuu {
			omavastuu = r.OmavastuuCents
		}
		if !used || r.MaxCents > maxCents {
			maxCents = r.MaxCents
		}
		used = true
	}
	if !used {
		return 0
	}
	return max(0, min(sum-omavastuu, maxCents))
}

// EstimateDeductionsByType splits each work type's share among one or two
// payers (SplitCents per type: an odd cent goes to the first payer) and
// estimates each payer's deduction with DeductionByType. A payer's
// WorkShareCents is their part of every type, with or without a rule.
// Without shares the whole goes to one payer.
func EstimateDeductionsByType(types []TypeShare, sharesBP []int) []PayerDeduction {
	if len(sharesBP) == 0 {
		sharesBP = []int{10000}
	}
	own := make([][]TypeShare, len(sharesBP))
	for _, t := range types {
		for i, part := range SplitCents(t.WorkShareCents, sharesBP) {
			p := t
			p.WorkShareCents = part
			own[i] = append(own[i], p)
		}
	}
	out := make([]PayerDeduction, len(sharesBP))
	for i := range out {
		out[i].ShareBP = sharesBP[i]
		for _, t := range own[i] {
			out[i].WorkShareCents += t.WorkShareCents
		}
		out[i].DeductionCents = DeductionByType(own[i])
	}
	return out
}

// WorkTypeOf tells the work type of an invoice's work line, since invoices
// name their site but not the contract: among the site's contracts, the
// first rule that picks one decides
//
//  1. a contract in force on the line's performance day whose service the
//     line's description begins with (the line names its service; the
//     longest such service wins, so "Kotiapu ja hoiva" beats "Kotiapu");
//  2. a regular contract in force on that day;
//  3. any contract in force on that day;
//  4. the site's regular contract that started last;
//  5. any contract of the site;
//
// and DefaultWorkType when the site has no contract or the picked one has
// no work type. Other ties go to the contract that started first (in rule
// 4 last), then to the lower id, so the order of contracts does not
// matter.
func WorkTypeOf(contracts []Contract, performedOn Date, description string) string {
	inForce := func(c Contract) bool { return c.Active(performedOn) }
	named := func(c Contract) bool {
		return inForce(c) && c.Service != "" && strings.HasPrefix(description, c.Service)
	}
	regular := func(c Contract) bool { return c.Kind == ContractRegular }
	steps := []struct {
		ok     func(Contract) bool
		better func(a, b Contract) bool
	}{
		{named, func(a, b Contract) bool {
			if len(a.Service) != len(b.Service) {
				return len(a.Service) > len(b.Service)
			}
			return earlier(a, b)
		}},
		{func(c Contract) bool { return inForce(c) && regular(c) }, earlier},
		{inForce, earlier},
		{regular, func(a, b Contract) bool {
			if a.Start != b.Start {
				return b.Start.Before(a.Start)
			}
			return a.ID < b.ID
		}},
		{func(Contract) bool { return true }, earlier},
	}
	for _, s := range steps {
		var best Contract
		found := false
		for _, c := range contracts {
			if s.ok(c) && (!found || s.better(c, best)) {
				best, found = c, true
			}
		}
		if found {
			if best.WorkType == "" {
				break
			}
			return best.WorkType
		}
	}
	return DefaultWorkType
}

// earlier orders contracts by start, then id.
func earlier(a, b Contract) bool {
	if a.Start != b.Start {
		return a.Start.Before(b.Start)
	}
	return a.ID < b.ID
}
