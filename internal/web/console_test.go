package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"asiakassivu/internal/app"
	"asiakassivu/internal/i18n"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// adminOnly is the isolation case of every console route.
const adminOnly = "chain admins only: customers and staff get 404 (TestConsoleHiddenFromOthers)"

// adminEmail is the chain admin addAdmin makes.
const adminEmail = "paivi@ketju.example"

// addAdmin makes a chain admin and returns a client signed in as them.
func (e *env) addAdmin(t *testing.T) *http.Client {
	t.Helper()
	ctx := context.Background()
	pw, _ := app.NewHasher(app.Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1}).Hash(ctx, password)
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		id, err := tx.CreateAccount(ctx, portal.Account{Email: adminEmail, PasswordHash: pw, VerifiedAt: tx.Now()})
		if err != nil {
			return err
		}
		return tx.AddAdmin(ctx, id)
	})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	e.signIn(t, c, adminEmail)
	return c
}

// passSecondFactor marks every session of an account as having given the
// second factor (tested on its own in mfa tests), as staff and admins must.
func (e *env) passSecondFactor(t *testing.T, email string) {
	t.Helper()
	ctx := context.Background()
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		acc, err := tx.VerifiedAccountByEmail(ctx, email)
		if err != nil {
			return err
		}
		ss, err := tx.SessionsOf(ctx, acc.ID)
		for _, s := range ss {
			if err := tx.SetSecondFactor(ctx, s.ID); err != nil {
				return err
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// providerID returns the id of a provider by name.
func (e *env) providerID(t *testing.T, name string) int64 {
	t.Helper()
	var id int64
	err := e.db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryInt(context.Background(), `SELECT id FROM providers WHERE name = $1`, &id, name)
	})
	if err != nil {
		t.Fatalf("provider %q: %v", name, err)
	}
	return id
}

// staffID returns the provider_staff id of an account by address.
func (e *env) staffID(t *testing.T, email string) int64 {
	t.Helper()
	var id int64
	err := e.db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryInt(context.Background(), `SELECT s.id FROM provider_staff s JOIN accounts a ON a.id = s.account_id
			WHERE a.email = $1`, &id, email)
	})
	if err != nil {
		t.Fatalf("staff %q: %v", email, err)
	}
	return id
}

