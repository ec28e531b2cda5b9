package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
	"asiakassivu/internal/web"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const password = "oikea-salasana-123"

var t0 = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// env is the portal's web server with the API mounted, over a real
// database that has one provider (ERP id "p1") and a verified customer
// account (maija@example.fi) with no records yet.
type env struct {
	t        *testing.T
	db       *store.DB
	app      *app.App
	srv      *httptest.Server
	token    string
	contract *contract
	log      *strings.Builder
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	hasher := app.NewHasher(app.Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1})
	pw, _ := hasher.Hash(ctx, password)
	err := db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.UpsertProvider(ctx, portal.Provider{Source: app.ERPSource, ExternalID: "p1", Name: "Kotikulma Oy",
			Active: true}); err != nil {
			return err
		}
		_, err := tx.CreateAccount(ctx, portal.Account{Email: "maija@example.fi", PasswordHash: pw, VerifiedAt: tx.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, contract: newContract(t), log: &strings.Builder{}}
	log := slog.New(slog.NewJSONHandler(e.log, nil))
	e.app = app.New(db, hasher, log)
	if e.token, _, err = e.app.CreateAPIToken(ctx, "erp-test"); err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewUnstartedServer(nil)
	u, _ := url.Parse("http://" + e.srv.Listener.Addr().String())
	h, err := web.New(web.Config{BaseURL: u, Log: log, API: New(e.app, Config{Log: log})}, e.app)
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Config.Handler = h
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

// answer is a parsed API answer.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, a.body)
	}
	return m
}

// errField returns the error code and field of an error answer.
func (a answer) errField(t *testing.T) (string, string) {
	t.Helper()
	e, _ := a.json(t)["error"].(map[string]any)
	code, _ := e["code"].(string)
	field, _ := e["field"].(string)
	return code, field
}

// schemaValid says whether a request body is expected to satisfy the
// OpenAPI schema: conforms, refused (a shape error the schema catches
// too), or either (what only the server can judge: references, sums).
type schemaValid int

const (
	conforms schemaValid = iota
	refused
	either
)

// call sends a request with the env's token (or the given Authorization
// value, "" for none) and checks the request and the answer against the
// OpenAPI document.
func (e *env) call(method, path string, body any, want schemaValid, auth ...string) answer {
	e.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	case string:
		raw = []byte(b)
	default:
		raw, _ = json.Marshal(b)
	}
	if raw != nil {
		verr, err := e.contract.checkRequest(method, path, raw)
		if err != nil {
			e.t.Fatal(err)
		}
		switch {
		case want == conforms && verr != nil:
			e.t.Errorf("%s %s: the request does not match the schema: %v", method, path, verr)
		case want == refused && verr == nil:
			e.t.Errorf("%s %s: the schema accepts a request the test expects refused: %s", method, path, raw)
		}
	} else if _, err := e.contract.operation(method, path); err != nil {
		e.t.Fatal(err)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(raw))
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	authz := "Bearer " + e.token
	if len(auth) > 0 {
		authz = auth[0]
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	a := answer{r.StatusCode, r.Header, b}
	if err := e.contract.checkResponse(method, path, r.StatusCode, r.Header, b); err != nil {
		e.t.Error(err)
	}
	if r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		e.t.Errorf("%s %s: headers %v", method, path, r.Header)
	}
	return a
}

// put sends a conforming upsert and wants the status.
func (e *env) put(path string, body any, status int) answer {
	e.t.Helper()
	a := e.call("PUT", path, body, conforms)
	if a.status != status {
		e.t.Fatalf("PUT %s: %d, want %d\n%s", path, a.status, status, a.body)
	}
	return a
}

func customer(version int64, email string) map[string]any {
	return map[string]any{"version": version, "name": "Maija Meikäläinen", "email": email, "phone": "+358 40 123 4567"}
}

func site(version int64, customerID string) map[string]any {
	return map[string]any{"version": version, "customer_id": customerID, "provider_id": "p1", "name": "Koti",
		"street": "Hämeenkatu 1", "postal_code": "33100", "city": "Tampere"}
}

// contractBody is VAT-free, so that the 0 % home-help line of invoice()
// fits it (VAT by date is checked on the way in, portal.CheckVATRate).
func contractBody(version int64, siteID string) map[string]any {
	return map[string]any{"version": version, "site_id": siteID, "kind": "regular", "service": "Säännöllinen siivous",
		"rhythm": "biweekly", "price_cents": 8900, "vat_free": true, "start_date": "2024-03-01"}
}

func visit(version int64, siteID, status, start string) map[string]any {
	return map[string]any{"version": version, "site_id": siteID, "contract_id": "k1", "starts_at": start,
		"ends_at": strings.Replace(start, "T09", "T12", 1), "status": status, "service": "Siivous", "worker_first_name": "Aino",
		"price_cents": 8900}
}

