package api

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestNamesInTheReadersLanguage: the ERP may name a service and an
// invoice line in Swedish and English too (service_sv, service_en,
// description_sv, description_en, as openapi.json documents them); the
// API answers with them, and a customer who reads English sees the
// English names on the site, visit and bill pages, one who reads Swedish
// the Finnish name where no Swedish one was given, and one who reads
// Finnish the Finnish names.
func TestNamesInTheReadersLanguage(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.put("/api/v1/customers/c1", customer(1, "maija@example.fi"), 201)
		e.put("/api/v1/sites/s1", site(1, "c1"), 201)
		k := contractBody(1, "s1")
		k["service_sv"], k["service_en"] = "Regelbunden städning", "Regular cleaning"
		if rec := e.put("/api/v1/contracts/k1", k, 201).json(t)["record"].(map[string]any); rec["service_en"] != "Regular cleaning" ||
			rec["service_sv"] != "Regelbunden städning" {
			t.Errorf("contract answer: %v", rec)
		}
		v := visit(1, "s1", "confirmed", "2026-12-03T09:00:00+02:00")
		v["service_en"] = "Cleaning visit"
		if rec := e.put("/api/v1/visits/v1", v, 201).json(t)["record"].(map[string]any); rec["service_en"] != "Cleaning visit" ||
			rec["service_sv"] != "" {
			t.Errorf("visit answer: %v", rec)
		}
		inv := invoice(1, "s1")
		first := inv["lines"].([]any)[0].(map[string]any)
		first["description_en"], first["description_sv"] = "Cleaning, 3 h", "Städning, 3 h"
		if rec := e.put("/api/v1/invoices/i1", inv, 201).json(t)["record"].(map[string]any); rec["lines"].([]any)[0].(map[string]any)["description_en"] != "Cleaning, 3 h" {
			t.Errorf("invoice answer: %v", rec)
		}
		// A name longer than the schema allows is refused like the Finnish one.
		long := visit(2, "s1", "confirmed", "2026-12-03T09:00:00+02:00")
		long["service_sv"] = strings.Repeat("å", 201)
		if a := e.call("PUT", "/api/v1/visits/v1", long, refused); a.status != 422 && a.status != 400 {
			t.Errorf("a 201-character service_sv: %d %s", a.status, a.body)
		} else if _, field := a.errField(t); field != "service_sv" {
			t.Errorf("a 201-character service_sv: field %q", field)
		}

		c := e.browser()
		siteID := strconv.FormatInt(e.portalID("sites", "s1"), 10)
		visitID := strconv.FormatInt(e.portalID("visits", "v1"), 10)
		invID := strconv.FormatInt(e.portalID("invoices", "i1"), 10)
		read := func(lang, path string) string {
			t.Helper()
			req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
			req.Header.Set("Accept-Language", lang)
			r, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Body.Close()
			b, _ := io.ReadAll(r.Body)
			if r.StatusCode != 200 {
				t.Fatalf("%s %s: %d", lang, path, r.StatusCode)
			}
			return string(b)
		}
		for _, c := range []struct {
			lang, path string
			want, not  []string
		}{
			{"en", "/kohteet/" + siteID, []string{"Regular cleaning", "Cleaning visit"}, []string{"Säännöllinen siivous", ">Siivous"}},
			{"en", "/kohteet/" + siteID + "/palveluvuorot/" + visitID, []string{"Cleaning visit"}, []string{">Siivous"}},
			{"en", "/kohteet/" + siteID + "/laskut/" + invID, []string{"Cleaning, 3 h", "Matkakulut"}, []string{"Siivous 3 h"}},
			{"sv", "/kohteet/" + siteID, []string{"Regelbunden städning", "Siivous"}, []string{"Cleaning visit"}},
			{"sv", "/kohteet/" + siteID + "/laskut/" + invID, []string{"Städning, 3 h"}, []string{"Siivous 3 h"}},
			{"fi", "/kohteet/" + siteID, []string{"Säännöllinen siivous", "Siivous"}, []string{"Regular cleaning", "Cleaning visit"}},
			{"fi", "/kohteet/" + siteID + "/laskut/" + invID, []string{"Siivous 3 h"}, []string{"Cleaning, 3 h", "Städning"}},
		} {
			body := read(c.lang, c.path)
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s reader of %s: no %q", c.lang, c.path, w)
				}
			}
			for _, w := range c.not {
				if strings.Contains(body, w) {
					t.Errorf("%s reader of %s sees %q", c.lang, c.path, w)
				}
			}
		}
	})
}
