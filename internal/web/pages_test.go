package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/i18n"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// h1Of returns the text of a page's first heading.
func h1Of(body string) string {
	m := regexp.MustCompile(`<h1>([^<]*)</h1>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// before reports whether a comes before b in s (both present).
func before(s, a, b string) bool {
	i, j := strings.Index(s, a), strings.Index(s, b)
	return i >= 0 && j >= 0 && i < j
}

// TestProfileSections: the profile is an index of short section pages; each
// renders on its own, its forms post to the old addresses and lead back
// to the section, and a refused form shows its errors on the section's
// page, first in it.
func TestProfileSections(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		other := e.client(t)
		e.signIn(t, other, "matti@example.fi")
		c := e.client(t)
		e.signIn(t, c, "matti@example.fi")

		// Signed out, every section asks to sign in first.
		for _, path := range []string{"/profiili", "/profiili/kirjautuminen", "/profiili/laitteet", "/profiili/ilmoitukset", "/profiili/omat-tiedot"} {
			r := do(t, e.client(t), "GET", e.srv.URL+path, nil)
			if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/kirjaudu?next=") {
				t.Errorf("signed out %s: %d %s", path, r.StatusCode, r.Header.Get("Location"))
			}
		}

		index := do(t, c, "GET", e.srv.URL+"/profiili", nil)
		for _, want := range []string{`href="/profiili/kirjautuminen"`, `href="/profiili/laitteet"`, `href="/profiili/ilmoitukset"`,
			`href="/profiili/kalenteri"`, `href="/profiili/omat-tiedot"`, `id="kirjautuminen"`, `action="/kieli"`} {
			if !strings.Contains(index.body, want) {
				t.Errorf("profile index lacks %s", want)
			}
		}
		if strings.Contains(index.body, `action="/profiili/salasana"`) || strings.Contains(index.body, `action="/profiili/poista"`) {
			t.Error("the profile index still holds the sections' forms")
		}

		sections := []struct {
			path, h1 string
			want     []string
			not      []string
		}{
			{"/profiili/kirjautuminen", "Kirjautuminen ja turvallisuus",
				[]string{`action="/profiili/salasana"`, `action="/profiili/sahkoposti"`, "Pääsyavaimet", `data-next="/profiili/kirjautuminen?ok=avainkoodi"`},
				[]string{`action="/profiili/poista"`, `action="/profiili/ilmoitukset"`}},
			{"/profiili/laitteet", "Laitteet",
				[]string{"tämä laite", `/kirjaudu-ulos-muualta"`, "Viimeksi käytetty"},
				[]string{`action="/profiili/salasana"`}},
			{"/profiili/ilmoitukset", "Ilmoitukset",
				[]string{`action="/profiili/ilmoitukset"`, `id="push-form"`},
				[]string{`action="/profiili/salasana"`}},
			{"/profiili/omat-tiedot", "Omat tiedot ja tilin poisto",
				[]string{`href="/profiili/omat-tiedot.json"`, `action="/profiili/poista"`},
				[]string{`action="/profiili/salasana"`}},
		}
		for _, sec := range sections {
			r := do(t, c, "GET", e.srv.URL+sec.path, nil)
			if r.StatusCode != http.StatusOK || h1Of(r.body) != sec.h1 || !strings.Contains(r.body, `href="/profiili"`) {
				t.Errorf("%s: %d, h1 %q, want %q with the way back", sec.path, r.StatusCode, h1Of(r.body), sec.h1)
			}
			for _, w := range sec.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("%s lacks %s", sec.path, w)
				}
			}
			for _, n := range sec.not {
				if strings.Contains(r.body, n) {
					t.Errorf("%s holds %s, which belongs to another section", sec.path, n)
				}
			}
		}

		// A refused password: the security page, its error summary before
		// any other section of the page.
		r := do(t, c, "POST", e.srv.URL+"/profiili/salasana", url.Values{"current": {"väärä"}, "password": {strong}})
		if r.StatusCode != http.StatusUnprocessableEntity || h1Of(r.body) != "Kirjautuminen ja turvallisuus" ||
			!before(r.body, `class="error-summary"`, `action="/profiili/sahkoposti"`) || !before(r.body, `class="error-summary"`, "Pääsyavaimet") {
			t.Errorf("refused password: %d, h1 %q, errors not first", r.StatusCode, h1Of(r.body))
		}
		// A refused address change: its form comes first.
		r = do(t, c, "POST", e.srv.URL+"/profiili/sahkoposti", url.Values{"email": {"ei osoite"}, "current": {password}})
		if r.StatusCode != http.StatusUnprocessableEntity || !before(r.body, `class="error-summary"`, `action="/profiili/salasana"`) ||
			!before(r.body, `action="/profiili/sahkoposti"`, `action="/profiili/salasana"`) {
			t.Errorf("refused address: %d, its form and errors are not first", r.StatusCode)
		}
		// A refused deletion: the data page with the error.
		r = do(t, c, "POST", e.srv.URL+"/profiili/poista", url.Values{"current": {password}})
		if r.StatusCode != http.StatusUnprocessableEntity || h1Of(r.body) != "Omat tiedot ja tilin poisto" || !strings.Contains(r.body, `id="del-confirm-error"`) {
			t.Errorf("refused deletion: %d, h1 %q", r.StatusCode, h1Of(r.body))
		}
		// Saved forms lead back to their section with the notice.
		r = do(t, c, "POST", e.srv.URL+"/profiili/ilmoitukset", url.Values{"message": {"on"}})
		if r.Header.Get("Location") != "/profiili/ilmoitukset?ok=ilmoitukset" {
			t.Errorf("notification kinds saved: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		r = do(t, c, "POST", e.srv.URL+"/profiili/laitteet/kirjaudu-ulos-muualta", url.Values{})
		if r.Header.Get("Location") != "/profiili/laitteet?ok=laitteet" {
			t.Errorf("other devices signed out: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if r := do(t, c, "GET", e.srv.URL+"/profiili/laitteet?ok=laitteet", nil); !strings.Contains(r.body, "Laite on kirjattu ulos.") {
			t.Error("no notice on the devices page")
		}
		r = do(t, c, "POST", e.srv.URL+"/profiili/salasana", url.Values{"current": {password}, "password": {strong}})
		if r.Header.Get("Location") != "/profiili/kirjautuminen?ok=salasana" {
			t.Errorf("password changed: %d %s", r.StatusCode, r.Header.Get("Location"))
		}

		// Staff have no customer data to download; their data page still
		// offers to delete the account, and the security page their
		// authenticator.
		sari := e.client(t)
		e.signIn(t, sari, "sari@kotikulma.example")
		if r := do(t, sari, "GET", e.srv.URL+"/profiili/omat-tiedot", nil); r.StatusCode != 200 || strings.Contains(r.body, "omat-tiedot.json") {
			t.Errorf("staff's data page: %d, download offered: %v", r.StatusCode, strings.Contains(r.body, "omat-tiedot.json"))
		}
		if r := do(t, sari, "GET", e.srv.URL+"/profiili/kirjautuminen", nil); r.StatusCode != 200 || !strings.Contains(r.body, "Todennussovellus") {
			t.Errorf("staff's security page: %d", r.StatusCode)
		}
	})
}