func invoice(version int64, siteID string) map[string]any {
	line := func(desc string, net, vat int64, rate int, work bool) map[string]any {
		return map[string]any{"description": desc, "performed_on": "2026-11-03", "quantity_milli": 3000,
			"unit_price_cents": net / 3, "vat_rate_bp": rate, "net_cents": net, "vat_cents": vat, "total_cents": net + vat,
			"is_work": work}
	}
	lines := []any{line("Siivous 3 h", 9000, 2295, 2550, true), line("Matkakulut", 1000, 255, 2550, false),
		line("Kotiapu", 3000, 0, 0, true)}
	return map[string]any{"version": version, "site_id": siteID, "number": "2026-1001", "period_start": "2026-11-01",
		"period_end": "2026-11-30", "issued_on": "2026-12-01", "due_on": "2026-12-15", "status": "open",
		"total_cents": 9000 + 2295 + 1000 + 255 + 3000, "lines": lines}
}

// seed writes a customer (for maija), a site, a contract and a visit
// through the API.
func (e *env) seed() {
	e.t.Helper()
	e.put("/api/v1/customers/c1", customer(1, "maija@example.fi"), 201)
	e.put("/api/v1/sites/s1", site(1, "c1"), 201)
	e.put("/api/v1/contracts/k1", contractBody(1, "s1"), 201)
	e.put("/api/v1/visits/v1", visit(1, "s1", "confirmed", "2026-12-03T09:00:00+02:00"), 201)
}

func (e *env) count(query string, args ...any) int64 {
	e.t.Helper()
	var n int64
	if err := e.db.Read(context.Background(), func(tx *store.Tx) error { return tx.QueryInt(context.Background(), query, &n, args...) }); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// viewer signs maija in and returns her as the app sees her.
func (e *env) viewer() (app.Viewer, string) {
	e.t.Helper()
	ctx := context.Background()
	tok, _, err := e.app.SignIn(ctx, "maija@example.fi", password, app.Client{IP: "192.0.2.1"})
	if err != nil {
		e.t.Fatal(err)
	}
	v, err := e.app.Authenticate(ctx, tok)
	if err != nil {
		e.t.Fatal(err)
	}
	return v, tok
}

// browser signs maija in with a cookie jar, as a person would.
func (e *env) browser() *http.Client {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := c.PostForm(e.srv.URL+"/kirjaudu", url.Values{"email": {"maija@example.fi"}, "password": {password}})
	if err != nil {
		e.t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("sign in: %d", r.StatusCode)
	}
	return c
}

// page fetches a page with a client and returns its status and body.
func (e *env) page(c *http.Client, path string) (int, string) {
	e.t.Helper()
	r, err := c.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, string(b)
}

func (e *env) portalID(table, ext string) int64 {
	e.t.Helper()
	return e.count(`SELECT id FROM `+table+` WHERE source = 'erp' AND external_id = $1`, ext)
}

func TestUpsertTwiceIsOneRow(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.put("/api/v1/providers/p2", map[string]any{"version": 1, "name": "Toinen Oy", "city": "Turku"}, 201)
		e.seed()
		a := e.put("/api/v1/invoices/i1", invoice(1, "s1"), 201)
		if rec := a.json(t)["record"].(map[string]any); len(rec["lines"].([]any)) != 3 || rec["total_cents"].(float64) != 15550 {
			t.Errorf("stored invoice: %s", a.body)
		}
		for _, p := range []struct {
			path string
			body map[string]any
		}{
			{"/api/v1/providers/p2", map[string]any{"version": 1, "name": "Toinen Oy", "city": "Turku"}},
			{"/api/v1/customers/c1", customer(1, "maija@example.fi")},
			{"/api/v1/sites/s1", site(1, "c1")},
			{"/api/v1/contracts/k1", contractBody(1, "s1")},
			{"/api/v1/visits/v1", visit(1, "s1", "confirmed", "2026-12-03T09:00:00+02:00")},
			{"/api/v1/invoices/i1", invoice(1, "s1")},
		} {
			if got := e.put(p.path, p.body, 200).json(t)["result"]; got != "unchanged" {
				t.Errorf("PUT %s again: result %v, want unchanged", p.path, got)
			}
		}
		for _, table := range []string{"customers", "sites", "contracts", "visits", "invoices"} {
			if n := e.count(`SELECT count(*) FROM ` + table + ` WHERE source = 'erp'`); n != 1 {
				t.Errorf("%s: %d rows, want 1", table, n)
			}
		}
		if n := e.count(`SELECT count(*) FROM invoice_lines`); n != 3 {
			t.Errorf("invoice lines: %d, want 3", n)
		}
		// A newer copy updates the same row.
		c := customer(2, "maija@example.fi")
		c["name"] = "Maija Virtanen"
		if a := e.put("/api/v1/customers/c1", c, 200); a.json(t)["result"] != "updated" {
			t.Errorf("newer copy: %s", a.body)
		}
		if n := e.count(`SELECT count(*) FROM customers WHERE name = 'Maija Virtanen' AND erp_version = 2`); n != 1 {
			t.Errorf("the newer copy is not stored")
		}
	})
}

