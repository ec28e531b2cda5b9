package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// BenchmarkYearlyStatement: an account with ten years of monthly billing
// summaries (five lines each) on three sites, on every engine.
func BenchmarkYearlyStatement(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, e, nil)
			a := New(db, NewHasher(cheap), nil)
			var accID int64
			err := db.Write(ctx, func(tx *store.Tx) error {
				prov, err := tx.UpsertProvider(ctx, portal.Provider{Source: "b", ExternalID: "p", Name: "P", Active: true})
				if err != nil {
					return err
				}
				for s := range 3 {
					cid, err := tx.UpsertCustomer(ctx, portal.Customer{Source: "b", ExternalID: fmt.Sprint(s), Name: "C",
						Email: "bench@example.fi"})
					if err != nil {
						return err
					}
					sid, err := tx.UpsertSite(ctx, portal.Site{CustomerID: cid, ProviderID: prov, Source: "b",
						ExternalID: fmt.Sprint(s), Street: "Katu 1"})
					if err != nil {
						return err
					}
					var invs []portal.Invoice
					for m := range 120 {
						start := portal.NewDate(2016+m/12, time.Month(m%12+1), 1)
						inv := portal.Invoice{CustomerID: cid, SiteID: sid, Source: "b", ExternalID: fmt.Sprintf("%d-%d", s, m),
							Number: fmt.Sprintf("%d-%04d", s, m), PeriodStart: start, PeriodEnd: start.AddDays(27),
							IssuedOn: start.AddDays(33), DueOn: start.AddDays(47), PaidOn: start.AddDays(45), Status: portal.InvoicePaid}
						for l := range 5 {
							inv.Lines = append(inv.Lines, portal.InvoiceLine{Position: l + 1, Description: "Siivous",
								PerformedOn: start.AddDays(l), QuantityMilli: 2000, UnitPriceCents: 4000, VATRateBP: 2550,
								NetCents: 8000, VATCents: 2040, TotalCents: 10040, IsWork: l < 4})
							inv.TotalCents += 10040
						}
						invs = append(invs, inv)
					}
					for _, inv := range invs {
						if _, err := tx.UpsertInvoice(ctx, inv); err != nil {
							return err
						}
					}
				}
				accID, err = tx.CreateAccount(ctx, portal.Account{Email: "bench@example.fi", PasswordHash: "x", VerifiedAt: tx.Now()})
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			v := Viewer{AccountID: accID, Verified: true, Role: portal.RoleCustomer, EmailNorm: "bench@example.fi"}
			b.ResetTimer()
			for b.Loop() {
				st, err := a.YearlyStatement(ctx, v, 2024, []int{5000, 5000})
				if err != nil || st.WorkShareCents != 3*12*4*10040 {
					b.Fatalf("statement %d %v", st.WorkShareCents, err)
				}
			}
		})
	}
}
