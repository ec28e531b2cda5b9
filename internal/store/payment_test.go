package store_test

import (
	"context"
	"testing"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// A provider's bank account and an invoice's reference number are stored,
// changed by a later write, and read back by every reader the bill pages,
// the dashboard and the sync API use (single and bulk writes alike).
func TestPaymentDetailsRoundTrip(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "maksaja@esimerkki.fi", "pay")
		inv := portal.Invoice{CustomerID: f.customer, SiteID: f.site, Source: "t", ExternalID: "i-pay", Number: "2026-000042",
			PeriodStart: portal.NewDate(2026, 10, 1), PeriodEnd: portal.NewDate(2026, 10, 31), IssuedOn: portal.NewDate(2026, 11, 2),
			DueOn: portal.NewDate(2026, 11, 16), Status: portal.InvoiceOpen, TotalCents: 11170, Reference: "1234561",
			Lines: []portal.InvoiceLine{{Position: 1, Description: "Siivous", PerformedOn: portal.NewDate(2026, 10, 7), QuantityMilli: 3000,
				UnitPriceCents: 2967, VATRateBP: 2550, NetCents: 8900, VATCents: 2270, TotalCents: 11170, IsWork: true}}}
		var invID, bulkID int64
		err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: "p-pay", Name: "Tuottaja pay", Active: true,
				IBAN: "FI2112345600000785", BIC: "OKOYFIHH"}); err != nil {
				return err
			}
			var err error
			if invID, err = tx.UpsertInvoice(ctx, inv); err != nil {
				return err
			}
			bulk := inv
			bulk.ExternalID, bulk.Number, bulk.Reference = "i-bulk", "2026-000043", "RF18539007547034"
			ids, err := tx.UpsertInvoices(ctx, []portal.Invoice{bulk})
			bulkID = ids[0]
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			got, err := tx.InvoiceOfSite(ctx, f.site, invID)
			if err != nil {
				return err
			}
			if got.Reference != "1234561" {
				t.Errorf("InvoiceOfSite reference = %q, want 1234561", got.Reference)
			}
			if got, err := tx.SyncedInvoice(ctx, bulkID); err != nil || got.Reference != "RF18539007547034" {
				t.Errorf("SyncedInvoice (bulk write) reference = %q, %v", got.Reference, err)
			}
			sum, err := tx.SiteSummary(ctx, store.Scope{EmailNorm: "maksaja@esimerkki.fi"}, f.site, t0, store.Reader{})
			if err != nil {
				return err
			}
			if sum.Provider.IBAN != "FI2112345600000785" || sum.Provider.BIC != "OKOYFIHH" {
				t.Errorf("summary provider = %+v", sum.Provider)
			}
			if p, err := tx.SyncedProvider(ctx, f.provider); err != nil || p.IBAN != "FI2112345600000785" || p.BIC != "OKOYFIHH" {
				t.Errorf("SyncedProvider = %+v, %v", p, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// A later write without the fields clears them: the ERP's copy is
		// the whole record.
		err = db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: "p-pay", Name: "Tuottaja pay", Active: true}); err != nil {
				return err
			}
			inv.Reference = ""
			_, err := tx.UpsertInvoice(ctx, inv)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			got, err := tx.InvoiceOfSite(ctx, f.site, invID)
			if err != nil || got.Reference != "" {
				t.Errorf("reference after a write without one = %q, %v", got.Reference, err)
			}
			if p, err := tx.SyncedProvider(ctx, f.provider); err != nil || p.IBAN != "" {
				t.Errorf("provider after a write without an IBAN = %+v, %v", p, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
