package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"

	"asiakassivu/internal/app"
	"asiakassivu/internal/i18n"
	"asiakassivu/internal/pdftest"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// addInvoice gives maija's koti a paid billing summary: a work line and a
// travel line at 25,5 %.
func addInvoice(t *testing.T, e *env) (customer, invoice int64) {
	t.Helper()
	ctx := context.Background()
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		s, err := tx.Site(ctx, store.Scope{All: true}, e.sites["koti"])
		if err != nil {
			return err
		}
		customer = s.Site.CustomerID
		day := portal.NewDate(2026, 1, 14)
		inv := portal.Invoice{CustomerID: customer, SiteID: s.Site.ID, Source: "t", ExternalID: "i-1", Number: "2026-004242",
			PeriodStart: portal.NewDate(2026, 1, 1), PeriodEnd: portal.NewDate(2026, 1, 31), IssuedOn: portal.NewDate(2026, 2, 3),
			DueOn: portal.NewDate(2026, 2, 17), PaidOn: portal.NewDate(2026, 2, 10), Status: portal.InvoicePaid,
			TotalCents: 12550 + 615, Lines: []portal.InvoiceLine{
				{Position: 1, Description: "Ikkunanpesu, pääovi ja ärrä-ikkuna å", PerformedOn: day, QuantityMilli: 2500,
					UnitPriceCents: 4000, VATRateBP: 2550, NetCents: 10000, VATCents: 2550, TotalCents: 12550, IsWork: true},
				{Position: 2, Description: "Matkakulut", PerformedOn: day, QuantityMilli: 1000, UnitPriceCents: 490,
					VATRateBP: 2550, NetCents: 490, VATCents: 125, TotalCents: 615},
			}}
		invoice, err = tx.UpsertInvoice(ctx, inv)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return customer, invoice
}

func TestBillingPages(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		_, inv := addInvoice(t, e)
		koti := strconv.FormatInt(e.sites["koti"], 10)
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		r := do(t, maija, "GET", e.srv.URL+"/kohteet/"+koti+"/laskut", nil)
		if r.StatusCode != 200 || !strings.Contains(r.body, "2026-004242") || !strings.Contains(r.body, "125,50") {
			t.Fatalf("list: %d\n%s", r.StatusCode, r.body)
		}
		if !strings.Contains(r.body, `href="/kohteet/`+koti+`/laskut"`) {
			t.Error("no Laskut link in the site navigation")
		}
		page := e.srv.URL + "/kohteet/" + koti + "/laskut/" + strconv.FormatInt(inv, 10)
		r = do(t, maija, "GET", page, nil)
		for _, want := range []string{"2026-004242", "Ikkunanpesu, pääovi", "25,5", "2,5", "31,65", "131,65", "6,15", "Maksettu"} {
			if r.StatusCode != 200 || !strings.Contains(r.body, want) {
				t.Errorf("invoice page: %d, no %q", r.StatusCode, want)
			}
		}
		r = do(t, maija, "GET", page+"/pdf", nil)
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.body, "%PDF-") ||
			!strings.Contains(r.body, "%%EOF") {
			t.Errorf("pdf: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
		}
		// Billing, the statement and the consent are the customer's own:
		// staff of the site's provider are sent to their own pages
		// (TestStaffAreNotCustomers).
		sari := e.client(t)
		e.signIn(t, sari, "sari@kotikulma.example")
		for _, path := range []string{page, page + "/pdf", e.srv.URL + "/kotitalousvahennys", e.srv.URL + "/vuosikooste", e.srv.URL + "/vuosikooste/pdf"} {
			if r := do(t, sari, "GET", path, nil); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/tuottaja" ||
				strings.Contains(r.body, "2026-004242") {
				t.Errorf("staff %s: %d %q", path, r.StatusCode, r.Header.Get("Location"))
			}
		}
		r = do(t, maija, "GET", e.srv.URL+"/vuosikooste?vuosi=2026&jako=70", nil)
		if r.StatusCode != 200 || !strings.Contains(r.body, "125,50") {
			t.Errorf("statement: %d\n%s", r.StatusCode, r.body)
		}
		r = do(t, maija, "GET", e.srv.URL+"/vuosikooste?vuosi=2099", nil)
		if r.StatusCode != 200 || strings.Contains(r.body, "125,50") {
			t.Errorf("statement 2099: %d", r.StatusCode)
		}
		r = do(t, maija, "GET", e.srv.URL+"/vuosikooste/pdf?vuosi=2026", nil)
		if r.StatusCode != 200 || !strings.HasPrefix(r.body, "%PDF-") {
			t.Errorf("statement pdf: %d", r.StatusCode)
		}
		if r := do(t, maija, "GET", e.srv.URL+"/kotitalousvahennys", nil); r.StatusCode != 200 {
			t.Errorf("consent page: %d", r.StatusCode)
		}
	})
}

