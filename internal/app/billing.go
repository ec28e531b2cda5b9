package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// Billing is a site's list of billing summaries for one year.
type Billing struct {
	Site     portal.SiteWithProvider
	Year     int   // 0: every year
	Years    []int // years with summaries, newest first
	Invoices []portal.InvoiceSummary
}

// SiteBilling lists the billing summaries of a customer's own site,
// issued in year (0 for all years). Billing is not staff's or admins'.
func (a *App) SiteBilling(ctx context.Context, v Viewer, siteID int64, year int) (Billing, error) {
	out := Billing{Year: year}
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if out.Site, err = tx.Site(ctx, v.siteScope(siteID, CapBilling), siteID); err != nil {
			return err
		}
		if out.Years, err = tx.InvoiceYears(ctx, siteID); err != nil {
			return err
		}
		out.Invoices, err = tx.BillingOfSite(ctx, siteID, year)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("billing of site %d: %w", siteID, err)
	}
	return out, nil
}

// InvoiceDetail is one billing summary with what its page shows.
type InvoiceDetail struct {
	Site           portal.SiteWithProvider
	Invoice        portal.Invoice
	State          portal.InvoiceState
	VATTotals      []portal.VATTotal
	WorkShareCents int64
	OtherCents     int64
	VATCents       int64
	NetCents       int64
}

// SiteInvoice returns one billing summary of a customer's own site, with
// its lines; portal.ErrNotFound when either is not theirs.
func (a *App) SiteInvoice(ctx context.Context, v Viewer, siteID, invoiceID int64) (InvoiceDetail, error) {
	var out InvoiceDetail
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if out.Site, err = tx.Site(ctx, v.siteScope(siteID, CapBilling), siteID); err != nil {
			return err
		}
		if out.Invoice, err = tx.InvoiceOfSite(ctx, siteID, invoiceID); err != nil {
			return err
		}
		out.State = out.Invoice.StateOn(portal.DateOf(tx.Now()))
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("invoice %d of site %d: %w", invoiceID, siteID, err)
	}
	out.VATTotals = portal.VATTotals(out.Invoice.Lines)
	out.WorkShareCents = portal.WorkShare(out.Invoice.Lines)
	for _, l := range out.Invoice.Lines {
		out.VATCents += l.VATCents
		out.NetCents += l.NetCents
		if !l.IsWork {
			out.OtherCents += l.TotalCents
		}
	}
	return out, nil
}

// StatementSite is one site's part of a yearly statement.
type StatementSite struct {
	Site           portal.Site
	ProviderName   string
	Payments       int
	PaidCents      int64
	WorkShareCents int64
}

// Statement is the yearly statement of an account: the work share paid in
// the year over all its linked customer records, per work type, and the
// estimated household deduction.
type Statement struct {
	Year           int
	Sites          []StatementSite
	PaidCents      int64
	WorkShareCents int64
	// Types is the work share per work type (DefaultWorkType first, then
	// by name), each with its rule for the year when published. A year
	// without any work has the default type with a zero share, so the page
	// can still tell whether the year's rules are out.
	Types []portal.TypeShare
	// HasRule is true when at least one type's rule is published, so the
	// payers' deductions are estimated (over the types that have one).
	HasRule  bool
	SharesBP []int
	Payers   []portal.PayerDeduction
}

// MissingRules lists the work types whose rule for the year is not yet
// published.
func (st Statement) MissingRules() []portal.TypeShare {
	var out []portal.TypeShare
	for _, t := range st.Types {
		if !t.HasRule {
			out = append(out, t)
		}
	}
	return out
}

// YearlyStatement computes a customer's statement for a year: payment date
// decides the year, credit notes subtract. Each work line counts for the
// work type portal.WorkTypeOf gives it from its site's contracts (invoices
// name their site, not the contract), and each type's rule for the year
// applies to its share; portal.EstimateDeductionsByType takes the
// omavastuu once per person. sharesBP are the payers' shares (one or two,
// summing to 10000); nil or invalid means one payer.
func (a *App) YearlyStatement(ctx context.Context, v Viewer, year int, sharesBP []int) (Statement, error) {
	return a.statement(ctx, v, v.scopeFor(CapOwnData), 0, year, sharesBP)
}

// SiteStatement is the yearly statement of one home, for its owner or a
// caretaker under a grant (CapStatement); anyone else gets
// portal.ErrNotFound. It is computed as YearlyStatement, of that home
// only.
func (a *App) SiteStatement(ctx context.Context, v Viewer, siteID int64, year int, sharesBP []int) (Statement, error) {
	return a.statement(ctx, v, v.siteScope(siteID, CapStatement), siteID, year, sharesBP)
}

// statement computes the statement of the sites within scope (only the
// one when only is not 0: portal.ErrNotFound when it is not within scope).
func (a *App) statement(ctx context.Context, v Viewer, scope store.Scope, only int64, year int, sharesBP []int) (Statement, error) {
	st := Statement{Year: year, SharesBP: sharesBP}
	if v.Role != portal.RoleCustomer {
		return st, portal.ErrNotFound // an account's own statement; staff and admins have none
	}
	if !portal.CheckShares(sharesBP) {
		st.SharesBP = []int{10000}
	}
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		sites, err := tx.Sites(ctx, scope)
		if err != nil {
			return err
		}
		if only != 0 {
			sites = slices.DeleteFunc(sites, func(s portal.SiteWithProvider) bool { return s.Site.ID != only })
			if len(sites) == 0 {
				return portal.ErrNotFound
			}
		}
		paid, err := tx.PaidWorkInYear(ctx, scope, year)
		if err != nil {
			return err
		}
		lines, err := tx.PaidWorkLinesInYear(ctx, scope, year)
		if err != nil {
			return err
		}
		byType := map[string]int64{}
		for _, s := range sites {
			ss := StatementSite{Site: s.Site, ProviderName: s.Provider.Name}
			for _, p := range paid {
				if p.SiteID == s.Site.ID {
					ss.Payments++
					ss.PaidCents += p.TotalCents
					ss.WorkShareCents += p.WorkShareCents
				}
			}
			var contracts []portal.Contract
			loaded := false // a site may have no contracts: read them once all the same
			for _, l := range lines {
				if l.SiteID != s.Site.ID {
					continue
				}
				if !loaded {
					if contracts, err = tx.ContractsOfSite(ctx, s.Site.ID); err != nil {
						return err
					}
					loaded = true
				}
				byType[portal.WorkTypeOf(contracts, l.PerformedOn, l.Description)] += l.TotalCents
			}
			st.PaidCents += ss.PaidCents
			st.WorkShareCents += ss.WorkShareCents
			st.Sites = append(st.Sites, ss)
		}
		if len(byType) == 0 {
			byType[portal.DefaultWorkType] = 0
		}
		for wt, cents := range byType {
			st.Types = append(st.Types, portal.TypeShare{WorkType: wt, WorkShareCents: cents})
		}
		slices.SortFunc(st.Types, func(a, b portal.TypeShare) int { return portal.CompareWorkTypes(a.WorkType, b.WorkType) })
		for i := range st.Types {
			r, err := tx.DeductionRule(ctx, year, st.Types[i].WorkType)
			switch {
			case errors.Is(err, portal.ErrNotFound):
			case err != nil:
				return err
			default:
				st.Types[i].Rule, st.Types[i].HasRule = r, true
				st.HasRule = true
			}
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("statement %d: %w", year, err)
	}
	if st.HasRule {
		st.Payers = portal.EstimateDeductionsByType(st.Types, st.SharesBP)
	}
	return st, nil
}
