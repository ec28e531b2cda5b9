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

	"asiakassivu/internal/app"
	"asiakassivu/internal/i18n"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// urlAttr finds the attributes that hold a URL.
var urlAttr = regexp.MustCompile(`\s(href|src|action|formaction|data-events)="([^"]*)"`)

// anyAttr finds every attribute value.
var anyAttr = regexp.MustCompile(`\s[a-zA-Z-]+="([^"]*)"`)

// unsafeInPage returns what is wrong with the URLs of a rendered page:
// html/template's and templ's marks of a refused value, a URL attribute
// with a scheme other than the allowed ones, or any attribute that starts
// with a script or data scheme.
func unsafeInPage(body string) []string {
	var bad []string
	for _, mark := range []string{"ZgotmplZ", "TemplFailedSanitizationURL", "about:invalid"} {
		if strings.Contains(body, mark) {
			bad = append(bad, "holds "+mark)
		}
	}
	for _, m := range urlAttr.FindAllStringSubmatch(body, -1) {
		v := strings.TrimSpace(html.UnescapeString(m[2]))
		scheme, _, found := strings.Cut(v, ":")
		if !found || strings.ContainsAny(scheme, "/?#") {
			continue // relative
		}
		switch strings.ToLower(scheme) {
		case "http", "https", "mailto", "tel", "webcal", "otpauth":
		default:
			bad = append(bad, m[1]+"="+v)
		}
	}
	for _, m := range anyAttr.FindAllStringSubmatch(body, -1) {
		v := strings.ToLower(strings.TrimSpace(html.UnescapeString(m[1])))
		for _, s := range []string{"javascript:", "data:", "vbscript:"} {
			if strings.HasPrefix(v, s) {
				bad = append(bad, "attribute "+v)
			}
		}
	}
	return bad
}

// TestUnsafeInPageCatches: the check itself finds what it is for.
func TestUnsafeInPageCatches(t *testing.T) {
	for _, page := range []string{
		`<a href="#ZgotmplZ">`, `<a href="about:invalid#TemplFailedSanitizationURL">`,
		`<a href="javascript:alert(1)">`, `<a href=" JavaScript:alert(1)">`, `<img src="data:text/html,x">`,
		`<a href="vbscript:x">`, `<a href="ftp://x">`, `<div data-x="javascript:x">`,
	} {
		if len(unsafeInPage(page)) == 0 {
			t.Errorf("%s passes", page)
		}
	}
	for _, page := range []string{`<a href="/kohteet/1">`, `<a href="?sivu=2">`, `<a href="tel:+358401234567">`,
		`<a href="webcal://x.example/kalenteri/t">`, `<a href="mailto:a@b.example">`, `<a href="">`, `<a href="#main">`} {
		if bad := unsafeInPage(page); len(bad) != 0 {
			t.Errorf("%s: %v", page, bad)
		}
	}
}

