package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// cancelFields are the hidden fields of a page's cancel form.
var cancelFields = regexp.MustCompile(`type="hidden" name="(sequence|deadline|fee|illness|confirm)" value="([^"]*)"`)

// formOf reads the hidden fields of the cancel form in body.
func formOf(body string) url.Values {
	f := url.Values{}
	for _, m := range cancelFields.FindAllStringSubmatch(body, -1) {
		f.Set(m[1], html.UnescapeString(m[2]))
	}
	return f
}

// plain turns the non-breaking spaces of money ("89,00 €") into spaces.
func plain(s string) string { return strings.ReplaceAll(s, "\u00a0", " ") }

// visitRow reads a visit's status and stored fee.
func visitRow(t *testing.T, db *store.DB, site, visit int64) portal.Visit {
	t.Helper()
	var v portal.Visit
	err := db.Read(context.Background(), func(tx *store.Tx) (err error) { v, err = tx.VisitOfSite(context.Background(), site, visit); return err })
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestCancelConfirmStep: a cancellation that costs money is a preview
// (which cancels nothing and shows the visit and the fee for the chosen
// reason) and a confirmation carrying the visit's sequence; another
// customer and staff (of the site's provider or another) can do neither; a
// stale sequence is refused at both steps. Afterwards the customer (visit,
// list, dashboard) and the provider's staff (visit, schedule) see what the
// cancellation cost; a free cancellation stays one step.
func TestCancelConfirmStep(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		matti, maija, sari, bertta := e.client(t), e.client(t), e.client(t), e.client(t)
		e.signIn(t, matti, "matti@example.fi")
		e.signIn(t, maija, "maija@example.fi")
		e.signIn(t, sari, "sari@kotikulma.example")
		e.signIn(t, bertta, "bertta@toinen.example")
		siteID, visitID := e.sites["matti"], e.visits["matti"]
		site := e.srv.URL + sitePath(siteID)
		visit := e.srv.URL + visitPath(siteID, visitID)

		// Three days ahead, past the 7-day deadline: the form goes on to a
		// confirmation and shows the cost, which the script changes to 0 €.
		r := do(t, matti, "GET", visit, nil)
		body := plain(r.body)
		if !strings.Contains(body, "data-cancel-price") || !strings.Contains(body, "Perumisen hinta: 89,00 €") ||
			!strings.Contains(body, `data-illness="Perumisen hinta: 0 € – sairauden vuoksi ei maksua"`) ||
			!strings.Contains(body, "Jatka perumiseen") || strings.Contains(body, "(89,00 €)") {
			t.Fatalf("cancel form:\n%s", r.body)
		}
		shown := formOf(r.body)
		if shown.Get("confirm") != "" || shown.Get("fee") != "8900" {
			t.Fatalf("the paid form cancels in one step: %v", shown)
		}

		// Another customer, and staff of this or another provider: neither
		// the preview nor the confirmation; nothing changes.
		confirmed := url.Values{"confirm": {"yes"}}
		for k, v := range shown {
			confirmed[k] = v
		}
		for _, who := range []struct {
			name string
			c    *http.Client
		}{{"maija", maija}, {"sari", sari}, {"bertta", bertta}} {
			for _, f := range []url.Values{shown, confirmed} {
				r := do(t, who.c, "POST", visit+"/peru", f)
				if r.StatusCode != http.StatusNotFound && r.StatusCode != http.StatusForbidden {
					t.Errorf("%s posts %v: %d", who.name, f, r.StatusCode)
				}
				if strings.Contains(r.body, "Hämeenkatu 3") {
					t.Errorf("%s sees matti's home", who.name)
				}
			}
		}

		// The first post only previews: the visit, the home, the fee.
		r = do(t, matti, "POST", visit+"/peru", shown)
		body = plain(r.body)
		if r.StatusCode != http.StatusOK || !strings.Contains(body, "Vahvista peruminen") || !strings.Contains(body, "Käyntiä ei ole vielä peruttu") ||
			!strings.Contains(body, fiDay(e.visitAt())+" klo 9.00–12.00") || !strings.Contains(body, "Kohde matti, Hämeenkatu 3, 33100 Tampere") ||
			!strings.Contains(body, "Maksu 89,00 € veloitetaan") || !strings.Contains(body, "Peru käynti, maksu 89,00 €") {
			t.Fatalf("preview: %d\n%s", r.StatusCode, r.body)
		}
		if v := visitRow(t, db, siteID, visitID); v.Status != portal.VisitConfirmed {
			t.Fatalf("the preview cancelled: %s", v.Status)
		}
		paid := formOf(r.body)
		if paid.Get("confirm") != "yes" || paid.Get("fee") != "8900" || paid.Get("illness") != "" {
			t.Errorf("paid confirmation form %v", paid)
		}

		// Without JavaScript, illness is priced on the confirmation: 0 €.
		ill := url.Values{"illness": {"yes"}}
		for k, v := range shown {
			ill[k] = v
		}
		r = do(t, matti, "POST", visit+"/peru", ill)
		body = plain(r.body)
		if r.StatusCode != http.StatusOK || !strings.Contains(body, "Sairauden vuoksi, ei maksua") || !strings.Contains(body, "0,00 €") ||
			!strings.Contains(body, "Peru käynti maksutta") || strings.Contains(body, "Maksu 89,00 € veloitetaan") {
			t.Fatalf("illness preview: %d\n%s", r.StatusCode, r.body)
		}
		illConfirm := formOf(r.body)
		if illConfirm.Get("illness") != "yes" || illConfirm.Get("fee") != "0" || illConfirm.Get("confirm") != "yes" {
			t.Errorf("illness confirmation form %v", illConfirm)
		}

		// A stale sequence is refused at both steps, with the terms of now.
		for _, f := range []url.Values{shown, illConfirm} {
			stale := url.Values{}
			for k, v := range f {
				stale[k] = v
			}
			stale.Set("sequence", strconv.Itoa(mustAtoi(t, f.Get("sequence"))+1))
			if r := do(t, matti, "POST", visit+"/peru", stale); r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "ehdot muuttuivat") {
				t.Errorf("stale sequence %v: %d", stale, r.StatusCode)
			}
		}
		if v := visitRow(t, db, siteID, visitID); v.Status != portal.VisitConfirmed {
			t.Fatalf("refused posts cancelled: %s", v.Status)
		}

		// The second post cancels, the fee fixed on the visit.
		if r := do(t, matti, "POST", visit+"/peru", illConfirm); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %d\n%s", r.StatusCode, r.body)
		}
		if v := visitRow(t, db, siteID, visitID); v.Status != portal.VisitCancelledByCustomer || v.CancelFeeCents != 0 ||
			v.CancelFeeReason != portal.FeeIllness {
			t.Errorf("stored cancellation %s %d %q", v.Status, v.CancelFeeCents, v.CancelFeeReason)
		}
		const illWords = "Sairauden vuoksi, ei maksua"
		for _, page := range []string{visit, site + "/palveluvuorot", site} {
			if r := do(t, matti, "GET", page, nil); !strings.Contains(r.body, illWords) {
				t.Errorf("customer's %s does not say %q", page, illWords)
			}
		}
		// The schedule hides cancelled visits unless asked, and shows one day.
		day := visitRow(t, db, siteID, visitID).StartsAt.In(portal.Helsinki).Format(time.DateOnly)
		for _, page := range []string{"/tuottaja/palveluvuorot/" + strconv.FormatInt(visitID, 10), "/tuottaja?tila=kaikki&paiva=" + day} {
			if r := do(t, sari, "GET", e.srv.URL+page, nil); !strings.Contains(r.body, illWords) {
				t.Errorf("staff's %s does not say %q", page, illWords)
			}
			if r := do(t, bertta, "GET", e.srv.URL+page, nil); strings.Contains(r.body, illWords) {
				t.Errorf("another provider's staff see %s", page)
			}
		}
		// Confirming again: refused, nothing changes.
		if r := do(t, matti, "POST", visit+"/peru", paid); r.StatusCode != http.StatusConflict {
			t.Errorf("second confirmation: %d", r.StatusCode)
		}
		if v := visitRow(t, db, siteID, visitID); v.CancelFeeReason != portal.FeeIllness {
			t.Errorf("second confirmation changed the fee: %q", v.CancelFeeReason)
		}

		// The paid path: maija confirms the fee; both sides see it charged.
		kotiSite, kotiVisit := e.sites["koti"], e.visits["koti"]
		kv := e.srv.URL + visitPath(kotiSite, kotiVisit)
		r = do(t, maija, "POST", kv+"/peru", formOf(do(t, maija, "GET", kv, nil).body))
		if r.StatusCode != http.StatusOK {
			t.Fatalf("maija's preview: %d", r.StatusCode)
		}
		if r := do(t, maija, "POST", kv+"/peru", formOf(r.body)); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("maija's confirmation: %d\n%s", r.StatusCode, r.body)
		}
		const paidWords = "Maksu 89,00 € veloitetaan"
		if r := do(t, maija, "GET", kv, nil); !strings.Contains(plain(r.body), paidWords) {
			t.Errorf("maija's visit does not say %q", paidWords)
		}
		if r := do(t, sari, "GET", e.srv.URL+"/tuottaja/palveluvuorot/"+strconv.FormatInt(kotiVisit, 10), nil); !strings.Contains(plain(r.body), paidWords) {
			t.Errorf("staff's visit does not say %q", paidWords)
		}

		// A free cancellation (ten days ahead) stays one step.
		var far int64
		err := db.Write(context.Background(), func(tx *store.Tx) (err error) {
			at := e.at(10, 9, 0)
			far, err = tx.UpsertVisit(context.Background(), portal.Visit{SiteID: siteID, Source: "t", ExternalID: "matti-far", StartsAt: at,
				EndsAt: at.Add(3 * time.Hour), Status: portal.VisitPlanned, PriceCents: 8900})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		fv := e.srv.URL + visitPath(siteID, far)
		free := formOf(do(t, matti, "GET", fv, nil).body)
		if free.Get("confirm") != "yes" || free.Get("fee") != "0" {
			t.Fatalf("free form %v", free)
		}
		if r := do(t, matti, "POST", fv+"/peru", free); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("free cancel: %d", r.StatusCode)
		}
		if r := do(t, matti, "GET", fv, nil); !strings.Contains(r.body, "Maksuton peruminen") {
			t.Error("the free cancellation does not say so")
		}
	})
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}