func TestOlderVersionConflicts(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.seed()
		s := site(3, "c1")
		s["street"] = "Kuninkaankatu 5"
		e.put("/api/v1/sites/s1", s, 200)
		before := e.count(`SELECT count(*) FROM audit_log`)
		old := site(2, "c1")
		old["street"] = "Vanha katu 1"
		a := e.call("PUT", "/api/v1/sites/s1", old, conforms)
		if code, field := a.errField(t); a.status != 409 || code != "stale_version" || field != "version" {
			t.Errorf("older version: %d %s", a.status, a.body)
		}
		// The same version with other content is refused too.
		same := site(3, "c1")
		same["street"] = "Muu katu 9"
		if a := e.call("PUT", "/api/v1/sites/s1", same, conforms); a.status != 409 {
			t.Errorf("same version, other content: %d %s", a.status, a.body)
		}
		if n := e.count(`SELECT count(*) FROM sites WHERE street = 'Kuninkaankatu 5' AND erp_version = 3`); n != 1 {
			t.Error("a refused copy changed the site")
		}
		if after := e.count(`SELECT count(*) FROM audit_log`); after != before {
			t.Errorf("a refused copy wrote %d audit rows", after-before)
		}
		// Invoices: an older copy leaves the lines alone.
		e.put("/api/v1/invoices/i1", invoice(5, "s1"), 201)
		inv := invoice(4, "s1")
		inv["lines"] = inv["lines"].([]any)[:1]
		inv["total_cents"] = 11295
		if a := e.call("PUT", "/api/v1/invoices/i1", inv, conforms); a.status != 409 {
			t.Errorf("older invoice: %d", a.status)
		}
		if n := e.count(`SELECT count(*) FROM invoice_lines`); n != 3 {
			t.Errorf("lines after a refused copy: %d, want 3", n)
		}
	})
}

func TestUnknownReference(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.seed()
		cases := []struct {
			path  string
			body  map[string]any
			field string
		}{
			{"/api/v1/visits/v9", visit(1, "no-such-site", "planned", "2026-12-10T09:00:00+02:00"), "site_id"},
			{"/api/v1/sites/s9", site(1, "no-such-customer"), "customer_id"},
			{"/api/v1/sites/s9", map[string]any{"version": 1, "customer_id": "c1", "provider_id": "px", "street": "Katu 1"}, "provider_id"},
			{"/api/v1/contracts/k9", contractBody(1, "s404"), "site_id"},
			{"/api/v1/invoices/i9", invoice(1, "s404"), "site_id"},
		}
		v := visit(1, "s1", "planned", "2026-12-10T09:00:00+02:00")
		v["contract_id"] = "k404"
		cases = append(cases, struct {
			path  string
			body  map[string]any
			field string
		}{"/api/v1/visits/v9", v, "contract_id"})
		for _, c := range cases {
			a := e.call("PUT", c.path, c.body, conforms)
			if code, field := a.errField(t); a.status != 422 || code != "unknown_reference" || field != c.field {
				t.Errorf("PUT %s: %d %s, want 422 naming %s", c.path, a.status, a.body, c.field)
			}
		}
		if n := e.count(`SELECT count(*) FROM visits WHERE external_id = 'v9'`); n != 0 {
			t.Error("a visit for an unknown site was written")
		}
	})
}