// TestEveryPageSafeInEveryLanguage renders every GET route of the route
// table, signed out and as a customer, a staff member and a chain admin,
// in Finnish, Swedish and English, plus the forms' refusals, and wants no
// refused or unsafe URL in any page. The calendar's webcal: button (once
// rendered #ZgotmplZ), the provider's tel: and mailto: links and the
// authenticator's otpauth: link must come through as they are.
func TestEveryPageSafeInEveryLanguage(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	s := e.srv.Config.Handler.(*Server)
	customer := e.client(t)
	e.signIn(t, customer, "maija@example.fi")
	staff := e.client(t)
	e.signIn(t, staff, "sari@kotikulma.example")
	admin := e.addAdmin(t)
	e.passSecondFactor(t, adminEmail)
	clients := map[string]*http.Client{"signed out": e.client(t), "customer": customer, "staff": staff, "admin": admin}
	site := strconv.FormatInt(e.sites["koti"], 10)
	provider := strconv.FormatInt(e.providerID(t, "Kotikulma Oy"), 10)
	pages := 0
	check := func(who, lang, method, path string, r resp) {
		t.Helper()
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			return
		}
		pages++
		if bad := unsafeInPage(r.body); len(bad) != 0 {
			t.Errorf("%s, %s: %s %s (%d): %v", who, lang, method, path, r.StatusCode, bad)
		}
	}
	for _, lang := range i18n.Langs {
		hdr := []string{"Cookie", langCookie + "=" + string(lang)}
		for who, c := range clients {
			for _, rt := range s.routes() {
				if rt.method != "GET" || strings.HasSuffix(rt.pattern, "/tapahtumat") || strings.HasPrefix(rt.pattern, "/api/") {
					continue // the message stream does not end
				}
				path := fill(s, rt.pattern, site)
				path = strings.NewReplacer("{provider}", provider, "{invoice}", "1").Replace(path)
				check(who, string(lang), rt.method, path, do(t, c, "GET", e.srv.URL+path, nil, hdr...))
			}
		}
		// Refused forms show their summaries and fields.
		out := clients["signed out"]
		for _, path := range []string{"/kirjaudu", "/luo-tili", "/unohtunut-salasana", "/unohtunut-salasana/koodi", "/palaute", "/kirjaudu/extranet"} {
			check("signed out", string(lang), "POST", path, do(t, out, "POST", e.srv.URL+path, url.Values{}, hdr...))
		}
		check("customer", string(lang), "POST", "/kohteet/"+site+"/ohjeet",
			do(t, customer, "POST", e.srv.URL+"/kohteet/"+site+"/ohjeet", url.Values{"access_keys": {strings.Repeat("x", 3000)}}, hdr...))
		check("admin", string(lang), "POST", "/yllapito/tuottajat", do(t, admin, "POST", e.srv.URL+"/yllapito/tuottajat", url.Values{}, hdr...))

		// The calendar's address is a webcal: link.
		r := do(t, customer, "POST", e.srv.URL+"/profiili/kalenteri", url.Values{}, hdr...)
		check("customer", string(lang), "POST", "/profiili/kalenteri", r)
		if !regexp.MustCompile(`<a class="button primary" href="webcal://[^"]+/kalenteri/[A-Za-z0-9_-]{43}">`).MatchString(r.body) {
			t.Errorf("%s: the calendar page has no webcal: button:\n%s", lang, r.body)
		}
		// The provider's phone and address are tel: and mailto: links.
		r = do(t, customer, "GET", e.srv.URL+"/kohteet/"+strconv.FormatInt(e.sites["mokki"], 10), nil, hdr...)
		if !strings.Contains(r.body, `href="tel:+358401234567"`) {
			t.Errorf("%s: the site page has no tel: link", lang)
		}
		// An authenticator app is set up by an otpauth: link.
		r = do(t, staff, "POST", e.srv.URL+"/kaksivaihe/sovellus", url.Values{}, hdr...)
		check("staff", string(lang), "POST", "/kaksivaihe/sovellus", r)
		if r.StatusCode == http.StatusOK && !strings.Contains(r.body, `href="otpauth://totp/`) {
			t.Errorf("%s: the authenticator page has no otpauth: link:\n%s", lang, r.body)
		}
	}
	t.Logf("%d pages", pages)
	if pages < 150 {
		t.Errorf("only %d pages rendered", pages)
	}
}

// TestURLsFromDataAreSanitized: a URL that comes from data (the order
// service's address, set by an admin) is rendered only with a web scheme,
// and the helpers that mark a URL safe let only their own scheme through.
func TestURLsFromDataAreSanitized(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	l := texts{cat.Printer(i18n.Finnish)}
	var b strings.Builder
	p := sitesPage{layout: layout{L: l, Title: "x"}, OrderServiceURL: "javascript:alert(1)"}
	p.assets, _ = loadAssets(Brand{Name: DefaultBrandName, Color: DefaultBrandColor})
	if err := sitesView(p).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "javascript:") {
		t.Errorf("a javascript: order service address reached the page")
	}
	// The webcal: link has a test of its own (TestWebcalLinkOnlyOwnFeeds).
	if _, err := newWebcalLink(&url.URL{Scheme: "https", Host: "portaali.example"}, "javascript:alert(1)"); err == nil {
		t.Errorf("newWebcalLink took javascript:")
	}
	if got := tel("javascript:alert(1)+358 40"); got != "tel:135840" {
		t.Errorf("tel() = %q, want the digits only", got)
	}
	if got := tel("+358 40 123 4567"); got != "tel:+358401234567" {
		t.Errorf("tel() = %q", got)
	}
	if got := (mfaPage{TOTP: app.TOTPSetup{URI: "javascript:alert(1)"}}).TOTPLink(); !strings.HasPrefix(string(got), "about:invalid") {
		t.Errorf("TOTPLink(javascript:) = %q", got)
	}
}

// TestEmailLinkWraps: an address shown as a link may wrap before its @ on
// a narrow screen (not mid-word), and its href stays the whole address.
func TestEmailLinkWraps(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"tampere@kotikulma.com", `<a href="mailto:tampere@kotikulma.com">tampere<wbr>@kotikulma.com</a>`},
		{"a@b@c.example", `<a href="mailto:a@b@c.example">a@b<wbr>@c.example</a>`},
		{"ei-osoite", `<a href="mailto:ei-osoite">ei-osoite</a>`},
		{"<b>@x.example", `<a href="mailto:&lt;b&gt;@x.example">&lt;b&gt;<wbr>@x.example</a>`},
	} {
		var b strings.Builder
		if err := emailLink(c.in).Render(context.Background(), &b); err != nil || b.String() != c.want {
			t.Errorf("emailLink(%q) = %s, %v; want %s", c.in, b.String(), err, c.want)
		}
	}
}
