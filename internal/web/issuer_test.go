package web

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"asiakassivu/internal/payref"
	"asiakassivu/internal/pdftest"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestBillIssuerAfterProviderMove: a bill issued before its site moved to
// another provider still names the first provider (name, business id) on
// its page and in its PDF and is paid to the first provider's account:
// the IBAN sent for it after the bill reaches the open bill, the virtual
// barcode carries it, and the new provider's account never shows.
func TestBillIssuerAfterProviderMove(t *testing.T) {
	const (
		ibanA, ibanB = "FI2112345600000785", "FI0240060010000127"
		nameB        = "Uusi Siivous Oy"
	)
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		ctx := context.Background()
		today := portal.DateOf(e.start)
		provA := portal.Provider{Source: "t", ExternalID: "p", Name: "Kotikulma Oy", BusinessID: "1234567-8", Active: true}
		var billID int64
		write := func(step string, fn func(tx *store.Tx) error) {
			t.Helper()
			if err := e.db.Write(ctx, fn); err != nil {
				t.Fatalf("%s: %v", step, err)
			}
		}
		write("bill under A, then the move to B", func(tx *store.Tx) error {
			if _, err := tx.UpsertProvider(ctx, provA); err != nil {
				return err
			}
			s, err := tx.Site(ctx, store.Scope{All: true}, e.sites["koti"])
			if err != nil {
				return err
			}
			billID, err = tx.UpsertInvoice(ctx, portal.Invoice{CustomerID: s.Site.CustomerID, SiteID: s.Site.ID, Source: "t",
				ExternalID: "issuer-bill", Number: "2026-7001", PeriodStart: today.AddDays(-40), PeriodEnd: today.AddDays(-10),
				IssuedOn: today.AddDays(-9), DueOn: today.AddDays(5), Status: portal.InvoiceOpen, TotalCents: 11257, Reference: "1234561",
				Lines: []portal.InvoiceLine{{Position: 1, Description: "Siivous", PerformedOn: today.AddDays(-20), QuantityMilli: 1000,
					UnitPriceCents: 8970, VATRateBP: 2550, NetCents: 8970, VATCents: 2287, TotalCents: 11257, IsWork: true}}})
			if err != nil {
				return err
			}
			b, err := tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: "p-new", Name: nameB, BusinessID: "7654321-0",
				Active: true, IBAN: ibanB, BIC: "HELSFIHH"})
			if err != nil {
				return err
			}
			s.Site.ProviderID = b
			_, err = tx.UpsertSite(ctx, s.Site)
			return err
		})
		bill := "/kohteet/" + strconv.FormatInt(e.sites["koti"], 10) + "/laskut/" + strconv.FormatInt(billID, 10)
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		notB := func(step, body string) {
			t.Helper()
			for _, bad := range []string{nameB, "7654321-0", payref.FormatIBAN(ibanB), ibanB, "HELSFIHH"} {
				if strings.Contains(body, bad) {
					t.Errorf("%s: the bill shows the new provider's %q", step, bad)
				}
			}
		}

		// A has no IBAN yet: the bill names A and says the details come
		// with the paper bill rather than giving B's account.
		r := do(t, maija, "GET", e.srv.URL+bill, nil)
		if r.StatusCode != 200 || !strings.Contains(r.body, "Kotikulma Oy (1234567-8)") ||
			!strings.Contains(r.body, "Maksutiedot tulevat laskun mukana") {
			t.Errorf("before A's IBAN: %d, want A named and the details to come with the bill", r.StatusCode)
		}
		notB("before A's IBAN", r.body)

		// A's IBAN arrives from the ERP after the bill.
		provA.IBAN, provA.BIC = ibanA, "OKOYFIHH"
		write("A's IBAN", func(tx *store.Tx) error {
			_, err := tx.UpsertProvider(ctx, provA)
			return err
		})
		code, err := payref.VirtualBarcode(ibanA, 11257, "1234561", today.AddDays(5).Time())
		if err != nil {
			t.Fatal(err)
		}
		r = do(t, maija, "GET", e.srv.URL+bill, nil)
		for _, want := range []string{"Kotikulma Oy (1234567-8)", `data-copy="Kotikulma Oy"`, payref.FormatIBAN(ibanA),
			`data-copy="` + ibanA + `"`, "OKOYFIHH", code} {
			if r.StatusCode != 200 || !strings.Contains(r.body, want) {
				t.Errorf("after A's IBAN: %d, the bill page has no %q", r.StatusCode, want)
			}
		}
		notB("after A's IBAN", r.body)

		r = do(t, maija, "GET", e.srv.URL+bill+"/pdf", nil)
		content := pdftest.Streams([]byte(r.body))
		// (A PDF string escapes its parentheses: name and id apart.)
		for _, want := range []string{"Kotikulma Oy", "1234567-8", payref.FormatIBAN(ibanA), "OKOYFIHH", code} {
			if r.StatusCode != 200 || !bytes.Contains(content, pdftest.UTF16BE(want)) {
				t.Errorf("the PDF: %d, no %q", r.StatusCode, want)
			}
		}
		for _, bad := range []string{nameB, "7654321-0", payref.FormatIBAN(ibanB)} {
			if bytes.Contains(content, pdftest.UTF16BE(bad)) {
				t.Errorf("the PDF shows the new provider's %q", bad)
			}
		}

		// The new provider written again (its account as before) leaves
		// the old bill with A's.
		write("B again", func(tx *store.Tx) error {
			_, err := tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: "p-new", Name: nameB, BusinessID: "7654321-0",
				Active: true, IBAN: ibanB, BIC: "HELSFIHH"})
			return err
		})
		r = do(t, maija, "GET", e.srv.URL+bill, nil)
		if !strings.Contains(r.body, code) {
			t.Errorf("after B is written again: the bill's barcode is no longer A's")
		}
		notB("after B is written again", r.body)
	})
}