func TestStrictInput(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.seed()
		inv := func(edit func(m map[string]any)) map[string]any {
			m := invoice(1, "s1")
			edit(m)
			return m
		}
		line := func(m map[string]any, i int) map[string]any { return m["lines"].([]any)[i].(map[string]any) }
		cases := []struct {
			name   string
			path   string
			body   any
			schema schemaValid
			status int
			code   string
			field  string
		}{
			{"unknown field", "/api/v1/customers/c2", `{"version":1,"name":"X","nickname":"x"}`, refused, 422, "unknown_field", "nickname"},
			{"unknown nested field", "/api/v1/invoices/i2", inv(func(m map[string]any) { line(m, 1)["discount"] = 1 }), refused, 422, "unknown_field", "lines[1].discount"},
			{"missing field", "/api/v1/customers/c2", `{"version":1}`, refused, 422, "missing_field", "name"},
			{"missing version", "/api/v1/customers/c2", `{"name":"X"}`, refused, 422, "missing_field", "version"},
			{"version 0", "/api/v1/customers/c2", `{"version":0,"name":"X"}`, refused, 422, "invalid", "version"},
			{"money with decimals", "/api/v1/invoices/i2", inv(func(m map[string]any) { line(m, 0)["net_cents"] = 90.5 }), refused, 422, "invalid", "lines[0].net_cents"},
			{"string for number", "/api/v1/contracts/k2", `{"version":1,"site_id":"s1","kind":"regular","service":"S","start_date":"2024-01-01","price_cents":"89"}`, refused, 422, "invalid", "price_cents"},
			{"bad VAT rate", "/api/v1/invoices/i2", inv(func(m map[string]any) { line(m, 2)["vat_rate_bp"] = 1234 }), refused, 422, "invalid", "lines[2].vat_rate_bp"},
			{"VAT not net × rate", "/api/v1/invoices/i2", inv(func(m map[string]any) {
				line(m, 0)["vat_cents"] = 2000
				line(m, 0)["total_cents"] = 11000
				m["total_cents"] = 11000 + 1255 + 3000
			}), either, 422, "invalid", "lines[0].vat_cents"},
			{"total not the sum", "/api/v1/invoices/i2", inv(func(m map[string]any) { m["total_cents"] = 1 }), either, 422, "invalid", "total_cents"},
			{"bad date", "/api/v1/invoices/i2", inv(func(m map[string]any) { m["due_on"] = "15.12.2026" }), refused, 422, "invalid", "due_on"},
			{"impossible date", "/api/v1/contracts/k2", `{"version":1,"site_id":"s1","kind":"regular","service":"S","start_date":"2026-02-30"}`, either, 422, "invalid", "start_date"},
			{"time without offset", "/api/v1/visits/v2", visit(1, "s1", "planned", "2026-12-03T09:00:00"), refused, 422, "invalid", "starts_at"},
			{"bad status", "/api/v1/visits/v2", visit(1, "s1", "maybe", "2026-12-03T09:00:00+02:00"), refused, 422, "invalid", "status"},
			{"bad email", "/api/v1/customers/c2", `{"version":1,"name":"X","email":"not an email"}`, either, 422, "invalid", "email"},
			{"bad kind", "/api/v1/contracts/k2", `{"version":1,"site_id":"s1","kind":"weekly","service":"S","start_date":"2024-01-01"}`, refused, 422, "invalid", "kind"},
			{"paid without date", "/api/v1/invoices/i2", inv(func(m map[string]any) { m["status"] = "paid" }), either, 422, "invalid", "paid_on"},
			{"negative price", "/api/v1/visits/v2", func() any {
				v := visit(1, "s1", "planned", "2026-12-03T09:00:00+02:00")
				v["price_cents"] = -5
				return v
			}(), refused, 422, "invalid", "price_cents"},
			{"not JSON", "/api/v1/customers/c2", `{"version":1,`, refused, 400, "bad_json", ""},
			{"two values", "/api/v1/customers/c2", `{"version":1,"name":"X"} {}`, refused, 400, "bad_json", ""},
			{"array body", "/api/v1/customers/c2", `[]`, refused, 422, "invalid", ""},
			{"bad id", "/api/v1/customers/-x", customer(1, ""), either, 422, "invalid", "id"},
		}
		for _, c := range cases {
			a := e.call("PUT", c.path, c.body, c.schema)
			code, field := a.errField(t)
			if a.status != c.status || code != c.code || field != c.field {
				t.Errorf("%s: %d %s %q, want %d %s %q\n%s", c.name, a.status, code, field, c.status, c.code, c.field, a.body)
			}
		}
		if n := e.count(`SELECT count(*) FROM invoices`); n != 0 {
			t.Errorf("refused invoices were written: %d", n)
		}
		// Not JSON by its type.
		req, _ := http.NewRequest("PUT", e.srv.URL+"/api/v1/customers/c2", strings.NewReader(`{"version":1,"name":"X"}`))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("Authorization", "Bearer "+e.token)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 415 {
			t.Errorf("text/plain: %d", r.StatusCode)
		}
		if err := e.contract.checkResponse("PUT", "/api/v1/customers/c2", r.StatusCode, r.Header, b); err != nil {
			t.Error(err)
		}
		// Unknown paths and methods answer in JSON too.
		if a := e.call("GET", "/api/v1/changes?after=x", nil, conforms); a.status != 422 {
			t.Errorf("after=x: %d", a.status)
		}
		for _, mp := range [][2]string{{"GET", "/api/v1/nothing"}, {"GET", "/api/v1/visits/v1"}, {"POST", "/api/v1/changes"},
			{"PATCH", "/api/v1/visits/v1"}} {
			p := mp[1]
			req, _ := http.NewRequest(mp[0], e.srv.URL+p, nil)
			req.Header.Set("Authorization", "Bearer "+e.token)
			r, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			var out errorOut
			want := http.StatusMethodNotAllowed
			if p == "/api/v1/nothing" {
				want = http.StatusNotFound
			}
			if json.Unmarshal(b, &out) != nil || out.Error.Code == "" || r.StatusCode != want ||
				(want == 405 && r.Header.Get("Allow") == "") {
				t.Errorf("%s %s: %d %s, want %d", mp[0], p, r.StatusCode, b, want)
			}
		}
	})
}