// TestConsoleHiddenFromOthers walks every admin route as a customer and as
// staff, with real ids and well-formed forms: each answers 404 and
// changes nothing. The console link is in no one's menu but the admin's.
func TestConsoleHiddenFromOthers(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		boss := e.addAdmin(t)
		s := e.srv.Config.Handler.(*Server)
		prov := strconv.FormatInt(e.providerID(t, "Kotikulma Oy"), 10)
		staff := strconv.FormatInt(e.staffID(t, "sari@kotikulma.example"), 10)
		matti, sari := e.client(t), e.client(t)
		e.signIn(t, matti, "matti@example.fi")
		e.signIn(t, sari, "sari@kotikulma.example")
		form := url.Values{"name": {"Kaapattu Oy"}, "email": {"matti@example.fi"}, "active": {"0"}, "cancel_deadline_days": {"1"},
			"late_fee_percent": {"77"}, "legacy_cutover": {"2020-01-01"}, "legacy_retirement": {"2030-01-01"},
			"order_service_url": {"https://evil.example/"}, "year": {"2026"}, "work_type": {"household"}, "rate": {"99"},
			"max": {"99999"}, "omavastuu": {"0"}}
		n := 0
		for _, rt := range s.routes() {
			if rt.access != admin {
				continue
			}
			n++
			if c := isolation[rt.method+" "+rt.pattern]; c.none != adminOnly {
				t.Errorf("%s %s: isolation case %q, want adminOnly", rt.method, rt.pattern, c.none)
			}
			path := strings.NewReplacer("{provider}", prov, "{staff}", staff).Replace(rt.pattern)
			for name, c := range map[string]*http.Client{"matti": matti, "sari": sari} {
				var f url.Values
				if rt.method == "POST" {
					f = form
				}
				r := do(t, c, rt.method, e.srv.URL+path, f)
				if r.StatusCode != http.StatusNotFound {
					t.Errorf("%s %s as %s: %d, want 404", rt.method, path, name, r.StatusCode)
				}
				if strings.Contains(r.body, "/yllapito") {
					t.Errorf("%s %s as %s shows a console link", rt.method, path, name)
				}
			}
			// Signed out: sent to sign in, like every private page.
			if r := do(t, e.client(t), rt.method, e.srv.URL+path, nil); r.StatusCode != http.StatusSeeOther ||
				!strings.HasPrefix(r.Header.Get("Location"), "/kirjaudu") {
				t.Errorf("%s %s signed out: %d %s", rt.method, path, r.StatusCode, r.Header.Get("Location"))
			}
		}
		if n < 14 {
			t.Errorf("only %d admin routes", n)
		}
		// Nothing changed: sari is still staff, the provider still active
		// with its name, the policies as they were, no rule for 2026.
		if r := do(t, sari, "GET", e.srv.URL+"/tuottaja", nil); r.StatusCode != 200 {
			t.Errorf("sari lost the provider pages: %d", r.StatusCode)
		}
		db.Read(context.Background(), func(tx *store.Tx) error {
			p, err := tx.ProviderByID(context.Background(), e.providerID(t, "Kotikulma Oy"))
			if err != nil || !p.Active {
				t.Errorf("provider changed: %+v %v", p, err)
			}
			pol, _ := tx.Policies(context.Background())
			if pol.OrderServiceURL == "https://evil.example/" || pol.LateFeePercent == 77 {
				t.Errorf("policies changed: %+v", pol)
			}
			rules, _ := tx.DeductionRules(context.Background())
			for _, r := range rules {
				if r.RateBP == 9900 {
					t.Errorf("rule written: %+v", r)
				}
			}
			return nil
		})
		// The admin has the console in the menu and lands there.
		r := do(t, boss, "GET", e.srv.URL+"/", nil)
		if r.Header.Get("Location") != "/yllapito" {
			t.Errorf("admin's front page: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		r = do(t, boss, "GET", e.srv.URL+"/yllapito", nil)
		if r.StatusCode != 200 || !strings.Contains(r.body, `<a href="/yllapito">Ylläpito</a>`) {
			t.Errorf("admin's console home: %d\n%s", r.StatusCode, r.body)
		}
		if r := do(t, matti, "GET", e.srv.URL+"/profiili", nil); strings.Contains(r.body, "/yllapito") {
			t.Error("a customer's menu links to the console")
		}
	})
}

