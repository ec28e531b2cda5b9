package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"asiakassivu/internal/payref"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// payBills gives the provider of the test env an account and maija's
// koti four bills around today: open with a Finnish reference, overdue by
// five days with an RF reference, open without a reference, and paid.
// It returns their ids by name.
func payBills(t *testing.T, e *env) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	today := portal.DateOf(e.start)
	ids := map[string]int64{}
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: "p", Name: "Kotikulma Oy", Phone: "+358 40 123 4567",
			Active: true, IBAN: "FI2112345600000785", BIC: "OKOYFIHH"}); err != nil {
			return err
		}
		s, err := tx.Site(ctx, store.Scope{All: true}, e.sites["koti"])
		if err != nil {
			return err
		}
		for _, b := range []struct {
			name, ref string
			due       portal.Date
			paid      bool
		}{
			{"open", "1234561", today.AddDays(10), false},
			{"overdue", "RF18539007547034", today.AddDays(-5), false},
			{"noref", "", today.AddDays(3), false},
			{"paid", "1232", today.AddDays(-20), true},
		} {
			inv := portal.Invoice{CustomerID: s.Site.CustomerID, SiteID: s.Site.ID, Source: "t", ExternalID: "pay-" + b.name,
				Number: "2026-9" + strconv.Itoa(len(ids)), PeriodStart: today.AddDays(-40), PeriodEnd: today.AddDays(-10),
				IssuedOn: today.AddDays(-30), DueOn: b.due, Status: portal.InvoiceOpen, TotalCents: 12345, Reference: b.ref,
				Lines: []portal.InvoiceLine{{Position: 1, Description: "Siivous", PerformedOn: today.AddDays(-35), QuantityMilli: 1000,
					UnitPriceCents: 9837, VATRateBP: 2550, NetCents: 9837, VATCents: 2508, TotalCents: 12345, IsWork: true}}}
			if b.paid {
				inv.Status, inv.PaidOn = portal.InvoicePaid, today.AddDays(-21)
			}
			if ids[b.name], err = tx.UpsertInvoice(ctx, inv); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

var copyButton = regexp.MustCompile(`<button[^>]*class="copy"[^>]*>`)

// TestPaymentDetailsPage: an open bill shows the payee, IBAN, reference,
// due date, amount and virtual barcode, each with a copy button (hidden
// until copy.js shows it); an overdue one says so in words with the days;
// one without a reference says the details come with the bill; a paid one
// shows none; the bills list links the open ones to their details.
func TestPaymentDetailsPage(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		ids := payBills(t, e)
		today := portal.DateOf(e.start)
		koti := "/kohteet/" + strconv.FormatInt(e.sites["koti"], 10) + "/laskut/"
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")

		r := do(t, maija, "GET", e.srv.URL+koti+strconv.FormatInt(ids["open"], 10), nil)
		due := today.AddDays(10)
		code, err := payref.VirtualBarcode("FI2112345600000785", 12345, "1234561", due.Time())
		if err != nil {
			t.Fatal(err)
		}
		dueText := fmt.Sprintf("%d.%d.%d", due.Day, int(due.Month), due.Year)
		for _, want := range []string{`id="maksu"`, "Maksutiedot", "Saaja", "Kotikulma Oy", "FI21 1234 5600 0007 85", "OKOYFIHH",
			"Viitenumero", "12 34561", "Eräpäivä", dueText, "123,45\u00a0€", "Virtuaaliviivakoodi", code,
			`data-copy="FI2112345600000785"`, `data-copy="1234561"`, `data-copy="123,45"`, `data-copy="` + code + `"`,
			`data-copy="` + dueText + `"`, `data-copy="Kotikulma Oy"`, "/static/copy.", "/static/payment.", `aria-label="Kopioi: Viitenumero"`} {
			if r.StatusCode != 200 || !strings.Contains(r.body, want) {
				t.Errorf("open bill: %d, no %q", r.StatusCode, want)
			}
		}
		buttons := copyButton.FindAllString(r.body, -1)
		if len(buttons) != 6 {
			t.Errorf("open bill: %d copy buttons, want 6 (payee, IBAN, reference, due date, amount, barcode)", len(buttons))
		}
		for _, b := range buttons {
			if !strings.Contains(b, " hidden") || !strings.Contains(b, `type="button"`) {
				t.Errorf("a copy button that shows without JavaScript or submits: %s", b)
			}
		}
		if strings.Contains(r.body, "Erääntynyt") {
			t.Error("an open bill not yet due says it is overdue")
		}

		r = do(t, maija, "GET", e.srv.URL+koti+strconv.FormatInt(ids["overdue"], 10), nil)
		rfCode, _ := payref.VirtualBarcode("FI2112345600000785", 12345, "RF18539007547034", today.AddDays(-5).Time())
		for _, want := range []string{"Erääntynyt 5 päivää sitten", "pay-overdue", "pay-alert", "RF18 5390 0754 7034", rfCode} {
			if r.StatusCode != 200 || !strings.Contains(r.body, want) {
				t.Errorf("overdue bill: %d, no %q", r.StatusCode, want)
			}
		}
		if !strings.HasPrefix(rfCode, "5") {
			t.Errorf("an RF reference's barcode is version %c, want 5", rfCode[0])
		}

		r = do(t, maija, "GET", e.srv.URL+koti+strconv.FormatInt(ids["noref"], 10), nil)
		if r.StatusCode != 200 || !strings.Contains(r.body, "Maksutiedot tulevat laskun mukana") ||
			strings.Contains(r.body, "FI21 1234") || copyButton.MatchString(r.body) {
			t.Errorf("bill without a reference: %d, want the plain sentence and no half details", r.StatusCode)
		}

		r = do(t, maija, "GET", e.srv.URL+koti+strconv.FormatInt(ids["paid"], 10), nil)
		if r.StatusCode != 200 || strings.Contains(r.body, `id="maksu"`) || strings.Contains(r.body, "FI21 1234") ||
			strings.Contains(r.body, "/static/copy.") {
			t.Errorf("paid bill: %d, shows payment details", r.StatusCode)
		}

		// The list links each bill still to be paid to its details, and
		// not the paid one.
		r = do(t, maija, "GET", e.srv.URL+strings.TrimSuffix(koti, "/")+"?vuosi=0", nil)
		for name, want := range map[string]bool{"open": true, "overdue": true, "noref": true, "paid": false} {
			link := koti + strconv.FormatInt(ids[name], 10) + "#maksu"
			if strings.Contains(r.body, link) != want {
				t.Errorf("bills list: link %s present %v, want %v", link, !want, want)
			}
		}

		// In Swedish and English too.
		for lang, want := range map[string][]string{
			"sv": {"Betalningsuppgifter", "Referensnummer", "Förföll för 5 dagar sedan"},
			"en": {"Payment details", "Reference number", "Overdue by 5 days"},
		} {
			c := e.client(t)
			e.signIn(t, c, "maija@example.fi")
			r := do(t, c, "GET", e.srv.URL+koti+strconv.FormatInt(ids["overdue"], 10), nil, "Accept-Language", lang)
			for _, w := range want {
				if !strings.Contains(r.body, w) {
					t.Errorf("%s: no %q", lang, w)
				}
			}
		}
	})
}

// TestPaymentDetailsIsolation: another customer cannot open the bill (or
// its PDF) under her site or under his own, and sees none of its details.
func TestPaymentDetailsIsolation(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		ids := payBills(t, e)
		matti := e.client(t)
		e.signIn(t, matti, "matti@example.fi")
		id := strconv.FormatInt(ids["open"], 10)
		for _, site := range []string{"koti", "matti"} {
			for _, suffix := range []string{"", "/pdf"} {
				path := "/kohteet/" + strconv.FormatInt(e.sites[site], 10) + "/laskut/" + id + suffix
				r := do(t, matti, "GET", e.srv.URL+path, nil)
				if r.StatusCode != http.StatusNotFound || strings.Contains(r.body, "FI21") || strings.Contains(r.body, "1234561") {
					t.Errorf("matti GET %s: %d", path, r.StatusCode)
				}
			}
		}
	})
}