func TestBodyTooLarge(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.seed()
		big := customer(2, "maija@example.fi")
		big["name"] = strings.Repeat("x", DefaultMaxBody)
		a := e.call("PUT", "/api/v1/customers/c1", big, either)
		if code, _ := a.errField(t); a.status != 413 || code != "too_large" {
			t.Errorf("1 MiB body: %d %s", a.status, a.body)
		}
		// A large but allowed billing summary (500 lines, well over the
		// pages' 64 KiB form limit) goes through.
		inv := invoice(1, "s1")
		var lines []any
		for range MaxLines {
			lines = append(lines, map[string]any{"description": "Siivous " + strings.Repeat("ä", 100), "performed_on": "2026-11-03",
				"quantity_milli": 1000, "unit_price_cents": 1000, "vat_rate_bp": 2550, "net_cents": 1000, "vat_cents": 255,
				"total_cents": 1255, "is_work": true})
		}
		inv["lines"], inv["total_cents"] = lines, 1255*MaxLines
		e.put("/api/v1/invoices/i1", inv, 201)
	})
}

func TestAuthentication(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, authz := range []string{"", "Bearer", "Bearer nonsense", "Basic " + e.token, "Bearer asv1_" + strings.Repeat("A", 43),
			"Bearer " + e.token + "x"} {
			a := e.call("GET", "/api/v1/changes", nil, conforms, authz)
			if code, _ := a.errField(t); a.status != 401 || code != "unauthorized" || a.header.Get("WWW-Authenticate") == "" {
				t.Errorf("Authorization %q: %d %s", authz, a.status, a.body)
			}
		}
		if a := e.call("GET", "/api/v1/changes", nil, conforms); a.status != 200 {
			t.Fatalf("valid token: %d %s", a.status, a.body)
		}
		if _, err := e.app.RevokeAPIToken(context.Background(), "erp-test"); err != nil {
			t.Fatal(err)
		}
		for _, m := range []struct {
			method, path string
			body         any
		}{{"GET", "/api/v1/changes", nil}, {"PUT", "/api/v1/customers/c1", customer(1, "")}, {"DELETE", "/api/v1/customers/c1", nil}} {
			if a := e.call(m.method, m.path, m.body, conforms); a.status != 401 {
				t.Errorf("revoked token, %s %s: %d", m.method, m.path, a.status)
			}
		}
		if n := e.count(`SELECT count(*) FROM customers`); n != 0 {
			t.Error("a revoked token wrote")
		}
		if strings.Contains(e.log.String(), e.token) {
			t.Error("the log holds the token")
		}
		// Revoking by id works the same.
		second, t2, err := e.app.CreateAPIToken(context.Background(), "erp-second")
		if err != nil {
			t.Fatal(err)
		}
		if a := e.call("GET", "/api/v1/changes", nil, conforms, "Bearer "+second); a.status != 200 {
			t.Errorf("second token: %d", a.status)
		}
		if _, err := e.app.RevokeAPIToken(context.Background(), fmt.Sprint(t2.ID)); err != nil {
			t.Fatal(err)
		}
		if a := e.call("GET", "/api/v1/changes", nil, conforms, "Bearer "+second); a.status != 401 {
			t.Errorf("second token revoked by id: %d", a.status)
		}
		// The document itself needs no token.
		if a := e.call("GET", "/api/v1/openapi.json", nil, conforms, ""); a.status != 200 || !bytes.Equal(a.body, OpenAPI()) {
			t.Errorf("openapi.json: %d", a.status)
		}
	})
}

// TestMountedIsolation: the API mounted in the web server answers only a
// bearer token; a session is nothing to it; a token is nothing to the
// pages.
func TestMountedIsolation(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.seed()
		browser := e.browser()
		get := func(c *http.Client, path, authz string) (int, string) {
			req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
			if authz != "" {
				req.Header.Set("Authorization", authz)
			}
			r, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Body.Close()
			b, _ := io.ReadAll(r.Body)
			return r.StatusCode, string(b)
		}
		// Signed in, the pages show her site; the API does not know her.
		if code, body := get(browser, "/kohteet/"+fmt.Sprint(e.portalID("sites", "s1")), ""); code != 200 || !strings.Contains(body, "Hämeenkatu 1") {
			t.Fatalf("her site page: %d", code)
		}
		for _, p := range []string{"/api/v1/changes", "/api/v1/visits/v1"} {
			if code, body := get(browser, p, ""); code != 401 && code != 405 || !strings.Contains(body, `"error"`) {
				t.Errorf("GET %s with a session cookie: %d %s", p, code, body)
			}
		}
		req, _ := http.NewRequest("DELETE", e.srv.URL+"/api/v1/visits/v1", nil)
		if r, err := browser.Do(req); err != nil || r.StatusCode != 401 {
			t.Errorf("DELETE with a session cookie: %v %v", r.StatusCode, err)
		}
		// A token is no session: the pages treat its bearer as signed out.
		plain := &http.Client{CheckRedirect: browser.CheckRedirect}
		for _, p := range []string{"/kohteet", "/kohteet/" + fmt.Sprint(e.portalID("sites", "s1")), "/profiili"} {
			code, body := get(plain, p, "Bearer "+e.token)
			if code != http.StatusSeeOther || strings.Contains(body, "Hämeenkatu") {
				t.Errorf("GET %s with the bearer token: %d, want a redirect to sign in", p, code)
			}
		}
		if n := e.count(`SELECT count(*) FROM visits WHERE deleted_at IS NOT NULL`); n != 0 {
			t.Error("a session deleted a visit through the API")
		}
	})
}