// TestDeviceNames: the devices are named by browser and system from the
// User-Agent; a browser the parser does not know is named so.
func TestDeviceNames(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	fi := texts{c.Printer(i18n.Finnish)}
	cases := []struct{ ua, want string }{
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome, Android"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari, iPhone"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox, Windows"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge, Windows"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", "Chrome, iPhone"},
		{"Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/132.0 Mobile/15E148 Safari/605.1.15", "Firefox, iPad"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari, Mac"},
		{"Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", "Samsung Internet, Android"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0", "Opera, Windows"},
		{"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox, Linux"},
		{"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome, ChromeOS"},
		{"curl/8.5.0", "Tuntematon selain"},
		{"", "Tuntematon selain"},
		{"Mozilla/5.0 (Linux; Android 9) SomethingNew/1.0", "Tuntematon selain, Android"},
	}
	for _, c := range cases {
		if got := deviceName(fi, c.ua); got != c.want {
			t.Errorf("deviceName(%q) = %q, want %q", c.ua, got, c.want)
		}
	}
	en := texts{c.Printer(i18n.English)}
	if got := deviceName(en, "curl/8.5.0"); got != "Unknown browser" {
		t.Errorf("English unknown browser: %q", got)
	}
}

// addDoneVisit gives a site a visit done two days before the env's start.
func addDoneVisit(t *testing.T, e *env, site string) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		at := e.at(-2, 9, 0)
		var err error
		id, err = tx.UpsertVisit(ctx, portal.Visit{SiteID: e.sites[site], Source: "t", ExternalID: site + "-done", StartsAt: at,
			EndsAt: at.Add(3 * time.Hour), Status: portal.VisitDone, Service: "Säännöllinen siivous", WorkerFirstName: "Aino", PriceCents: 8900})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestDashboardCardsLink: the dashboard's cards lead to their pages: the
// next visit to the visit, the latest billing summary to the bill (the
// bills without one) and the messages to the thread.
func TestDashboardCardsLink(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		_, inv := addInvoice(t, e)
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		koti := sitePath(e.sites["koti"])
		r := do(t, maija, "GET", e.srv.URL+koti, nil)
		for _, want := range []string{
			`id="h-next"><a href="` + visitPath(e.sites["koti"], e.visits["koti"]) + `">Seuraava palveluvuoro</a>`,
			`id="h-invoice"><a href="` + koti + `/laskut/` + strconv.FormatInt(inv, 10) + `">Viimeisin laskutuskooste</a>`,
			`id="h-messages"><a href="` + koti + `/viestit">`,
			`href="/kotitalousvahennys"`,
		} {
			if !strings.Contains(r.body, want) {
				t.Errorf("koti's dashboard lacks %s", want)
			}
		}
		// No billing summary yet: the card leads to the bills.
		mokki := sitePath(e.sites["mokki"])
		if r := do(t, maija, "GET", e.srv.URL+mokki, nil); !strings.Contains(r.body, `id="h-invoice"><a href="`+mokki+`/laskut">`) {
			t.Error("mokki's billing card does not lead to the bills")
		}
		// The consent page is in the customer's menu, not in staff's.
		sari := e.client(t)
		e.signIn(t, sari, "sari@kotikulma.example")
		if r := do(t, sari, "GET", e.srv.URL+"/tuottaja", nil); strings.Contains(r.body, `href="/kotitalousvahennys"`) {
			t.Error("staff's menu offers the deduction consent")
		}
	})
}