// TestBillingIsolation: the account-wide pages show only the caller's own
// records, and the consent form refuses another's record id.
func TestBillingIsolation(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		customer, inv := addInvoice(t, e)
		matti := e.client(t)
		e.signIn(t, matti, "matti@example.fi")
		for _, path := range []string{"/vuosikooste?vuosi=2026", "/kotitalousvahennys"} {
			r := do(t, matti, "GET", e.srv.URL+path, nil)
			if r.StatusCode != 200 || strings.Contains(r.body, "Kohde koti") || strings.Contains(r.body, "125,50") {
				t.Errorf("%s as matti: %d leaks maija's data", path, r.StatusCode)
			}
		}
		// Maija's invoice under matti's own site.
		path := "/kohteet/" + strconv.FormatInt(e.sites["matti"], 10) + "/laskut/" + strconv.FormatInt(inv, 10)
		if r := do(t, matti, "GET", e.srv.URL+path, nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", path, r.StatusCode)
		}
		form := url.Values{"customer": {strconv.FormatInt(customer, 10)}, "enabled": {"1"}, "payer1name": {"Matti"},
			"payer1code": {"131052-308T"}, "payer1share": {"100"}, "current": {password}}
		if r := do(t, matti, "POST", e.srv.URL+"/kotitalousvahennys", form); r.StatusCode != http.StatusNotFound {
			t.Errorf("consent of maija's record by matti: %d", r.StatusCode)
		}
		// Maija's own record with a wrong check character: refused, and
		// the code is not echoed back.
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		form.Set("payer1code", "131052-308U")
		r := do(t, maija, "POST", e.srv.URL+"/kotitalousvahennys", form)
		if r.StatusCode != http.StatusUnprocessableEntity || strings.Contains(r.body, "131052-308U") {
			t.Errorf("bad code: %d", r.StatusCode)
		}
		if strings.Contains(e.log.String(), "131052-308") {
			t.Error("the log holds an identity code")
		}
	})
}

