package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

const strong = "Kahvi maistuu aamulla 42"

// addNewcomer gives env customer records for uusi@example.fi, who has no
// account yet, and returns the site id.
func (e *env) addNewcomer(t *testing.T) int64 {
	t.Helper()
	var site int64
	err := e.db.Write(context.Background(), func(tx *store.Tx) error {
		ctx := context.Background()
		prov, err := tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: "p2", Name: "Turun Siisti", Active: true})
		if err != nil {
			return err
		}
		cid, err := tx.UpsertCustomer(ctx, portal.Customer{Source: "t", ExternalID: "uusi", Name: "Uusi", Email: "Uusi@Example.fi"})
		if err != nil {
			return err
		}
		site, err = tx.UpsertSite(ctx, portal.Site{CustomerID: cid, ProviderID: prov, Source: "t", ExternalID: "uusi", Name: "Kohde uusi", Street: "Uusikatu 1"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return site
}

func TestSignUpFlow(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		site := e.addNewcomer(t)
		c := e.client(t)
		r := do(t, c, "GET", e.srv.URL+"/kirjaudu", nil)
		if !strings.Contains(r.body, `href="/luo-tili"`) || !strings.Contains(r.body, "Eikö sinulla ole tiliä?") {
			t.Fatal("the sign-in page does not lead to sign-up")
		}
		// Bad input keeps the address, never the password.
		r = do(t, c, "POST", e.srv.URL+"/luo-tili", url.Values{"email": {"uusi@example.fi"}, "password": {"salasana1234"}})
		if r.StatusCode != 422 || !strings.Contains(r.body, "liian helppo arvata") || !strings.Contains(r.body, `value="uusi@example.fi"`) ||
			strings.Contains(r.body, "salasana1234") {
			t.Fatalf("guessable password: %d", r.StatusCode)
		}
		r = do(t, c, "POST", e.srv.URL+"/luo-tili", url.Values{"email": {"uusi@example.fi"}, "password": {strong}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/vahvista" {
			t.Fatalf("sign-up: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		// Unverified: no data anywhere.
		for _, path := range []string{"/kohteet", "/kohteet/" + strconv.FormatInt(site, 10), "/profiili"} {
			r = do(t, c, "GET", e.srv.URL+path, nil)
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/vahvista" {
				t.Errorf("unverified %s: %d %s", path, r.StatusCode, r.Header.Get("Location"))
			}
		}
		r = do(t, c, "GET", e.srv.URL+"/vahvista", nil)
		if !strings.Contains(r.body, "uusi@example.fi") || !strings.Contains(r.body, `autocomplete="one-time-code"`) {
			t.Fatal("code page lacks the address or the code field")
		}
		code := e.mails.code(t, "signup_code", "uusi@example.fi")
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		r = do(t, c, "POST", e.srv.URL+"/vahvista", url.Values{"code": {wrong}})
		if r.StatusCode != 422 || !strings.Contains(r.body, "Koodi ei kelpaa") {
			t.Fatalf("wrong code: %d", r.StatusCode)
		}
		r = do(t, c, "POST", e.srv.URL+"/vahvista", url.Values{"code": {" " + code[:3] + " " + code[3:] + " "}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("right code: %d\n%s", r.StatusCode, r.body)
		}
		r = do(t, c, "GET", e.srv.URL+"/kohteet", nil)
		if !strings.Contains(r.body, "Kohde uusi") {
			t.Error("the records on file do not appear after verification")
		}
		for _, secret := range []string{code, strong} {
			if strings.Contains(e.log.String(), secret) {
				t.Errorf("the log holds a secret %q", secret)
			}
		}
		// Sign out; the form holds the address; sign in again.
		do(t, c, "POST", e.srv.URL+"/kirjaudu-ulos", url.Values{})
		r = do(t, c, "GET", e.srv.URL+"/kirjaudu", nil)
		if !strings.Contains(r.body, `value="uusi@example.fi"`) {
			t.Error("the email is not remembered on this device")
		}
		r = do(t, c, "POST", e.srv.URL+"/kirjaudu", url.Values{"email": {"uusi@example.fi"}, "password": {strong}})
		if r.StatusCode != http.StatusSeeOther {
			t.Errorf("sign in after sign-up: %d", r.StatusCode)
		}
	})
}

// comparable strips what may differ between two answers: cookies, date.
func comparable(r resp) string {
	h := r.Header.Clone()
	h.Del("Set-Cookie")
	h.Del("Date")
	var b strings.Builder
	b.WriteString(strconv.Itoa(r.StatusCode) + "\n")
	h.Write(&b)
	b.WriteString(r.body)
	return b.String()
}

// TestNoEnumeration: sign-up and forgot-password answer byte-identically
// for an address with an account and one without.
func TestNoEnumeration(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		for _, path := range []string{"/luo-tili", "/unohtunut-salasana"} {
			known := do(t, e.client(t), "POST", e.srv.URL+path, url.Values{"email": {"matti@example.fi"}, "password": {strong}})
			unknown := do(t, e.client(t), "POST", e.srv.URL+path, url.Values{"email": {"tuntematon@example.fi"}, "password": {strong}})
			if comparable(known) != comparable(unknown) {
				t.Errorf("%s answers differ:\n%s\n---\n%s", path, comparable(known), comparable(unknown))
			}
		}
		// The pages that follow differ only in the echoed address.
		for _, path := range []string{"/luo-tili"} {
			a, b := e.client(t), e.client(t)
			do(t, a, "POST", e.srv.URL+path, url.Values{"email": {"matti@example.fi"}, "password": {strong}})
			do(t, b, "POST", e.srv.URL+path, url.Values{"email": {"tuntematon@example.fi"}, "password": {strong}})
			ra := do(t, a, "GET", e.srv.URL+"/vahvista", nil)
			rb := do(t, b, "GET", e.srv.URL+"/vahvista", nil)
			blank := func(s, email string) string {
				return strings.NewReplacer(email, "X", url.QueryEscape(email), "X").Replace(s)
			}
			if blank(comparable(ra), "matti@example.fi") != blank(comparable(rb), "tuntematon@example.fi") {
				t.Error("code pages differ for known and unknown address")
			}
		}
		// Matti got one notice (at most one an hour) and a reset code; the
		// unknown address two sign-up codes and no reset code.
		if n := len(e.mails.sent); n != 4 {
			t.Errorf("mails queued: %d, want 4", n)
		}
	})
}

func TestPasswordResetFlow(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		old := e.client(t)
		e.signIn(t, old, "matti@example.fi")
		c := e.client(t)
		r := do(t, c, "POST", e.srv.URL+"/unohtunut-salasana", url.Values{"email": {"matti@example.fi"}})
		if r.Header.Get("Location") != "/unohtunut-salasana/koodi" {
			t.Fatalf("forgot: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		r = do(t, c, "GET", e.srv.URL+"/unohtunut-salasana/koodi", nil)
		if !strings.Contains(r.body, "matti@example.fi") {
			t.Fatal("code page lacks the address")
		}
		code := e.mails.code(t, "reset_code", "matti@example.fi")
		r = do(t, c, "POST", e.srv.URL+"/unohtunut-salasana/koodi", url.Values{"code": {code}, "password": {"lyhyt"}})
		if r.StatusCode != 422 || !strings.Contains(r.body, "vähintään 12 merkkiä") || !strings.Contains(r.body, `value="`+code+`"`) {
			t.Fatalf("short password: %d", r.StatusCode)
		}
		r = do(t, c, "POST", e.srv.URL+"/unohtunut-salasana/koodi", url.Values{"code": {code}, "password": {strong}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/?ok=salasana-uusi" {
			t.Fatalf("reset: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
		}
		// The first page confirms the new password (the front page passes
		// the notice on to the home it leads to).
		r = do(t, c, "GET", e.srv.URL+"/?ok=salasana-uusi", nil)
		if to := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || !strings.HasSuffix(to, "?ok=salasana-uusi") {
			t.Fatalf("front page after the reset: %d %s", r.StatusCode, to)
		} else if r := do(t, c, "GET", e.srv.URL+to, nil); !strings.Contains(r.body, "Uusi salasana on tallennettu") {
			t.Error("no confirmation after the reset")
		}
		if r := do(t, c, "GET", e.srv.URL+"/kohteet", nil); r.StatusCode != 200 {
			t.Errorf("not signed in after reset: %d", r.StatusCode)
		}
		if r := do(t, old, "GET", e.srv.URL+"/kohteet", nil); r.StatusCode != http.StatusSeeOther {
			t.Errorf("old session survived the reset: %d", r.StatusCode)
		}
	})
}

func TestProfile(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		other := e.client(t)
		e.signIn(t, other, "matti@example.fi")
		c := e.client(t)
		e.signIn(t, c, "matti@example.fi")
		r := do(t, c, "GET", e.srv.URL+"/profiili/laitteet", nil)
		if !strings.Contains(r.body, "tämä laite") || strings.Count(r.body, "/kirjaudu-ulos\"") < 2 {
			t.Errorf("device list: %s", r.body)
		}
		r = do(t, c, "POST", e.srv.URL+"/profiili/salasana", url.Values{"current": {"väärä"}, "password": {strong}})
		if r.StatusCode != 422 || !strings.Contains(r.body, "Salasana ei ole oikein.") {
			t.Errorf("wrong current password: %d", r.StatusCode)
		}
		r = do(t, c, "POST", e.srv.URL+"/profiili/salasana", url.Values{"current": {password}, "password": {strong}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("change password: %d", r.StatusCode)
		}
		if r := do(t, other, "GET", e.srv.URL+"/kohteet", nil); r.StatusCode != http.StatusSeeOther {
			t.Error("the other device stayed signed in after a password change")
		}
		r = do(t, c, "GET", e.srv.URL+"/profiili/omat-tiedot.json", nil)
		if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(r.body, `"email": "matti@example.fi"`) {
			t.Errorf("export: %d %s", r.StatusCode, r.body)
		}
		// Delete needs the box ticked and the password.
		r = do(t, c, "POST", e.srv.URL+"/profiili/poista", url.Values{"current": {strong}})
		if r.StatusCode != 422 {
			t.Errorf("delete without confirming: %d", r.StatusCode)
		}
		r = do(t, c, "POST", e.srv.URL+"/profiili/poista", url.Values{"current": {strong}, "confirm": {"yes"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", r.StatusCode)
		}
		if r := do(t, c, "POST", e.srv.URL+"/kirjaudu", url.Values{"email": {"matti@example.fi"}, "password": {strong}}); r.StatusCode != 401 {
			t.Errorf("sign in after delete: %d", r.StatusCode)
		}
	})
}

func TestLanguageChoice(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	c := e.client(t)
	r := do(t, c, "GET", e.srv.URL+"/kirjaudu", nil, "Accept-Language", "sv-FI,sv;q=0.9")
	if !strings.Contains(r.body, `lang="sv"`) || !strings.Contains(r.body, "Logga in") {
		t.Error("Accept-Language sv not honoured")
	}
	do(t, c, "POST", e.srv.URL+"/kieli", url.Values{"lang": {"en"}, "next": {"/kirjaudu"}})
	r = do(t, c, "GET", e.srv.URL+"/kirjaudu", nil, "Accept-Language", "sv-FI,sv;q=0.9")
	if !strings.Contains(r.body, `lang="en"`) || !strings.Contains(r.body, "Sign in") {
		t.Error("the chosen language does not beat Accept-Language")
	}
	if r := do(t, c, "POST", e.srv.URL+"/kieli", url.Values{"lang": {"de"}}); r.StatusCode != 404 {
		t.Errorf("unknown language: %d", r.StatusCode)
	}
	// Chosen while signed in, the language follows the account to a new
	// device (one without the language cookie).
	e.signIn(t, c, "matti@example.fi")
	do(t, c, "POST", e.srv.URL+"/kieli", url.Values{"lang": {"sv"}, "next": {"/profiili"}})
	other := e.client(t)
	e.signIn(t, other, "matti@example.fi")
	r = do(t, other, "GET", e.srv.URL+"/profiili", nil, "Accept-Language", "en")
	if !strings.Contains(r.body, `lang="sv"`) {
		t.Error("the account's language does not follow to another device")
	}
}

// TestErrorFieldsOrder: the summary lists the fields the form declares in
// their order, then the others in the order their errors came, and a field
// set without fail comes last instead of being lost.
func TestErrorFieldsOrder(t *testing.T) {
	f := newForm("email", "password", "payer1code")
	for _, k := range []string{"zz_new", "payer1code", "password", "email", "aa_new"} {
		f.fail(k, "error.required")
	}
	f.Errors["mm_direct"] = "error.required"
	f.Errors["reply"] = ""
	got := f.ErrorFields()
	want := []string{"email", "password", "payer1code", "zz_new", "aa_new", "mm_direct"}
	if !slices.Equal(got, want) {
		t.Errorf("ErrorFields() = %v, want %v", got, want)
	}
}