// TestConsoleProvidersAndStaff: the admin adds a provider (bad input first:
// errors next to the fields, what was typed kept), edits it, adds an
// existing account as staff at once, invites a new address by mail, and
// the invited person becomes staff by signing up; a deactivated staff
// member loses the provider pages.
func TestConsoleProvidersAndStaff(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		boss := e.addAdmin(t)
		r := do(t, boss, "POST", e.srv.URL+"/yllapito/tuottajat", url.Values{"name": {" "}, "business_id": {"0112038-8"},
			"city": {"Tampere"}, "phone": {"soita"}, "provider_email": {"x@"}})
		for _, want := range []string{"Kirjoita palveluntuottajan nimi.", "Tarkista Y-tunnus.", "Tarkista puhelinnumero",
			"Tarkista sähköpostiosoite.", `value="0112038-8"`, `value="Tampere"`, `href="#new-business_id"`, `aria-invalid="true"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("bad provider form lacks %q", want)
			}
		}
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("bad provider: %d", r.StatusCode)
		}
		r = do(t, boss, "POST", e.srv.URL+"/yllapito/tuottajat", url.Values{"name": {"Siisti Koti Oy"}, "business_id": {"0112038-9"},
			"city": {"Turku"}, "phone": {"+358 2 123 4567"}, "provider_email": {"toimisto@siisti.example"}})
		if r.StatusCode != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "?ok=lisatty") {
			t.Fatalf("create provider: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		page := strings.TrimSuffix(r.Header.Get("Location"), "?ok=lisatty")
		r = do(t, boss, "GET", e.srv.URL+page+"?ok=lisatty", nil)
		if !strings.Contains(r.body, "Palveluntuottaja on lisätty.") || !strings.Contains(r.body, `value="Siisti Koti Oy"`) ||
			!strings.Contains(r.body, "Lähde portal") {
			t.Errorf("new provider's page:\n%s", r.body)
		}
		r = do(t, boss, "POST", e.srv.URL+page, url.Values{"name": {"Siisti Koti Oy"}, "city": {"Raisio"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Errorf("edit provider: %d", r.StatusCode)
		}
		if r = do(t, boss, "GET", e.srv.URL+"/yllapito/tuottajat", nil); !strings.Contains(r.body, "Raisio") || !strings.Contains(r.body, "Kotikulma Oy") {
			t.Error("the provider list lacks the change or the old providers")
		}

		// tyhja@example.fi has an account: staff at once.
		r = do(t, boss, "POST", e.srv.URL+page+"/henkilosto", url.Values{"email": {" TYHJA@example.fi "}, "name": {"Tyyne"}})
		if r.StatusCode != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "ok=henkilo-lisatty") {
			t.Fatalf("add staff: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		tyyne := e.client(t)
		e.signIn(t, tyyne, "tyhja@example.fi")
		if r := do(t, tyyne, "GET", e.srv.URL+"/tuottaja", nil); r.StatusCode != 200 {
			t.Errorf("new staff member's provider page: %d", r.StatusCode)
		}
		// Bad invitation input.
		r = do(t, boss, "POST", e.srv.URL+page+"/henkilosto", url.Values{"email": {"ei-osoite"}, "name": {""}})
		if r.StatusCode != 422 || !strings.Contains(r.body, "Kirjoita toimiva sähköpostiosoite.") || !strings.Contains(r.body, "Kirjoita henkilön nimi.") ||
			!strings.Contains(r.body, `value="ei-osoite"`) {
			t.Errorf("bad invitation: %d", r.StatusCode)
		}
		// Sari is staff elsewhere.
		r = do(t, boss, "POST", e.srv.URL+page+"/henkilosto", url.Values{"email": {"sari@kotikulma.example"}, "name": {"Sari"}})
		if r.StatusCode != 422 || !strings.Contains(r.body, "toisen palveluntuottajan") {
			t.Errorf("staff of another provider: %d", r.StatusCode)
		}
		// A new address: an invitation by mail, then sign-up makes staff.
		r = do(t, boss, "POST", e.srv.URL+page+"/henkilosto", url.Values{"email": {"uusi.tyontekija@siisti.example"}, "name": {"Ulla"}})
		if r.StatusCode != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "ok=kutsuttu") {
			t.Fatalf("invite: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		e.mails.mu.Lock()
		last := e.mails.sent[len(e.mails.sent)-1]
		e.mails.mu.Unlock()
		if last.kind != "staff_invite" || last.to != "uusi.tyontekija@siisti.example" || last.data["provider"] != "Siisti Koti Oy" {
			t.Errorf("invitation mail: %+v", last)
		}
		if r := do(t, boss, "GET", e.srv.URL+page, nil); !strings.Contains(r.body, "Odottavat kutsut") || !strings.Contains(r.body, "Ulla") {
			t.Error("the provider page does not show the open invitation")
		}
		ulla := e.client(t)
		r = do(t, ulla, "POST", e.srv.URL+"/luo-tili", url.Values{"email": {"uusi.tyontekija@siisti.example"}, "password": {strong}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-up: %d", r.StatusCode)
		}
		code := e.mails.code(t, "signup_code", "uusi.tyontekija@siisti.example")
		if r := do(t, ulla, "POST", e.srv.URL+"/vahvista", url.Values{"code": {code}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("verify: %d", r.StatusCode)
		}
		e.passSecondFactor(t, "uusi.tyontekija@siisti.example")
		if r := do(t, ulla, "GET", e.srv.URL+"/tuottaja", nil); r.StatusCode != 200 {
			t.Errorf("invited staff member after sign-up: %d", r.StatusCode)
		}
		r = do(t, boss, "GET", e.srv.URL+page, nil)
		if strings.Contains(r.body, "Odottavat kutsut") || !strings.Contains(r.body, "uusi.tyontekija@siisti.example") {
			t.Error("the accepted invitation is not staff on the provider page")
		}
		// Deactivating Ulla: no provider pages on her next request.
		ullaID := strconv.FormatInt(e.staffID(t, "uusi.tyontekija@siisti.example"), 10)
		r = do(t, boss, "POST", e.srv.URL+page+"/henkilosto/"+ullaID+"/tila", url.Values{"active": {"0"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("deactivate staff: %d", r.StatusCode)
		}
		if r := do(t, ulla, "GET", e.srv.URL+"/tuottaja", nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("deactivated staff member's provider page: %d", r.StatusCode)
		}
		// Another provider's staff id under this provider: 404.
		sari := strconv.FormatInt(e.staffID(t, "sari@kotikulma.example"), 10)
		if r := do(t, boss, "POST", e.srv.URL+page+"/henkilosto/"+sari+"/tila", url.Values{"active": {"0"}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("staff of another provider switched: %d", r.StatusCode)
		}
		// Deactivating the provider takes Tyyne's pages too.
		if r := do(t, boss, "POST", e.srv.URL+page+"/tila", url.Values{"active": {"0"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("deactivate provider: %d", r.StatusCode)
		}
		if r := do(t, tyyne, "GET", e.srv.URL+"/tuottaja", nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("staff of a deactivated provider: %d", r.StatusCode)
		}
		if r := do(t, boss, "GET", e.srv.URL+"/yllapito/tuottajat/999999", nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("unknown provider: %d", r.StatusCode)
		}
	})
}

// TestConsolePoliciesAndRules: the forms show the current values, keep
// bad input with its errors, and save good input.
func TestConsolePoliciesAndRules(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		boss := e.addAdmin(t)
		r := do(t, boss, "GET", e.srv.URL+"/yllapito/ehdot", nil)
		if r.StatusCode != 200 || !strings.Contains(r.body, `value="https://www.example.fi/tilaa"`) {
			t.Fatalf("policies page: %d", r.StatusCode)
		}
		good := url.Values{"cancel_deadline_days": {"3"}, "late_fee_percent": {"50"}, "legacy_cutover": {"1.12.2026"},
			"legacy_retirement": {"2027-06-01"}, "order_service_url": {"https://www.example.fi/tilaa"}}
		bad := url.Values{"cancel_deadline_days": {"kolme"}, "late_fee_percent": {"50"}, "legacy_cutover": {"2027-06-01"},
			"legacy_retirement": {"2026-01-01"}, "order_service_url": {"ftp://x"}}
		r = do(t, boss, "POST", e.srv.URL+"/yllapito/ehdot", bad)
		if r.StatusCode != 422 || !strings.Contains(r.body, "0–60 päivää") || !strings.Contains(r.body, `value="kolme"`) {
			t.Errorf("bad policies: %d", r.StatusCode)
		}
		bad.Set("cancel_deadline_days", "3")
		r = do(t, boss, "POST", e.srv.URL+"/yllapito/ehdot", bad)
		if r.StatusCode != 422 || !strings.Contains(r.body, "ennen sulkemispäivää") || !strings.Contains(r.body, "tilaussivun koko osoite") {
			t.Errorf("bad dates and URL: %d", r.StatusCode)
		}
		r = do(t, boss, "POST", e.srv.URL+"/yllapito/ehdot", good)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save policies: %d\n%s", r.StatusCode, r.body)
		}
		r = do(t, boss, "GET", e.srv.URL+r.Header.Get("Location"), nil)
		if !strings.Contains(r.body, "Ehdot on tallennettu.") || !strings.Contains(r.body, `value="3"`) || !strings.Contains(r.body, `value="2026-12-01"`) {
			t.Error("saved policies not shown")
		}

		r = do(t, boss, "POST", e.srv.URL+"/yllapito/vahennyssaannot", url.Values{"year": {"1999"}, "work_type": {"Koti Apu"},
			"rate": {"120"}, "max": {"0"}, "omavastuu": {"-5"}})
		for _, want := range []string{"2000–2100", "pienillä kirjaimilla", "0,01–100", "enimmäismäärä euroina", "omavastuu euroina", `value="Koti Apu"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("bad rule page lacks %q", want)
			}
		}
		r = do(t, boss, "POST", e.srv.URL+"/yllapito/vahennyssaannot", url.Values{"year": {"2027"}, "work_type": {"household"},
			"rate": {"35,5"}, "max": {"1 600"}, "omavastuu": {"150 €"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save rule: %d", r.StatusCode)
		}
		r = do(t, boss, "GET", e.srv.URL+"/yllapito/vahennyssaannot?vuosi=2027&tyolaji=household", nil)
		if !strings.Contains(r.body, "35,5 %") || !strings.Contains(r.body, `value="1600"`) || !strings.Contains(r.body, `value="35,5"`) {
			t.Errorf("rule list or edit form:\n%s", r.body)
		}
		r = do(t, boss, "GET", e.srv.URL+"/yllapito/tapahtumaloki", nil)
		for _, want := range []string{"Ketjun ehtoja muutettu", "Vähennyssääntö tallennettu", adminEmail + " (ylläpito)"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("audit log lacks %q", want)
			}
		}
	})
}

