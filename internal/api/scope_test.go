package api

import (
	"context"
	"encoding/json"
	"testing"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestProviderScopedToken: a token limited to provider p1 writes p1's
// records and nothing of provider p2's — not its provider row, sites,
// contracts, visits, invoices or customer records, not by moving a record
// between the providers either — and reads only p1's changes; the
// all-scope token works as before.
func TestProviderScopedToken(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.seed() // c1, s1 (p1), k1, v1
		// Provider p2 with its own customer record (maija's address too,
		// so that she can make changes on both providers' homes).
		e.put("/api/v1/providers/p2", map[string]any{"version": 1, "name": "Toinen Oy", "active": true}, 201)
		e.put("/api/v1/customers/c2", customer(1, "maija@example.fi"), 201)
		s2 := site(1, "c2")
		s2["provider_id"], s2["street"] = "p2", "Satakunnankatu 9"
		e.put("/api/v1/sites/s2", s2, 201)
		e.put("/api/v1/contracts/k2", contractBody(1, "s2"), 201)
		v2 := visit(1, "s2", "confirmed", "2026-12-04T09:00:00+02:00")
		v2["contract_id"] = "k2"
		e.put("/api/v1/visits/v2", v2, 201)
		i2 := invoice(1, "s2")
		i2["number"] = "2026-2002"
		e.put("/api/v1/invoices/i2", i2, 201)

		scoped, tok, err := e.app.CreateScopedAPIToken(ctx, "erp-p1", "p1")
		if err != nil {
			t.Fatal(err)
		}
		if tok.ProviderRef != "p1" {
			t.Errorf("created token's scope: %q", tok.ProviderRef)
		}
		if _, _, err := e.app.CreateScopedAPIToken(ctx, "erp-nobody", "p9"); err == nil {
			t.Error("a token scoped to a provider the portal does not have was created")
		}
		bearer := "Bearer " + scoped
		with := func(m map[string]any, kv ...any) map[string]any {
			out := map[string]any{}
			for k, v := range m {
				out[k] = v
			}
			for i := 0; i+1 < len(kv); i += 2 {
				out[kv[i].(string)] = kv[i+1]
			}
			return out
		}
		i1 := invoice(1, "s1")
		i1["number"] = "2026-1001"
		for _, c := range []struct {
			name, method, path string
			body               any
			status             int
		}{
			{"another provider's row", "PUT", "/api/v1/providers/p2", map[string]any{"version": 2, "name": "Kaapattu Oy", "active": true}, 403},
			{"a new provider", "PUT", "/api/v1/providers/p3", map[string]any{"version": 1, "name": "Uusi Oy", "active": true}, 403},
			{"another provider's site", "PUT", "/api/v1/sites/s2", with(s2, "version", 2, "street", "Kaapattu 1"), 403},
			{"another provider's site moved to its own", "PUT", "/api/v1/sites/s2", with(s2, "version", 2, "provider_id", "p1"), 403},
			{"its own site moved to another provider", "PUT", "/api/v1/sites/s1", with(site(2, "c1"), "provider_id", "p2"), 403},
			{"a new site of another provider", "PUT", "/api/v1/sites/s9", with(site(1, "c1"), "provider_id", "p2"), 403},
			{"another provider's contract", "PUT", "/api/v1/contracts/k2", contractBody(2, "s2"), 403},
			{"another provider's visit", "PUT", "/api/v1/visits/v2", with(v2, "version", 2, "worker_first_name", "Ville"), 403},
			{"another provider's visit moved to its own site", "PUT", "/api/v1/visits/v2", with(visit(2, "s1", "confirmed", "2026-12-04T09:00:00+02:00")), 403},
			{"a new visit on another provider's site", "PUT", "/api/v1/visits/v9", v2, 403},
			{"another provider's invoice", "PUT", "/api/v1/invoices/i2", with(i2, "version", 2, "status", "paid", "paid_on", "2026-12-02"), 403},
			{"a new invoice on another provider's site", "PUT", "/api/v1/invoices/i9", with(i2, "number", "2026-9009"), 403},
			{"another provider's customer record", "PUT", "/api/v1/customers/c2", customer(2, "hyokkaaja@example.fi"), 403},
			{"delete another provider's visit", "DELETE", "/api/v1/visits/v2", nil, 403},
			{"delete another provider's invoice", "DELETE", "/api/v1/invoices/i2", nil, 403},
			{"delete another provider's site", "DELETE", "/api/v1/sites/s2", nil, 403},
			{"delete another provider's customer record", "DELETE", "/api/v1/customers/c2", nil, 403},

			{"its own provider row", "PUT", "/api/v1/providers/p1", map[string]any{"version": 2, "name": "Kotikulma Oy", "active": true}, 200},
			{"its own site", "PUT", "/api/v1/sites/s1", site(2, "c1"), 200},
			{"a new site of its own", "PUT", "/api/v1/sites/s3", with(site(1, "c1"), "street", "Uusikatu 3"), 201},
			{"its own contract", "PUT", "/api/v1/contracts/k1", contractBody(2, "s1"), 200},
			{"its own visit", "PUT", "/api/v1/visits/v1", visit(2, "s1", "confirmed", "2026-12-03T09:00:00+02:00"), 200},
			{"a new invoice of its own", "PUT", "/api/v1/invoices/i1", i1, 201},
			{"its own customer record", "PUT", "/api/v1/customers/c1", customer(2, "maija@example.fi"), 200},
			{"a new customer record", "PUT", "/api/v1/customers/c3", customer(1, "uusi@example.fi"), 201},
			{"delete its own invoice", "DELETE", "/api/v1/invoices/i1", nil, 200},
		} {
			a := e.call(c.method, c.path, c.body, conforms, bearer)
			if a.status != c.status {
				t.Errorf("%s: %s %s: %d, want %d\n%s", c.name, c.method, c.path, a.status, c.status, a.body)
				continue
			}
			if code, _ := a.errField(t); c.status == 403 && code != "forbidden" {
				t.Errorf("%s: error code %q, want forbidden", c.name, code)
			}
		}
		// Nothing of p2's changed.
		for _, q := range []string{
			`SELECT erp_version FROM providers WHERE external_id = 'p2'`, `SELECT erp_version FROM customers WHERE external_id = 'c2'`,
			`SELECT erp_version FROM sites WHERE external_id = 's2'`, `SELECT erp_version FROM contracts WHERE external_id = 'k2'`,
			`SELECT erp_version FROM visits WHERE external_id = 'v2'`, `SELECT erp_version FROM invoices WHERE external_id = 'i2'`,
		} {
			if n := e.count(q); n != 1 {
				t.Errorf("%s: %d, want 1 (untouched)", q, n)
			}
		}
		if n := e.count(`SELECT count(*) FROM sites s JOIN providers p ON p.id = s.provider_id
			WHERE (s.external_id = 's2' AND p.external_id = 'p2') OR (s.external_id = 's1' AND p.external_id = 'p1')`); n != 2 {
			t.Errorf("a site changed provider")
		}
		if n := e.count(`SELECT count(*) FROM sites WHERE external_id = 's9'`) + e.count(`SELECT count(*) FROM visits WHERE external_id = 'v9'`) +
			e.count(`SELECT count(*) FROM providers WHERE external_id = 'p3'`) + e.count(`SELECT count(*) FROM invoices WHERE external_id = 'i9'`) +
			e.count(`SELECT count(*) FROM invoices WHERE external_id = 'i2' AND deleted_at IS NOT NULL`) +
			e.count(`SELECT count(*) FROM visits WHERE external_id = 'v2' AND deleted_at IS NOT NULL`); n != 0 {
			t.Errorf("%d refused writes left a row", n)
		}

		// The changes feed: a note on each provider's visit; the scoped
		// token reads p1's only, the all-scope token both.
		v, _ := e.viewer()
		for _, ids := range [][2]string{{"s1", "v1"}, {"s2", "v2"}} {
			if err := e.app.SetVisitNote(ctx, v, e.portalID("sites", ids[0]), e.portalID("visits", ids[1]), "Avain naapurilla"); err != nil {
				t.Fatal(err)
			}
		}
		feed := func(authz string) []string {
			a := e.call("GET", "/api/v1/changes", nil, conforms, authz)
			var f changesOut
			if err := json.Unmarshal(a.body, &f); err != nil || a.status != 200 {
				t.Fatalf("changes: %d %s", a.status, a.body)
			}
			var sites []string
			for _, it := range f.Items {
				s := "-"
				if it.SiteID != nil {
					s = *it.SiteID
				}
				sites = append(sites, s)
			}
			return sites
		}
		if got := feed(bearer); len(got) != 1 || got[0] != "s1" {
			t.Errorf("scoped feed: sites %v, want [s1]", got)
		}
		if got := feed("Bearer " + e.token); len(got) != 2 {
			t.Errorf("all-scope feed: sites %v, want both", got)
		}

		// The all-scope token writes any provider's records as before.
		e.put("/api/v1/sites/s2", with(s2, "version", 2, "street", "Satakunnankatu 10"), 200)
		e.put("/api/v1/providers/p2", map[string]any{"version": 2, "name": "Toinen Oy", "active": true}, 200)
	})
}
