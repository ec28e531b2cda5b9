package app

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestDeductionExportProviderChange: a site whose provider changed on
// 1.7.2025 (A → B), with invoices paid on both sides, is reported under two
// companies: each invoice keeps the business id and name of the provider
// that issued it, also when the ERP sends an earlier invoice again after
// the change. Each record holds only its company's lines, and each payer's
// part of its amounts is in euros (60/40; the odd cent to the first).
func TestDeductionExportProviderChange(t *testing.T) {
	clock := storetest.NewClock(time.Date(2025, 3, 1, 9, 0, 0, 0, portal.Helsinki))
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, clock)
		key := make([]byte, 32)
		s, err := NewSealer(key)
		if err != nil {
			t.Fatal(err)
		}
		a := New(db, NewHasher(cheap), nil, WithSealer(s))
		invoice := func(ext string, day portal.Date, work, travel int64) portal.Invoice {
			return portal.Invoice{CustomerID: 0, SiteID: w.sites["koti"], Source: "t", ExternalID: ext, Number: ext,
				PeriodStart: day, PeriodEnd: day, IssuedOn: day, DueOn: day, PaidOn: day, Status: portal.InvoicePaid,
				TotalCents: work + travel, Lines: []portal.InvoiceLine{
					{Position: 1, Description: "Siivous", PerformedOn: day, TotalCents: work, IsWork: true},
					{Position: 2, Description: "Matkakulut", PerformedOn: day, TotalCents: travel}}}
		}
		write := func(fn func(tx *store.Tx) error) {
			t.Helper()
			if err := db.Write(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		var site portal.Site
		write(func(tx *store.Tx) error {
			for p, bid := range map[string]string{"A": "1234567-1", "B": "7654321-8"} {
				if _, err := tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: p, Name: "Tuottaja " + p,
					BusinessID: bid, Active: true}); err != nil {
					return err
				}
			}
			sv, err := tx.Site(ctx, store.Scope{All: true}, w.sites["koti"])
			if err != nil {
				return err
			}
			site = sv.Site
			var payers []store.Payer
			for _, p := range []struct {
				name, code string
				share      int
			}{{"Maija", "131052-308T", 6000}, {"Matti", "010101A123N", 4000}} {
				enc, err := s.Seal([]byte(p.code))
				if err != nil {
					return err
				}
				payers = append(payers, store.Payer{Name: p.name, IdentityCodeEnc: enc, ShareBP: p.share})
			}
			if _, err := tx.SetDeductionConsent(ctx, site.CustomerID, true, false, "v1", payers); err != nil {
				return err
			}
			inv := invoice("A1", portal.NewDate(2025, 3, 10), 10001, 500)
			inv.CustomerID = site.CustomerID
			_, err = tx.UpsertInvoice(ctx, inv)
			return err
		})
		clock.Set(time.Date(2025, 7, 1, 8, 0, 0, 0, portal.Helsinki))
		write(func(tx *store.Tx) error {
			site.ProviderID = w.providers["B"]
			if _, err := tx.UpsertSite(ctx, site); err != nil {
				return err
			}
			for _, inv := range []portal.Invoice{
				invoice("A1", portal.NewDate(2025, 3, 10), 10001, 500), // sent again after the change
				invoice("B1", portal.NewDate(2025, 9, 15), 20000, 0),
			} {
				inv.CustomerID = site.CustomerID
				if _, err := tx.UpsertInvoice(ctx, inv); err != nil {
					return err
				}
			}
			// The bulk write stamps as the one-row write does.
			inv := invoice("B2", portal.NewDate(2025, 10, 15), 3000, 0)
			inv.CustomerID = site.CustomerID
			_, err := tx.UpsertInvoices(ctx, []portal.Invoice{inv})
			return err
		})
		rep, err := a.BuildDeductionReport(ctx, 2025)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			bid, company     string
			paid, work       int64
			first, last      string
			paidEUR, workEUR [2]string
		}{
			{"1234567-1", "Tuottaja A", 10501, 10001, "2025-03-10", "2025-03-10", [2]string{"63.01", "42.00"}, [2]string{"60.01", "40.00"}},
			{"7654321-8", "Tuottaja B", 23000, 23000, "2025-09-15", "2025-10-15", [2]string{"138.00", "92.00"}, [2]string{"138.00", "92.00"}},
		}
		if len(rep.Records) != len(want) {
			t.Fatalf("%d records, want %d: %+v", len(rep.Records), len(want), rep.Records)
		}
		for i, x := range want {
			r := rep.Records[i]
			if r.BusinessID != x.bid || r.CompanyName != x.company || r.TotalPaidCents != x.paid || r.WorkShareCents != x.work ||
				r.FirstPayment != x.first || r.LastPayment != x.last || len(r.Payers) != 2 {
				t.Errorf("record %d: %+v", i, r)
				continue
			}
			got := [2][2]string{{r.Payers[0].TotalPaidEUR, r.Payers[1].TotalPaidEUR}, {r.Payers[0].WorkShareEUR, r.Payers[1].WorkShareEUR}}
			if !reflect.DeepEqual(got, [2][2]string{x.paidEUR, x.workEUR}) || r.Payers[0].ShareBP != 6000 || r.Payers[1].ShareBP != 4000 {
				t.Errorf("record %d payers: %+v", i, r.Payers)
			}
		}
		b, err := ReportCSV(rep)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range []string{
			"payer_share_bp,payer_total_paid_eur,payer_work_share_eur\n",
			",Maija,131052-308T,6000,63.01,60.01\n",
			",Matti,010101A123N,4000,92.00,92.00\n",
		} {
			if !strings.Contains(string(b), line) {
				t.Errorf("csv lacks %q:\n%s", line, b)
			}
		}
	})
}

// TestEuros: cents as machine-read euros.
func TestEuros(t *testing.T) {
	for c, want := range map[int64]string{0: "0.00", 5: "0.05", 123456: "1234.56", -1205: "-12.05", -5: "-0.05"} {
		if got := euros(c); got != want {
			t.Errorf("euros(%d) = %q, want %q", c, got, want)
		}
	}
}