// TestRatingPrompt: a done visit not yet rated brings "Miten käynti
// onnistui?" to the dashboard, a form per star; rating there leads back
// and the prompt is gone. Another customer cannot rate it.
func TestRatingPrompt(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		koti := sitePath(e.sites["koti"])
		if r := do(t, maija, "GET", e.srv.URL+koti, nil); strings.Contains(r.body, "Miten käynti onnistui?") {
			t.Fatal("a prompt without a done visit")
		}
		done := addDoneVisit(t, e, "koti")
		r := do(t, maija, "GET", e.srv.URL+koti, nil)
		action := `action="` + visitPath(e.sites["koti"], done) + `/arvio"`
		if !strings.Contains(r.body, "Miten käynti onnistui?") || strings.Count(r.body, action) != 5 ||
			!strings.Contains(r.body, `name="rating" value="5"`) || !strings.Contains(r.body, `name="back" value="koti"`) {
			t.Fatalf("no rating prompt with five star forms:\n%s", r.body)
		}
		// The use case finds it for maija only.
		mattiViewer := app.Viewer{AccountID: 99, Verified: true, Role: portal.RoleCustomer, EmailNorm: "matti@example.fi"}
		maijaViewer := app.Viewer{AccountID: 98, Verified: true, Role: portal.RoleCustomer, EmailNorm: "maija@example.fi"}
		if d, err := e.server.app.Dashboard(context.Background(), mattiViewer, e.sites["koti"]); d.ToRate != nil || !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("matti is asked to rate maija's visit: %+v %v", d.ToRate, err)
		}
		if d, err := e.server.app.Dashboard(context.Background(), maijaViewer, e.sites["koti"]); err != nil || d.ToRate == nil || d.ToRate.ID != done {
			t.Errorf("maija's visit to rate: %+v %v", d.ToRate, err)
		}
		// Matti cannot rate maija's visit, whatever he posts.
		matti := e.client(t)
		e.signIn(t, matti, "matti@example.fi")
		if r := do(t, matti, "POST", e.srv.URL+visitPath(e.sites["koti"], done)+"/arvio", url.Values{"rating": {"1"}, "back": {"koti"}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("another customer rates: %d", r.StatusCode)
		}
		r = do(t, maija, "POST", e.srv.URL+visitPath(e.sites["koti"], done)+"/arvio", url.Values{"rating": {"4"}, "back": {"koti"}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != koti+"?ok=arvio" {
			t.Fatalf("rate from the dashboard: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		r = do(t, maija, "GET", e.srv.URL+koti+"?ok=arvio", nil)
		if strings.Contains(r.body, "Miten käynti onnistui?") || !strings.Contains(r.body, "Kiitos arviosta!") {
			t.Error("the prompt stays after rating, or no thanks")
		}
		// The mokki site has no done visit: no prompt there.
		if r := do(t, maija, "GET", e.srv.URL+sitePath(e.sites["mokki"]), nil); strings.Contains(r.body, "Miten käynti onnistui?") {
			t.Error("a prompt on another site")
		}
	})
}

// setCustomerService puts the chain's customer service in the policies.
func setCustomerService(t *testing.T, e *env, phone, email string) {
	t.Helper()
	ctx := context.Background()
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		pol, err := tx.Policies(ctx)
		if err != nil {
			return err
		}
		pol.CustomerServicePhone, pol.CustomerServiceEmail = phone, email
		return tx.SetPolicies(ctx, pol)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestContactPage: the contact page and footer link name the chain's
// customer service and, for a customer, their own homes' providers only;
// staff, admins and the signed out get the chain's, not an error.
func TestContactPage(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		setCustomerService(t, e, "010 555 1234", "asiakaspalvelu@ketju.example")
		chain := []string{`href="tel:0105551234"`, "010 555 1234", `href="mailto:asiakaspalvelu@ketju.example"`}

		anon := do(t, e.client(t), "GET", e.srv.URL+"/yhteystiedot", nil)
		if anon.StatusCode != 200 || strings.Contains(anon.body, "Kotikulma Oy") || strings.Contains(anon.body, "Toinen Oy") {
			t.Errorf("signed out: %d, shows a provider", anon.StatusCode)
		}
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		r := do(t, maija, "GET", e.srv.URL+"/yhteystiedot", nil)
		for _, want := range append(chain, "Kotikulma Oy", `href="tel:+358401234567"`, "Kohde koti", "Kohde mokki",
			`href="`+sitePath(e.sites["koti"])+`/viestit"`) {
			if !strings.Contains(r.body, want) || !strings.Contains(anon.body, chain[0]) {
				t.Errorf("maija's contact page lacks %s", want)
			}
		}
		if strings.Contains(r.body, "Toinen Oy") || strings.Contains(r.body, "Kohde matti") || strings.Contains(r.body, "Kohde pekka") {
			t.Error("maija sees another customer's home or provider")
		}
		matti := e.client(t)
		e.signIn(t, matti, "matti@example.fi")
		if r := do(t, matti, "GET", e.srv.URL+"/yhteystiedot", nil); !strings.Contains(r.body, "Kohde matti") || strings.Contains(r.body, "Kohde koti") {
			t.Error("matti's contact page does not show his own home only")
		}
		for _, who := range []string{"sari@kotikulma.example", "bertta@toinen.example"} {
			c := e.client(t)
			e.signIn(t, c, who)
			r := do(t, c, "GET", e.srv.URL+"/yhteystiedot", nil)
			if r.StatusCode != 200 || !strings.Contains(r.body, chain[1]) || strings.Contains(r.body, "Kohde ") {
				t.Errorf("%s: %d, chain shown %v, homes listed %v", who, r.StatusCode, strings.Contains(r.body, chain[1]), strings.Contains(r.body, "Kohde "))
			}
		}
		admin := e.addAdmin(t)
		if r := do(t, admin, "GET", e.srv.URL+"/yhteystiedot", nil); r.StatusCode != 200 || strings.Contains(r.body, "Kohde ") {
			t.Errorf("admin: %d", r.StatusCode)
		}
		// Every page's footer links it.
		if r := do(t, maija, "GET", e.srv.URL+"/kohteet", nil); !strings.Contains(r.body, `<a href="/yhteystiedot">Yhteystiedot</a>`) {
			t.Error("no footer link to the contact page")
		}
		// Without the chain's contacts, the page says whom to ask.
		setCustomerService(t, e, "", "")
		if r := do(t, e.client(t), "GET", e.srv.URL+"/yhteystiedot", nil); r.StatusCode != 200 || !strings.Contains(r.body, "ei ole vielä lisätty") {
			t.Errorf("no customer service set: %d", r.StatusCode)
		}
	})
}

// TestConsoleCustomerService: the console's policies form edits the
// customer service's phone and email, checks them and keeps what was
// typed when refused.
func TestConsoleCustomerService(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		admin := e.addAdmin(t)
		form := func(phone, email string) url.Values {
			return url.Values{"cancel_deadline_days": {"7"}, "late_fee_percent": {"100"}, "legacy_cutover": {"2024-11-26"},
				"legacy_retirement": {"2025-03-31"}, "order_service_url": {"https://www.example.fi/tilaa"},
				"customer_service_phone": {phone}, "customer_service_email": {email}}
		}
		r := do(t, admin, "GET", e.srv.URL+"/yllapito/ehdot", nil)
		if !strings.Contains(r.body, `name="customer_service_phone"`) || !strings.Contains(r.body, `name="customer_service_email"`) {
			t.Fatal("the policies form lacks the customer service fields")
		}
		for _, bad := range []struct{ phone, email, msg string }{
			{"soita meille", "asiakaspalvelu@ketju.example", "Tarkista puhelinnumero"},
			{"12", "", "Tarkista puhelinnumero"},
			{"010 555 1234", "ei-osoite", "Tarkista sähköpostiosoite, esimerkiksi"},
		} {
			r := do(t, admin, "POST", e.srv.URL+"/yllapito/ehdot", form(bad.phone, bad.email))
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, bad.msg) ||
				!strings.Contains(r.body, `value="`+bad.phone+`"`) {
				t.Errorf("%q %q: %d, want 422 with %q and the typed value", bad.phone, bad.email, r.StatusCode, bad.msg)
			}
		}
		r = do(t, admin, "POST", e.srv.URL+"/yllapito/ehdot", form(" +358 10 555 1234 ", "Asiakaspalvelu@Ketju.example"))
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", r.StatusCode, r.body)
		}
		var pol portal.ChainPolicies
		db.Read(context.Background(), func(tx *store.Tx) (err error) { pol, err = tx.Policies(context.Background()); return err })
		if pol.CustomerServicePhone != "+358 10 555 1234" || pol.CustomerServiceEmail == "" {
			t.Errorf("stored %q %q", pol.CustomerServicePhone, pol.CustomerServiceEmail)
		}
		if r := do(t, e.client(t), "GET", e.srv.URL+"/yhteystiedot", nil); !strings.Contains(r.body, "+358 10 555 1234") {
			t.Error("the contact page does not show the saved phone")
		}
		// Empty fields clear them.
		if r := do(t, admin, "POST", e.srv.URL+"/yllapito/ehdot", form("", "")); r.StatusCode != http.StatusSeeOther {
			t.Errorf("clear: %d", r.StatusCode)
		}
		// A customer cannot post the form.
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		if r := do(t, maija, "POST", e.srv.URL+"/yllapito/ehdot", form("010 555 1234", "")); r.StatusCode != http.StatusNotFound {
			t.Errorf("a customer posts the policies: %d", r.StatusCode)
		}
	})
}