// TestConsoleFeedbackAndAudit: the inbox lists portal feedback newest
// first; reading it and the audit log is audited; the log filters by
// actor, customer and dates, and refuses bad dates with a message.
func TestConsoleFeedbackAndAudit(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		ctx := context.Background()
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		do(t, maija, "POST", e.srv.URL+"/palaute", url.Values{"message": {"Fontti voisi olla isompi"}, "contact": {"yes"}})
		sari := e.client(t)
		e.signIn(t, sari, "sari@kotikulma.example")
		do(t, sari, "GET", e.srv.URL+"/kohteet/"+strconv.FormatInt(e.sites["koti"], 10)+"/viestit", nil) // audited: thread.read
		boss := e.addAdmin(t)
		r := do(t, boss, "GET", e.srv.URL+"/yllapito/palaute", nil)
		if r.StatusCode != 200 || !strings.Contains(r.body, "Fontti voisi olla isompi") || !strings.Contains(r.body, "maija@example.fi") {
			t.Errorf("feedback inbox: %d\n%s", r.StatusCode, r.body)
		}
		r = do(t, boss, "GET", e.srv.URL+"/yllapito/tapahtumaloki?tekija=sari", nil)
		if !strings.Contains(r.body, "Viestiketju luettu") || !strings.Contains(r.body, "sari@kotikulma.example (henkilöstö)") ||
			strings.Contains(r.body, "Palaute Asiakassivusta luettu") {
			t.Errorf("audit log by actor:\n%s", r.body)
		}
		var koti int64
		db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryInt(ctx, `SELECT customer_id FROM sites WHERE id = $1`, &koti, e.sites["koti"])
		})
		today := db.Now().In(portal.Helsinki)
		iso, fin := today.Format("2006-01-02"), today.Format("2.1.2006")
		tomorrow, yesterday := today.AddDate(0, 0, 1).Format("2006-01-02"), today.AddDate(0, 0, -1).Format("2006-01-02")
		for _, q := range []string{"asiakas=" + strconv.FormatInt(koti, 10), "asiakas=KOT", "alkaen=" + iso + "&paattyen=" + fin} {
			if r := do(t, boss, "GET", e.srv.URL+"/yllapito/tapahtumaloki?"+q, nil); !strings.Contains(r.body, "Viestiketju luettu") {
				t.Errorf("audit log ?%s lacks the thread read", q)
			}
		}
		for _, q := range []string{"asiakas=999999", "tekija=nobody", "alkaen=" + tomorrow, "paattyen=" + yesterday} {
			if r := do(t, boss, "GET", e.srv.URL+"/yllapito/tapahtumaloki?"+q, nil); strings.Contains(r.body, "Viestiketju luettu") {
				t.Errorf("audit log ?%s shows the thread read", q)
			}
		}
		r = do(t, boss, "GET", e.srv.URL+"/yllapito/tapahtumaloki?alkaen=eilen&paattyen=2026-01-01", nil)
		if r.StatusCode != 422 || !strings.Contains(r.body, "Anna päivä muodossa 1.3.2027.") || !strings.Contains(r.body, `value="eilen"`) {
			t.Errorf("bad date: %d", r.StatusCode)
		}
		r = do(t, boss, "GET", e.srv.URL+"/yllapito/tapahtumaloki?alkaen=2026-12-01&paattyen=2026-11-01", nil)
		if r.StatusCode != 422 || !strings.Contains(r.body, "Loppupäivä on ennen alkupäivää.") {
			t.Errorf("reversed range: %d", r.StatusCode)
		}
		// The reads were audited: the inbox once, the log each time, with
		// the customer when filtered by one.
		var inbox, logViews, withCustomer int64
		db.Read(ctx, func(tx *store.Tx) error {
			tx.QueryInt(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'portal_feedback.view'`, &inbox)
			tx.QueryInt(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'audit_log.view'`, &logViews)
			return tx.QueryInt(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'audit_log.view' AND customer_id = $1`, &withCustomer, koti)
		})
		if inbox != 1 || logViews != 8 || withCustomer != 1 {
			t.Errorf("audited reads: inbox %d, log %d, with customer %d", inbox, logViews, withCustomer)
		}
	})
}

// TestConsoleInEveryLanguage: every console page, with an error shown,
// renders in Finnish, Swedish and English with no text key left as such
// (do checks the console's keys too), and every notice has its text.
func TestConsoleInEveryLanguage(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for ok, key := range notices {
		if !cat.Has(key) {
			t.Errorf("notice %s: unknown key %q", ok, key)
		}
	}
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	boss := e.addAdmin(t)
	maija := e.client(t)
	e.signIn(t, maija, "maija@example.fi")
	do(t, maija, "POST", e.srv.URL+"/palaute", url.Values{"message": {"Hyvä sivu"}, "contact": {"yes"}})
	prov := strconv.FormatInt(e.providerID(t, "Kotikulma Oy"), 10)
	do(t, boss, "POST", e.srv.URL+"/yllapito/tuottajat/"+prov+"/henkilosto", url.Values{"email": {"kutsu@example.fi"}, "name": {"Kaisa"}})
	do(t, boss, "POST", e.srv.URL+"/yllapito/vahennyssaannot", url.Values{"year": {"2027"}, "work_type": {"household"},
		"rate": {"35"}, "max": {"1600"}, "omavastuu": {"150"}})
	for _, lang := range []string{"sv", "en", "fi"} {
		do(t, boss, "POST", e.srv.URL+"/kieli", url.Values{"lang": {lang}})
		for _, p := range []string{"/yllapito", "/yllapito/tuottajat", "/yllapito/tuottajat/" + prov + "?ok=kutsuttu", "/yllapito/ehdot?ok=ehdot",
			"/yllapito/vahennyssaannot?vuosi=2027&tyolaji=household", "/yllapito/palaute", "/yllapito/tapahtumaloki",
			"/yllapito/tapahtumaloki?alkaen=x"} {
			r := do(t, boss, "GET", e.srv.URL+p, nil)
			if r.StatusCode != 200 && r.StatusCode != 422 {
				t.Errorf("%s %s: %d", lang, p, r.StatusCode)
			}
			if !strings.Contains(r.body, `<html lang="`+lang+`"`) {
				t.Errorf("%s %s: not in %s", lang, p, lang)
			}
		}
		for _, bad := range []struct{ path string }{{"/yllapito/tuottajat"}, {"/yllapito/ehdot"}, {"/yllapito/vahennyssaannot"},
			{"/yllapito/tuottajat/" + prov + "/henkilosto"}} {
			if r := do(t, boss, "POST", e.srv.URL+bad.path, url.Values{}); r.StatusCode != 422 {
				t.Errorf("%s empty POST %s: %d", lang, bad.path, r.StatusCode)
			}
		}
	}
}