// TestCancellationSurvivesERP: a customer's cancellation in the portal is
// not undone by an older ERP copy (409), nor by the same copy again, nor
// by a newer copy with an open status; the customer's note stays; the
// ERP's own closed status and new times do apply.
func TestCancellationSurvivesERP(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.seed()
		e.put("/api/v1/visits/v1", visit(2, "s1", "confirmed", "2026-12-03T09:00:00+02:00"), 200)
		ctx := context.Background()
		v, _ := e.viewer()
		siteID, visitID := e.portalID("sites", "s1"), e.portalID("visits", "v1")
		if err := e.app.SetVisitNote(ctx, v, siteID, visitID, "Avain on naapurilla"); err != nil {
			t.Fatal(err)
		}
		d, err := e.app.Visit(ctx, v, siteID, visitID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.CancelVisit(ctx, v, siteID, visitID, false, app.ShownTerms{Sequence: d.Visit.Sequence,
			Deadline: d.Terms.Deadline, FeeCents: d.Terms.FeeCents}); err != nil {
			t.Fatal(err)
		}
		status := func() (string, string) {
			var s, note string
			db.Read(ctx, func(tx *store.Tx) error {
				x, err := tx.SyncedVisit(ctx, visitID)
				s, note = string(x.Status), x.CustomerNote
				return err
			})
			return s, note
		}
		// The ERP re-sends its older copy: refused, still cancelled.
		a := e.call("PUT", "/api/v1/visits/v1", visit(1, "s1", "confirmed", "2026-12-03T09:00:00+02:00"), conforms)
		if a.status != 409 {
			t.Errorf("older copy after the cancellation: %d %s", a.status, a.body)
		}
		if s, _ := status(); s != "cancelled_customer" {
			t.Fatalf("after the older copy: %s", s)
		}
		// The same copy again: unchanged, still cancelled.
		a = e.put("/api/v1/visits/v1", visit(2, "s1", "confirmed", "2026-12-03T09:00:00+02:00"), 200)
		if rec := a.json(t)["record"].(map[string]any); a.json(t)["result"] != "unchanged" || rec["status"] != "cancelled_customer" {
			t.Errorf("same copy again: %s", a.body)
		}
		// A newer copy that does not know of the cancellation: its new time
		// and worker apply, the cancellation and the note stay.
		newer := visit(3, "s1", "confirmed", "2026-12-04T09:00:00+02:00")
		newer["worker_first_name"] = "Ville"
		a = e.put("/api/v1/visits/v1", newer, 200)
		rec := a.json(t)["record"].(map[string]any)
		if rec["status"] != "cancelled_customer" || rec["customer_note"] != "Avain on naapurilla" || rec["worker_first_name"] != "Ville" ||
			rec["starts_at"] != "2026-12-04T07:00:00Z" {
			t.Errorf("newer open copy: %s", a.body)
		}
		if s, note := status(); s != "cancelled_customer" || note != "Avain on naapurilla" {
			t.Errorf("after the newer copy: %s %q", s, note)
		}
		// The ERP's own closed status applies.
		e.put("/api/v1/visits/v1", visit(4, "s1", "cancelled_provider", "2026-12-04T09:00:00+02:00"), 200)
		if s, note := status(); s != "cancelled_provider" || note != "Avain on naapurilla" {
			t.Errorf("the ERP's cancellation: %s %q", s, note)
		}
		// The customer's changes are in the feed with the ERP's ids.
		a = e.call("GET", "/api/v1/changes", nil, conforms)
		var feed changesOut
		json.Unmarshal(a.body, &feed)
		var kinds []string
		for _, it := range feed.Items {
			kinds = append(kinds, it.Kind)
			if it.EntityID == nil || *it.EntityID != "v1" || it.SiteID == nil || *it.SiteID != "s1" || it.CustomerID == nil || *it.CustomerID != "c1" {
				t.Errorf("change %+v lacks the ERP ids", it)
			}
		}
		if strings.Join(kinds, ",") != "visit.note,visit.cancelled_by_customer" {
			t.Errorf("feed kinds: %v", kinds)
		}
	})
}