// TestContactInMails: the mails that ask to contact customer service carry
// its phone, email and the contact page.
func TestContactInMails(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, factorsOrigin)
		setCustomerService(t, e, "010 555 1234", "asiakaspalvelu@ketju.example")
		c := e.client(t)
		e.signIn(t, c, "matti@example.fi")
		if r := do(t, c, "POST", e.srv.URL+"/profiili/salasana", url.Values{"current": {password}, "password": {strong}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("change password: %d", r.StatusCode)
		}
		e.mails.mu.Lock()
		defer e.mails.mu.Unlock()
		found := false
		for _, m := range e.mails.sent {
			if m.kind == "password_changed_notice" {
				found = true
				if m.data["support_phone"] != "010 555 1234" || m.data["support_email"] != "asiakaspalvelu@ketju.example" ||
					m.data["contact_url"] != factorsOrigin+"/yhteystiedot" {
					t.Errorf("password notice data: %v", m.data)
				}
			}
		}
		if !found {
			t.Error("no password notice")
		}
	})
}

// TestConfirmations: sign-out, account deletion and a new passkey each
// end on a page that says so in one line.
func TestConfirmations(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		c := e.client(t)
		e.signIn(t, c, "matti@example.fi")
		notice := func(path, want string) {
			t.Helper()
			r := do(t, c, "GET", e.srv.URL+path, nil)
			if !strings.Contains(r.body, `<p class="notice" id="ilmoitus" role="status" tabindex="-1" autofocus>`+want) {
				t.Errorf("%s lacks the notice %q", path, want)
			}
		}
		notice("/profiili/kirjautuminen?ok=avainkoodi", "Pääsyavain on lisätty.")
		r := do(t, c, "POST", e.srv.URL+"/kirjaudu-ulos", url.Values{})
		if r.Header.Get("Location") != "/kirjaudu?ok=uloskirjautunut" {
			t.Errorf("sign-out: %s", r.Header.Get("Location"))
		}
		notice("/kirjaudu?ok=uloskirjautunut", "Olet kirjautunut ulos.")
		e.signIn(t, c, "matti@example.fi")
		r = do(t, c, "POST", e.srv.URL+"/profiili/poista", url.Values{"current": {password}, "confirm": {"yes"}})
		if r.Header.Get("Location") != "/kirjaudu?ok=tili-poistettu" {
			t.Errorf("deletion: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		notice("/kirjaudu?ok=tili-poistettu", "Tilisi on poistettu.")
		// The sign-in page offers a new account before its form.
		r = do(t, c, "GET", e.srv.URL+"/kirjaudu", nil)
		if !before(r.body, `<a class="button" href="/luo-tili">Luo tili</a>`, `<form method="post" action="/kirjaudu"`) {
			t.Error("the sign-in page's Luo tili is not before the form")
		}
	})
}