// TestInvoicePDFText: the PDF's fonts map ä, ö, å and € (the text layer a
// reader copies from), and its title holds the invoice number.
func TestInvoicePDFText(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	l := texts{c.Printer(i18n.Finnish)}
	d := app.InvoiceDetail{Invoice: portal.Invoice{Number: "2026-004242", TotalCents: 12550, Lines: []portal.InvoiceLine{
		{Description: "Ikkunanpesu – pääovi, åländsk", QuantityMilli: 2500, UnitPriceCents: 4000, VATRateBP: 2550,
			NetCents: 10000, VATCents: 2550, TotalCents: 12550, IsWork: true}}}, State: portal.StatePaid}
	d.VATTotals = portal.VATTotals(d.Invoice.Lines)
	b, err := invoicePDFBytes(l, d, payment{})
	if err != nil {
		t.Fatal(err)
	}
	// The text is written as UTF-16 with the embedded Go font, whose
	// identity ToUnicode map lets a reader copy it back.
	content := pdftest.Streams(b)
	for _, want := range []string{"2026-004242", "Ikkunanpesu – pääovi, åländsk", "125,50\u00a0€"} {
		if !bytes.Contains(content, pdftest.UTF16BE(want)) {
			t.Errorf("the PDF's text has no %q", want)
		}
	}
	if !bytes.Contains(b, []byte("/Adobe-Identity-UCS")) {
		t.Error("no ToUnicode map")
	}
	// The font has real glyphs for the letters and signs we print.
	f, err := sfnt.Parse(goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range "äöåÄÖÅ€−–\u00a0" {
		if g, err := f.GlyphIndex(nil, r); err != nil || g == 0 {
			t.Errorf("Go Regular has no glyph for %q", r)
		}
	}
}

// TestStatementWorkTypes: with work of more than one type the statement
// page and its PDF show the work share per type, named in the page's
// language, each type's rule, and a type without a rule as not published.
func TestStatementWorkTypes(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		addInvoice(t, e) // koti: 125,50 € of work on 14.1.2026, household by its cleaning contract
		ctx := context.Background()
		err := e.db.Write(ctx, func(tx *store.Tx) error {
			s, err := tx.Site(ctx, store.Scope{All: true}, e.sites["mokki"])
			if err != nil {
				return err
			}
			for _, c := range []portal.Contract{
				{ExternalID: "care", Kind: portal.ContractRegular, Service: "Kotiapu", WorkType: "care", Rhythm: "weekly",
					Start: portal.NewDate(2025, 1, 1)},
				{ExternalID: "garden", Kind: portal.ContractOneOff, Service: "Pihatyö", WorkType: "garden",
					Start: portal.NewDate(2026, 1, 20), End: portal.NewDate(2026, 1, 20)},
			} {
				c.SiteID, c.Source = s.Site.ID, "t"
				if _, err := tx.UpsertContract(ctx, c); err != nil {
					return err
				}
			}
			day := portal.NewDate(2026, 1, 20)
			_, err = tx.UpsertInvoice(ctx, portal.Invoice{CustomerID: s.Site.CustomerID, SiteID: s.Site.ID, Source: "t", ExternalID: "i-2",
				Number: "2026-004243", PeriodStart: portal.NewDate(2026, 1, 1), PeriodEnd: portal.NewDate(2026, 1, 31),
				IssuedOn: portal.NewDate(2026, 2, 3), DueOn: portal.NewDate(2026, 2, 17), PaidOn: portal.NewDate(2026, 2, 11),
				Status: portal.InvoicePaid, TotalCents: 25000, Lines: []portal.InvoiceLine{
					{Position: 1, Description: "Kotiapu 13.1.2026", PerformedOn: portal.NewDate(2026, 1, 13), TotalCents: 20000, IsWork: true},
					{Position: 2, Description: "Pihatyö 20.1.2026", PerformedOn: day, TotalCents: 5000, IsWork: true}}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		for lang, want := range map[string][]string{
			"fi": {"Työn osuus työlajeittain", "Kotitaloustyö", "Hoiva- ja hoitotyö", "garden", "125,50", "200,00", "50,00",
				"Hoiva- ja hoitotyö: 35\u00a0%", "garden: vuoden 2026 vähennyssääntöjä ei ole vielä julkaistu", "omavastuu vähennetään vain kerran"},
			"sv": {"Arbetets andel per typ av arbete", "Hushållsarbete", "Omsorgs- och vårdarbete", "garden: reglerna för år 2026"},
			"en": {"Work share by type of work", "Household work", "Care and nursing work", "garden: the rules for 2026"},
		} {
			r := do(t, maija, "GET", e.srv.URL+"/vuosikooste?vuosi=2026", nil, "Accept-Language", lang)
			for _, w := range want {
				if r.StatusCode != 200 || !strings.Contains(r.body, w) {
					t.Errorf("%s: %d, no %q", lang, r.StatusCode, w)
				}
			}
		}
		r := do(t, maija, "GET", e.srv.URL+"/vuosikooste/pdf?vuosi=2026", nil)
		content := pdftest.Streams([]byte(r.body))
		for _, w := range []string{"Kotitaloustyö", "Hoiva- ja hoitotyö", "200,00\u00a0€", "garden"} {
			if !bytes.Contains(content, pdftest.UTF16BE(w)) {
				t.Errorf("the statement PDF has no %q", w)
			}
		}
		// One type only (2026 without mokki's work is not at hand; matti has
		// none): no table by type.
		matti := e.client(t)
		e.signIn(t, matti, "matti@example.fi")
		if r := do(t, matti, "GET", e.srv.URL+"/vuosikooste?vuosi=2026", nil); strings.Contains(r.body, "työlajeittain") {
			t.Error("a table by type with a single type")
		}
	})
}

// TestConsentFormKeepsCodes: the consent form shows the stored payers
// (name, share, masked code, "leave empty to keep"); posting it with the
// code fields empty keeps the sealed codes, the stored column never holds
// a clear code, and a new payer without a code is refused.
func TestConsentFormKeepsCodes(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		ctx := context.Background()
		customer := e.customerOf(t, "koti")
		const codeA, codeB = "131052-308T", "010101A123N"
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		post := func(f url.Values) resp {
			f.Set("customer", strconv.FormatInt(customer, 10))
			f.Set("enabled", "1")
			f.Set("current", password)
			return do(t, maija, "POST", e.srv.URL+"/kotitalousvahennys", f)
		}
		if r := post(url.Values{"payer1name": {"Maija Virtanen"}, "payer1code": {codeA}, "payer1share": {"70"},
			"payer2name": {"Matti Virtanen"}, "payer2code": {codeB}, "payer2share": {"30"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("first save: %d", r.StatusCode)
		}
		stored := func() store.Consent {
			var c store.Consent
			db.Read(ctx, func(tx *store.Tx) error {
				var err error
				c, err = tx.ConsentOf(ctx, customer)
				return err
			})
			return c
		}
		before := stored()
		r := do(t, maija, "GET", e.srv.URL+"/kotitalousvahennys", nil)
		for _, w := range []string{"Tallennettu henkilötunnus: ******-***T. Jätä kenttä tyhjäksi", "******A***N",
			`value="Maija Virtanen"`, `value="70"`, `value="30"`} {
			if !strings.Contains(r.body, w) {
				t.Errorf("consent page has no %q", w)
			}
		}
		keep := regexp.MustCompile(`name="payer([12])keep" value="([0-9a-f]{16})"`).FindAllStringSubmatch(r.body, -1)
		if len(keep) < 2 || strings.Contains(r.body, codeA) || strings.Contains(r.body, codeB) {
			t.Fatalf("keep fields %v", keep)
		}
		// Names and shares change; the codes are left empty.
		r = post(url.Values{"payer1name": {"Maija Virtanen-Korhonen"}, "payer1code": {""}, "payer1share": {"60"},
			"payer1keep": {keep[0][2]}, "payer2name": {"Matti Virtanen"}, "payer2code": {""}, "payer2share": {"40"},
			"payer2keep": {keep[1][2]}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("keeping: %d", r.StatusCode)
		}
		c := stored()
		sealer, _ := app.NewSealer([]byte("0123456789abcdef0123456789abcdef"))
		if len(c.Payers) != 2 || c.Payers[0].Name != "Maija Virtanen-Korhonen" || c.Payers[0].ShareBP != 6000 || c.Payers[1].ShareBP != 4000 {
			t.Fatalf("after keeping: %+v", c.Payers)
		}
		for i, p := range c.Payers {
			if !bytes.Equal(p.IdentityCodeEnc, before.Payers[i].IdentityCodeEnc) {
				t.Errorf("payer %d: the sealed code changed", i+1)
			}
			for _, clear := range []string{codeA, codeB, codeA[:6], codeB[:6]} {
				if bytes.Contains(p.IdentityCodeEnc, []byte(clear)) {
					t.Errorf("payer %d: the stored column holds %q", i+1, clear)
				}
			}
			if plain, err := sealer.Open(p.IdentityCodeEnc); err != nil || string(plain) != []string{codeA, codeB}[i] {
				t.Errorf("payer %d opens to %q, %v", i+1, plain, err)
			}
		}
		// A new second payer (no stored row) needs a code.
		r = post(url.Values{"payer1name": {"Maija Virtanen-Korhonen"}, "payer1share": {"50"}, "payer1keep": {keep[0][2]},
			"payer2name": {"Uusi Maksaja"}, "payer2share": {"50"}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Henkilötunnus ei ole oikein") {
			t.Errorf("new payer without a code: %d\n%s", r.StatusCode, r.body)
		}
		// A row whose stored payer changed meanwhile is told so.
		r = post(url.Values{"payer1name": {"Maija"}, "payer1share": {"100"}, "payer1keep": {"0123456789abcdef"}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Maksajan tiedot ovat muuttuneet") {
			t.Errorf("stale row: %d", r.StatusCode)
		}
		if c := stored(); c.Payers[0].Name != "Maija Virtanen-Korhonen" || len(c.Payers) != 2 {
			t.Errorf("a refused post changed the payers: %+v", c.Payers)
		}
		if strings.Contains(e.log.String(), "131052-308") || strings.Contains(e.log.String(), "010101A123") {
			t.Error("the log holds an identity code")
		}
	})
}