// TestDeletionHidesRecords: DELETE sets the deleted status (idempotently,
// nothing removed) and the customer's pages and app reads stop showing
// the record; a newer copy brings it back.
func TestDeletionHidesRecords(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.seed()
		e.put("/api/v1/sites/s2", func() map[string]any { s := site(1, "c1"); s["street"] = "Mökkitie 2"; return s }(), 201)
		e.put("/api/v1/invoices/i1", func() map[string]any {
			m := invoice(1, "s1")
			m["status"] = "paid"
			m["paid_on"] = "2026-12-10"
			return m
		}(), 201)
		ctx := context.Background()
		v, _ := e.viewer()
		s1, s2 := e.portalID("sites", "s1"), e.portalID("sites", "s2")
		visitID, invID := e.portalID("visits", "v1"), e.portalID("invoices", "i1")
		if len(v.Sites) != 2 {
			t.Fatalf("sites before: %d", len(v.Sites))
		}
		if _, err := e.app.SiteInvoice(ctx, v, s1, invID); err != nil {
			t.Fatalf("invoice before: %v", err)
		}
		st, err := e.app.YearlyStatement(ctx, v, 2026, nil)
		if err != nil {
			t.Fatal(err)
		}
		paidBefore := fmt.Sprint(st)
		browser := e.browser()
		pages := map[string]string{
			fmt.Sprintf("/kohteet/%d/palveluvuorot/%d", s1, visitID): "Aino",
			fmt.Sprintf("/kohteet/%d/laskut/%d", s1, invID):          "2026-1001",
			fmt.Sprintf("/kohteet/%d", s2):                           "Mökkitie 2",
		}
		for p, text := range pages {
			if code, body := e.page(browser, p); code != 200 || !strings.Contains(body, text) {
				t.Fatalf("GET %s before deletion: %d, shows %q: %v", p, code, text, strings.Contains(body, text))
			}
		}

		a := e.call("DELETE", "/api/v1/visits/v1", nil, conforms)
		if a.status != 200 || a.json(t)["result"] != "deleted" {
			t.Fatalf("delete visit: %d %s", a.status, a.body)
		}
		first := a.json(t)["deleted_at"]
		if again := e.call("DELETE", "/api/v1/visits/v1", nil, conforms); again.status != 200 || again.json(t)["deleted_at"] != first {
			t.Errorf("deleting again: %d %s", again.status, again.body)
		}
		if a := e.call("DELETE", "/api/v1/visits/nope", nil, conforms); a.status != 404 {
			t.Errorf("unknown visit: %d", a.status)
		}
		e.call("DELETE", "/api/v1/invoices/i1", nil, conforms)
		e.call("DELETE", "/api/v1/sites/s2", nil, conforms)

		if _, err := e.app.Visit(ctx, v, s1, visitID); err == nil {
			t.Error("the deleted visit is still shown")
		}
		if list, err := e.app.SiteVisits(ctx, v, s1, true, 1); err != nil || len(list.Visits) != 0 {
			t.Errorf("upcoming visits: %v %v", list.Visits, err)
		}
		if sum, err := e.app.Site(ctx, v, s1); err != nil || sum.NextVisit != nil || sum.LatestInvoice != nil {
			t.Errorf("site summary keeps deleted records: %+v %v", sum, err)
		}
		if _, err := e.app.SiteInvoice(ctx, v, s1, invID); err == nil {
			t.Error("the deleted invoice is still shown")
		}
		if b, err := e.app.SiteBilling(ctx, v, s1, 0); err != nil || fmt.Sprint(b) == "" {
			t.Errorf("billing: %v", err)
		} else if strings.Contains(fmt.Sprintf("%+v", b), "2026-1001") {
			t.Error("the billing list shows the deleted invoice")
		}
		if st, err := e.app.YearlyStatement(ctx, v, 2026, nil); err != nil || fmt.Sprint(st) == paidBefore {
			t.Errorf("the statement still counts the deleted invoice: %v", err)
		}
		v2, _ := e.viewer()
		if len(v2.Sites) != 1 || v2.Sites[0].ID != s1 {
			t.Errorf("site list after deleting s2: %+v", v2.Sites)
		}
		if _, err := e.app.Site(ctx, v2, s2); err == nil {
			t.Error("the deleted site is still reachable")
		}
		for p, text := range pages {
			if code, body := e.page(browser, p); code != 404 || strings.Contains(body, text) {
				t.Errorf("GET %s after deletion: %d, shows %q: %v", p, code, text, strings.Contains(body, text))
			}
		}
		for _, p := range []string{"/kohteet", fmt.Sprintf("/kohteet/%d/palveluvuorot", s1), fmt.Sprintf("/kohteet/%d/laskut", s1),
			"/vuosikooste?vuosi=2026"} {
			code, body := e.page(browser, p)
			if code != 200 && code != 303 || strings.Contains(body, "Mökkitie 2") || strings.Contains(body, "2026-1001") {
				t.Errorf("GET %s after deletion: %d, still shows a deleted record", p, code)
			}
		}
		// Nothing was removed.
		if n := e.count(`SELECT count(*) FROM visits`) + e.count(`SELECT count(*) FROM invoices`) + e.count(`SELECT count(*) FROM invoice_lines`); n != 5 {
			t.Errorf("rows after deletion: %d, want 5", n)
		}
		// Deleting the customer record hides everything of it.
		e.call("DELETE", "/api/v1/customers/c1", nil, conforms)
		if v3, _ := e.viewer(); len(v3.Sites) != 0 {
			t.Errorf("sites after deleting the customer: %+v", v3.Sites)
		}
		// A deleted record cannot be named; a newer copy brings it back.
		if a := e.call("PUT", "/api/v1/sites/s3", site(1, "c1"), conforms); a.status != 422 {
			t.Errorf("site of a deleted customer: %d", a.status)
		}
		e.put("/api/v1/customers/c1", customer(2, "maija@example.fi"), 200)
		if v4, _ := e.viewer(); len(v4.Sites) != 1 {
			t.Errorf("sites after restoring the customer: %+v", v4.Sites)
		}
	})
}

