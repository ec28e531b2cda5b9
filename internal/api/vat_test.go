package api

import (
	"strings"
	"testing"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestInvoiceVATByDate: VAT by date is checked on the way in. A billing
// summary with a line whose rate does not fit its performance date (24 %
// until 31.8.2024, 25.5 % from 1.9.2024, 0 % only while a VAT-free contract
// of the site is in force) is refused whole: 422 vat_rate naming the line,
// a message with the rate and the day, nothing written. Fitting rates on
// both sides of the change are accepted.
func TestInvoiceVATByDate(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.seed() // s1 has the VAT-free contract k1 from 2024-03-01
		e.put("/api/v1/customers/c2", customer(1, "matti@example.fi"), 201)
		e.put("/api/v1/sites/s2", site(1, "c2"), 201)
		k2 := contractBody(1, "s2")
		delete(k2, "vat_free")
		e.put("/api/v1/contracts/k2", k2, 201)
		// lines: [0] 25.5 % work, [1] 25.5 % travel, [2] 0 % home help.
		inv := func(site string, edit func(lines []map[string]any)) map[string]any {
			m := invoice(1, site)
			var lines []map[string]any
			for _, l := range m["lines"].([]any) {
				lines = append(lines, l.(map[string]any))
			}
			edit(lines)
			return m
		}
		rate := func(l map[string]any, bp int, day string) {
			net := l["net_cents"].(int64)
			vat := (net*int64(bp) + 5000) / 10000
			l["vat_rate_bp"], l["vat_cents"], l["total_cents"], l["performed_on"] = bp, vat, net+vat, day
		}
		fix := func(m map[string]any) map[string]any { // total = sum of the lines
			var sum int64
			for _, l := range m["lines"].([]any) {
				sum += l.(map[string]any)["total_cents"].(int64)
			}
			m["total_cents"] = sum
			return m
		}
		for _, c := range []struct {
			name, site string
			edit       func(lines []map[string]any)
			field, msg string
		}{
			{"24 % after the change", "s1", func(ls []map[string]any) { rate(ls[1], 2400, "2024-09-01") },
				"lines[1].vat_rate_bp", "VAT 24 % ended on 31.8.2024: work performed on 2024-09-01"},
			{"25.5 % before it", "s1", func(ls []map[string]any) { rate(ls[0], 2550, "2024-08-31") },
				"lines[0].vat_rate_bp", "VAT 25.5 % applies from 1.9.2024: work performed on 2024-08-31"},
			{"0 % without a VAT-free contract", "s2", func([]map[string]any) {},
				"lines[2].vat_rate_bp", "VAT 0 % is only for a VAT-free contract, and the site has none in force on 2026-11-03"},
			{"0 % before the VAT-free contract", "s1", func(ls []map[string]any) { ls[2]["performed_on"] = "2024-02-29" },
				"lines[2].vat_rate_bp", "none in force on 2024-02-29"},
		} {
			a := e.call("PUT", "/api/v1/invoices/bad", fix(inv(c.site, c.edit)), conforms)
			body := a.json(t)
			er, _ := body["error"].(map[string]any)
			if a.status != 422 || er["code"] != "vat_rate" || er["field"] != c.field || !strings.Contains(er["message"].(string), c.msg) {
				t.Errorf("%s: %d %s", c.name, a.status, a.body)
			}
		}
		if n := e.count(`SELECT count(*) FROM invoices`); n != 0 {
			t.Errorf("%d invoices written after refusals", n)
		}
		// Fitting rates on both sides of 1.9.2024, and 0 % on the VAT-free
		// contract, are accepted.
		e.put("/api/v1/invoices/ok", fix(inv("s1", func(ls []map[string]any) {
			rate(ls[0], 2400, "2024-08-31")
			rate(ls[1], 2550, "2024-09-01")
			ls[2]["performed_on"] = "2024-03-01"
		})), 201)
		e.put("/api/v1/invoices/ok2", fix(inv("s2", func(ls []map[string]any) { rate(ls[2], 2550, "2026-11-03") })), 201)
	})
}