// TestPasskeyCreationConfirmed: adding a passkey from the profile leads
// to the security page with the confirmation.
func TestPasskeyCreationConfirmed(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, factorsOrigin)
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		key := newSoftKey(t, factorsOrigin)
		begun := ceremonyPost(t, maija, e.srv.URL+"/profiili/avainkoodit/aloita", nil)
		next := "/profiili/kirjautuminen?ok=avainkoodi"
		b, _ := json.Marshal(map[string]any{"token": begun.Token, "credential": key.create(t, begun.Opts), "name": "Puhelin"})
		resp, err := maija.Post(e.srv.URL+"/profiili/avainkoodit?next="+url.QueryEscape(next), "application/json", strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		var done struct {
			Next string `json:"next"`
		}
		json.NewDecoder(resp.Body).Decode(&done)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || done.Next != next {
			t.Fatalf("add passkey: %d, next %q", resp.StatusCode, done.Next)
		}
		if r := do(t, maija, "GET", e.srv.URL+done.Next, nil); !strings.Contains(r.body, "Pääsyavain on lisätty.") || !strings.Contains(r.body, "Puhelin") {
			t.Error("no confirmation after the passkey")
		}
	})
}

// TestWelcomeAfterVerification: the first page after the sign-up's code
// welcomes and tells what is here; an old extranet user is told the
// address to sign in with from now on.
func TestWelcomeAfterVerification(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		e.addNewcomer(t)
		c := e.client(t)
		do(t, c, "POST", e.srv.URL+"/luo-tili", url.Values{"email": {"uusi@example.fi"}, "password": {strong}})
		r := do(t, c, "POST", e.srv.URL+"/vahvista", url.Values{"code": {e.mails.code(t, "signup_code", "uusi@example.fi")}})
		if r.Header.Get("Location") != "/?ok=tervetuloa" {
			t.Fatalf("verify: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		r = do(t, c, "GET", e.srv.URL+"/?ok=tervetuloa", nil)
		first := r.Header.Get("Location")
		r = do(t, c, "GET", e.srv.URL+first, nil)
		if !strings.Contains(r.body, "Tervetuloa – tämä on Asiakassivu") || !strings.Contains(r.body, "Palveluvuorot:") || strings.Contains(r.body, "Kirjaudu jatkossa") {
			t.Errorf("first page %s: no welcome", first)
		}

		addLegacyCustomer(t, e)
		v := e.client(t)
		r = do(t, v, "POST", e.srv.URL+"/kirjaudu/extranet", url.Values{"username": {"eino.vanha"}, "password": {"Extranet-2019"}})
		m := ticketField.FindStringSubmatch(r.body)
		if m == nil {
			t.Fatal("no ticket")
		}
		do(t, v, "POST", e.srv.URL+"/kirjaudu/extranet/uusi-tili", url.Values{"ticket": {m[1]}, "password": {"Uusi-hyva-salasana-7"}})
		r = do(t, v, "POST", e.srv.URL+"/vahvista", url.Values{"code": {e.mails.code(t, "signup_code", "vanha@example.fi")}})
		if r.Header.Get("Location") != "/?ok=tervetuloa-vanha" {
			t.Fatalf("legacy verify: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		r = do(t, v, "GET", e.srv.URL+"/?ok=tervetuloa-vanha", nil)
		r = do(t, v, "GET", e.srv.URL+r.Header.Get("Location"), nil)
		if !strings.Contains(r.body, "Kirjaudu jatkossa osoitteella vanha@example.fi") {
			t.Errorf("the legacy user is not told the address to sign in with:\n%s", r.body)
		}
		// The welcome is a page's notice, not a state: without it, none.
		if r := do(t, v, "GET", e.srv.URL+"/kohteet", nil); strings.Contains(r.body, "Tervetuloa – tämä on Asiakassivu") {
			t.Error("the welcome shows on a later page")
		}
	})
}