// TestNewInvoiceQueuesPush: a billing summary new to the portal queues
// the "new billing summary" push to the account that sees it, in its
// language; an update does not.
func TestNewInvoiceQueuesPush(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.seed()
		ctx := context.Background()
		err := db.Write(ctx, func(tx *store.Tx) error {
			acc, err := tx.VerifiedAccountByEmail(ctx, "maija@example.fi")
			if err != nil {
				return err
			}
			if err := tx.SetLanguage(ctx, acc.ID, "en"); err != nil {
				return err
			}
			_, err = tx.SavePushSubscription(ctx, store.PushSubscription{AccountID: acc.ID, Endpoint: "https://push.example/1",
				P256dh: "p", Auth: "a", ConsentTextVersion: "1", ConsentedAt: tx.Now()})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		e.put("/api/v1/invoices/i1", invoice(1, "s1"), 201)
		var jobs []store.Job
		db.Read(ctx, func(tx *store.Tx) (err error) { jobs, err = tx.JobsOfKind(ctx, "push"); return err })
		if len(jobs) != 1 || !bytes.Contains(jobs[0].Payload, []byte("New bill")) ||
			!bytes.Contains(jobs[0].Payload, []byte(fmt.Sprintf("/kohteet/%d/laskut/%d", e.portalID("sites", "s1"), e.portalID("invoices", "i1")))) {
			t.Fatalf("push jobs: %+v", jobs)
		}
		e.put("/api/v1/invoices/i1", func() map[string]any { m := invoice(2, "s1"); m["due_on"] = "2026-12-20"; return m }(), 200)
		db.Read(ctx, func(tx *store.Tx) (err error) { jobs, err = tx.JobsOfKind(ctx, "push"); return err })
		if len(jobs) != 1 {
			t.Errorf("an update queued a push: %d jobs", len(jobs))
		}
	})
}

// TestChangesFeedConcurrentWriters: while two writers commit changes at
// once, a reader paging through the feed with the cursor sees every
// change exactly once, in order. On PostgreSQL the writers' transactions
// really overlap (the counter row orders them); on SQLite they take turns.
func TestChangesFeedConcurrentWriters(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.seed()
		ctx := context.Background()
		visitID := e.portalID("visits", "v1")
		const perWriter = 60
		done := make(chan error, 2)
		for w := range 2 {
			go func() {
				for i := range perWriter {
					err := db.Write(ctx, func(tx *store.Tx) error {
						if _, err := tx.AppendChange(ctx, store.ChangeOf{}, portal.VisitNoteSet{VisitID: visitID, VisitExternalID: "v1",
							Note: fmt.Sprintf("writer %d, note %d", w, i)}); err != nil {
							return err
						}
						// Hold the transaction open a little, so the other
						// writer and the reader run meanwhile.
						time.Sleep(time.Duration(i%3) * time.Millisecond)
						return nil
					})
					if err != nil {
						done <- err
						return
					}
				}
				done <- nil
			}()
		}
		seen := map[int64]int{}
		var order []int64
		after := int64(0)
		finished := 0
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
			// Only a page read after both writers finished can end the loop.
			writersDone := finished == 2
			a := e.call("GET", fmt.Sprintf("/api/v1/changes?after=%d&limit=7", after), nil, conforms)
			if a.status != 200 {
				t.Fatalf("changes: %d %s", a.status, a.body)
			}
			var page changesOut
			if err := json.Unmarshal(a.body, &page); err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				seen[it.Seq]++
				order = append(order, it.Seq)
			}
			if len(page.Items) > 7 || page.Next < after {
				t.Fatalf("page of %d, next %d after %d", len(page.Items), page.Next, after)
			}
			after = page.Next
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				finished++
			default:
			}
			if writersDone && !page.HasMore && len(page.Items) == 0 {
				break
			}
		}
		if len(seen) != 2*perWriter {
			t.Errorf("saw %d changes, want %d", len(seen), 2*perWriter)
		}
		for seq, n := range seen {
			if n != 1 {
				t.Errorf("change %d seen %d times", seq, n)
			}
		}
		for i := 1; i < len(order); i++ {
			if order[i] <= order[i-1] {
				t.Fatalf("out of order: %d after %d", order[i], order[i-1])
			}
		}
	})
}
