package api

import (
	"testing"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// The ERP sends a provider's IBAN and BIC and an invoice's reference
// number; they are stored in electronic form and answered back, and a
// wrong check digit is refused with the field named, writing nothing.
func TestPaymentDetailsThroughAPI(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.seed()
		prov := func(iban, bic string) map[string]any {
			m := map[string]any{"version": 2, "name": "Kotikulma Oy", "iban": iban}
			if bic != "" {
				m["bic"] = bic
			}
			return m
		}
		a := e.put("/api/v1/providers/p1", prov("fi21 1234 5600 0007 85", "okoyfihh"), 200)
		rec, _ := a.json(t)["record"].(map[string]any)
		if rec["iban"] != "FI2112345600000785" || rec["bic"] != "OKOYFIHH" {
			t.Errorf("provider record = %v", rec)
		}
		withRef := func(ext, ref string) map[string]any {
			m := invoice(1, "s1")
			m["number"] = "2026-" + ext
			m["reference"] = ref
			return m
		}
		for _, c := range []struct{ ext, in, want string }{
			{"n", "12 34561", "1234561"},
			{"rf", "RF18 5390 0754 7034", "RF18539007547034"},
		} {
			a := e.put("/api/v1/invoices/i-"+c.ext, withRef(c.ext, c.in), 201)
			rec, _ := a.json(t)["record"].(map[string]any)
			if rec["reference"] != c.want {
				t.Errorf("invoice with reference %q: record reference = %v, want %q", c.in, rec["reference"], c.want)
			}
		}
		if n := e.count(`SELECT count(*) FROM invoices WHERE reference = 'RF18539007547034'`); n != 1 {
			t.Errorf("stored RF references: %d, want 1", n)
		}
		for _, c := range []struct {
			name, path string
			body       map[string]any
			field      string
		}{
			{"IBAN check digits", "/api/v1/providers/p1", prov("FI21 1234 5600 0007 86", ""), "iban"},
			{"IBAN length", "/api/v1/providers/p1", prov("FI21 1234 5600 0007", ""), "iban"},
			{"BIC", "/api/v1/providers/p1", prov("FI2112345600000785", "OKOY"), "bic"},
			{"reference check digit", "/api/v1/invoices/i-bad", withRef("bad", "1234562"), "reference"},
			{"RF check digits", "/api/v1/invoices/i-bad", withRef("bad", "RF19 5390 0754 7034"), "reference"},
			{"RF with letters", "/api/v1/invoices/i-bad", withRef("bad", "RF47 ABC1 23"), "reference"},
		} {
			a := e.call("PUT", c.path, c.body, either)
			code, field := a.errField(t)
			if a.status != 422 || code != "invalid" || field != c.field {
				t.Errorf("%s: %d %s %q, want 422 invalid %q\n%s", c.name, a.status, code, field, c.field, a.body)
			}
		}
		if n := e.count(`SELECT count(*) FROM invoices WHERE external_id = 'i-bad'`); n != 0 {
			t.Errorf("a refused invoice was written")
		}
		if n := e.count(`SELECT count(*) FROM providers WHERE iban = 'FI2112345600000785'`); n != 1 {
			t.Errorf("a refused provider copy changed the stored IBAN")
		}
	})
}
