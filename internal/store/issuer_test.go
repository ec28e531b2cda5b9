package store_test

import (
	"context"
	"testing"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// An invoice keeps the provider that issued it, account included, when
// its site moves to another provider; the issuer's IBAN sent after the
// invoice reaches it, another provider's never does, and an account once
// on a bill is not changed by a later one.
func TestInvoiceIssuerAccount(t *testing.T) {
	const (
		ibanA, bicA   = "FI2112345600000785", "OKOYFIHH"
		ibanA2        = "FI7180001400000001"
		ibanB, bicB   = "FI0240060010000127", "HELSFIHH"
		bidA, bidB    = "1234567-8", "7654321-0"
		email, extRef = "siirto@esimerkki.fi", "issuer"
	)
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, email, extRef)
		provA := portal.Provider{Source: "t", ExternalID: "p-" + extRef, Name: "Siivous A Oy", BusinessID: bidA, Active: true}
		provB := portal.Provider{Source: "t", ExternalID: "p-b", Name: "Siivous B Oy", BusinessID: bidB, Active: true, IBAN: ibanB, BIC: bicB}
		site := portal.Site{CustomerID: f.customer, ProviderID: f.provider, Source: "t", ExternalID: "s-" + extRef,
			Street: "Katu " + extRef, PostalCode: "33100", City: "Tampere"}
		old := portal.Invoice{CustomerID: f.customer, SiteID: f.site, Source: "t", ExternalID: "i-old", Number: "2026-000101",
			PeriodStart: portal.NewDate(2026, 10, 1), PeriodEnd: portal.NewDate(2026, 10, 31), IssuedOn: portal.NewDate(2026, 11, 2),
			DueOn: portal.NewDate(2026, 11, 16), Status: portal.InvoiceOpen, TotalCents: 8900, Reference: "1234561"}
		var oldID, newID, bulkID, provBID int64
		write := func(step string, fn func(tx *store.Tx) error) {
			t.Helper()
			if err := db.Write(ctx, fn); err != nil {
				t.Fatalf("%s: %v", step, err)
			}
		}
		// The old bill is issued by A, which has no IBAN yet.
		write("issue under A", func(tx *store.Tx) error {
			if _, err := tx.UpsertProvider(ctx, provA); err != nil {
				return err
			}
			var err error
			oldID, err = tx.UpsertInvoice(ctx, old)
			return err
		})
		// The site moves to B; the next bills are B's; the ERP sends the
		// old bill again.
		write("move to B", func(tx *store.Tx) error {
			var err error
			if provBID, err = tx.UpsertProvider(ctx, provB); err != nil {
				return err
			}
			site.ProviderID = provBID
			if _, err := tx.UpsertSite(ctx, site); err != nil {
				return err
			}
			next := old
			next.ExternalID, next.Number, next.IssuedOn = "i-new", "2026-000102", portal.NewDate(2026, 12, 1)
			if newID, err = tx.UpsertInvoice(ctx, next); err != nil {
				return err
			}
			bulk := old
			bulk.ExternalID, bulk.Number = "i-bulk", "2026-000103"
			ids, err := tx.UpsertInvoices(ctx, []portal.Invoice{bulk})
			if err != nil {
				return err
			}
			bulkID = ids[0]
			_, err = tx.UpsertInvoice(ctx, old)
			return err
		})
		want := func(step string, id int64, w portal.Issuer) {
			t.Helper()
			err := db.Read(ctx, func(tx *store.Tx) error {
				got, err := tx.InvoiceOfSite(ctx, f.site, id)
				if err != nil {
					return err
				}
				if got.Issuer != w {
					t.Errorf("%s: InvoiceOfSite(%d).Issuer = %+v, want %+v", step, id, got.Issuer, w)
				}
				if got, err := tx.SyncedInvoice(ctx, id); err != nil || got.Issuer != w {
					t.Errorf("%s: SyncedInvoice(%d).Issuer = %+v, %v; want %+v", step, id, got.Issuer, err, w)
				}
				all, err := tx.InvoicesOfSite(ctx, f.site)
				if err != nil {
					return err
				}
				for _, inv := range all {
					if inv.ID == id && inv.Issuer != w {
						t.Errorf("%s: InvoicesOfSite %d Issuer = %+v, want %+v", step, id, inv.Issuer, w)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
		}
		issuerA := portal.Issuer{Stamped: true, Name: "Siivous A Oy", BusinessID: bidA}
		issuerB := portal.Issuer{Stamped: true, Name: "Siivous B Oy", BusinessID: bidB, IBAN: ibanB, BIC: bicB}
		want("after the move", oldID, issuerA)
		want("after the move", newID, issuerB)
		want("after the move (bulk write)", bulkID, issuerB)

		// B's account, written again, never reaches A's bill.
		write("B again", func(tx *store.Tx) error {
			_, err := tx.UpsertProvider(ctx, provB)
			return err
		})
		want("after B is written again", oldID, issuerA)
		// Another provider with A's name but its own business id does
		// not either.
		write("other provider", func(tx *store.Tx) error {
			_, err := tx.UpsertProviders(ctx, []portal.Provider{{Source: "t", ExternalID: "p-c", Name: "Siivous A Oy",
				BusinessID: "1111111-1", Active: true, IBAN: ibanA2}})
			return err
		})
		want("after another business id", oldID, issuerA)

		// A's IBAN arrives: it reaches A's open bill, and only that.
		provA.IBAN, provA.BIC = ibanA, bicA
		write("A's IBAN", func(tx *store.Tx) error {
			_, err := tx.UpsertProvider(ctx, provA)
			return err
		})
		issuerA.IBAN, issuerA.BIC = ibanA, bicA
		want("after A's IBAN", oldID, issuerA)
		want("after A's IBAN", newID, issuerB)
		err := db.Read(ctx, func(tx *store.Tx) error {
			sum, err := tx.SiteSummary(ctx, store.Scope{EmailNorm: email}, f.site, t0, store.Reader{})
			if err != nil {
				return err
			}
			if sum.LatestInvoice == nil || sum.LatestInvoice.Issuer != issuerB {
				t.Errorf("summary's latest invoice = %+v, want issuer %+v", sum.LatestInvoice, issuerB)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		// A later account of A does not rewrite a bill already carrying
		// one (the bulk write, as the legacy import does, fills too).
		provA.IBAN, provA.BIC = ibanA2, ""
		write("A's new IBAN", func(tx *store.Tx) error {
			_, err := tx.UpsertProviders(ctx, []portal.Provider{provA})
			return err
		})
		want("after A's new IBAN", oldID, issuerA)
	})
}

// The bulk provider write (the legacy import's) fills the accounts of its
// providers' stamped bills as the single write does.
func TestInvoiceIssuerAccountBulk(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "bulk@esimerkki.fi", "ib")
		prov := portal.Provider{Source: "t", ExternalID: "p-ib", Name: "Tuottaja ib", BusinessID: "2222222-2", Active: true}
		var id int64
		err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.UpsertProvider(ctx, prov); err != nil {
				return err
			}
			var err error
			id, err = tx.UpsertInvoice(ctx, portal.Invoice{CustomerID: f.customer, SiteID: f.site, Source: "t", ExternalID: "i-ib",
				Number: "2026-000201", PeriodStart: portal.NewDate(2026, 10, 1), PeriodEnd: portal.NewDate(2026, 10, 31), IssuedOn: portal.NewDate(2026, 11, 2), DueOn: portal.NewDate(2026, 11, 16),
				Status: portal.InvoiceOpen, TotalCents: 100})
			if err != nil {
				return err
			}
			prov.IBAN, prov.BIC = "FI2112345600000785", "OKOYFIHH"
			_, err = tx.UpsertProviders(ctx, []portal.Provider{prov})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			got, err := tx.SyncedInvoice(ctx, id)
			if err != nil {
				return err
			}
			if got.Issuer.IBAN != prov.IBAN || got.Issuer.BIC != prov.BIC || got.Issuer.BusinessID != prov.BusinessID {
				t.Errorf("issuer after the bulk provider write = %+v", got.Issuer)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
