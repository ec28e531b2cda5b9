package store_test

import (
	"context"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestNamesInSwedishAndEnglish: the Swedish and English names the ERP may
// give a contract's and a visit's service and an invoice line are kept
// by the one-row and the bulk writes, replaced by a later write, and read
// back by every query that reads the record.
func TestNamesInSwedishAndEnglish(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "nimet@esimerkki.fi", "n")
		at := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
		line := func(ext string) portal.Invoice {
			return portal.Invoice{CustomerID: f.customer, SiteID: f.site, Source: "t", ExternalID: ext, Number: "N-" + ext,
				PeriodStart: portal.NewDate(2026, 10, 1), PeriodEnd: portal.NewDate(2026, 10, 31), IssuedOn: portal.NewDate(2026, 11, 2),
				DueOn: portal.NewDate(2026, 11, 16), Status: portal.InvoiceOpen, TotalCents: 11175,
				Lines: []portal.InvoiceLine{{Position: 1, Description: "Siivous 7.10.2026", DescriptionSV: "Städning 7.10.2026",
					DescriptionEN: "Cleaning 7.10.2026", PerformedOn: portal.NewDate(2026, 10, 7), QuantityMilli: 3000,
					UnitPriceCents: 2967, VATRateBP: 2550, NetCents: 8901, VATCents: 2270, TotalCents: 11171, IsWork: true}}}
		}
		var inv1, inv2 int64
		var visit1, visit2 int64
		err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.UpsertContract(ctx, portal.Contract{SiteID: f.site, Source: "t", ExternalID: "k-n", Kind: portal.ContractRegular,
				Service: "Kotiapu", ServiceSV: "Hemhjälp", ServiceEN: "Home help", WorkType: "care", Rhythm: "weekly",
				Start: portal.NewDate(2024, 1, 15)})
			if err != nil {
				return err
			}
			if visit1, err = tx.UpsertVisit(ctx, portal.Visit{SiteID: f.site, ContractID: f.contract, Source: "t", ExternalID: "v1",
				StartsAt: at, EndsAt: at.Add(time.Hour), Status: portal.VisitPlanned, Service: "Kotiapu", ServiceSV: "Hemhjälp",
				ServiceEN: "Home help"}); err != nil {
				return err
			}
			if err := tx.UpsertVisits(ctx, []portal.Visit{{SiteID: f.site, ContractID: f.contract, Source: "t", ExternalID: "v2",
				StartsAt: at.AddDate(0, 0, 7), EndsAt: at.AddDate(0, 0, 7).Add(time.Hour), Status: portal.VisitPlanned,
				Service: "Kotiapu", ServiceEN: "Home help"}}); err != nil {
				return err
			}
			if inv1, err = tx.UpsertInvoice(ctx, line("i1")); err != nil {
				return err
			}
			ids, err := tx.UpsertInvoices(ctx, []portal.Invoice{line("i2")})
			if err != nil {
				return err
			}
			inv2 = ids[0]
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			cs, err := tx.ContractsOfSite(ctx, f.site)
			if err != nil {
				return err
			}
			found := false
			for _, c := range cs {
				if c.ExternalID == "k-n" {
					found = true
					if c.ServiceSV != "Hemhjälp" || c.ServiceEN != "Home help" {
						t.Errorf("contract names: %q %q", c.ServiceSV, c.ServiceEN)
					}
				} else if c.ServiceSV != "" || c.ServiceEN != "" {
					t.Errorf("a contract written without names reads %q %q", c.ServiceSV, c.ServiceEN)
				}
			}
			if !found {
				t.Error("contract k-n not read back")
			}
			vs, err := tx.VisitsOfSite(ctx, f.site)
			if err != nil {
				return err
			}
			if len(vs) != 2 || vs[0].ServiceSV != "Hemhjälp" || vs[0].ServiceEN != "Home help" || vs[1].ServiceSV != "" ||
				vs[1].ServiceEN != "Home help" {
				t.Errorf("visits: %+v", vs)
			}
			visit2 = vs[1].ID
			for _, id := range []int64{inv1, inv2} {
				ls, err := tx.InvoiceLines(ctx, id)
				if err != nil {
					return err
				}
				if len(ls) != 1 || ls[0].DescriptionSV != "Städning 7.10.2026" || ls[0].DescriptionEN != "Cleaning 7.10.2026" {
					t.Errorf("invoice %d lines: %+v", id, ls)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// A later write replaces the names, and an absent one clears it.
		err = db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.UpsertVisit(ctx, portal.Visit{SiteID: f.site, ContractID: f.contract, Source: "t", ExternalID: "v1",
				StartsAt: at, EndsAt: at.Add(time.Hour), Status: portal.VisitPlanned, Service: "Kotiapu", ServiceSV: "Hemservice"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			v, err := tx.VisitOfSite(ctx, f.site, visit1)
			if err != nil {
				return err
			}
			if v.ServiceSV != "Hemservice" || v.ServiceEN != "" {
				t.Errorf("visit after a rewrite: sv %q en %q", v.ServiceSV, v.ServiceEN)
			}
			v2, err := tx.VisitOfSite(ctx, f.site, visit2)
			if err == nil && v2.ServiceEN != "Home help" {
				t.Errorf("bulk-written visit: en %q", v2.ServiceEN)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
