package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// maijaPasskey stores a passkey of maija's, for the isolation harness.
func maijaPasskey(t *testing.T, e *env) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		acc, err := tx.VerifiedAccountByEmail(ctx, "maija@example.fi")
		if err != nil {
			return err
		}
		id, err = tx.AddPasskey(ctx, portal.Passkey{AccountID: acc.ID, CredentialID: []byte("maija-key"), Name: "Maijan puhelin", Data: "{}"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var secretText = regexp.MustCompile(`<code class="secret">([A-Z2-7 ]+)</code>`)
var recoveryCode = regexp.MustCompile(`<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>`)

// TestSecondFactor walks the staff member's steps: after the password only
// the second-factor pages open; the first time she sets up an
// authenticator app and gets recovery codes; the next time a wrong code is
// refused, a recovery code works once. A customer needs none.
func TestSecondFactor(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		signInPassword := func(email string) *http.Client {
			c := e.client(t)
			r := do(t, c, "POST", e.srv.URL+"/kirjaudu", url.Values{"email": {email}, "password": {password}})
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign in %s: %d", email, r.StatusCode)
			}
			return c
		}
		sari := signInPassword("sari@kotikulma.example")
		for _, path := range []string{"/tuottaja", "/profiili", "/kohteet"} {
			r := do(t, sari, "GET", e.srv.URL+path, nil)
			if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/kaksivaihe?next=") {
				t.Errorf("%s before the second factor: %d %s", path, r.StatusCode, r.Header.Get("Location"))
			}
		}
		if r := do(t, sari, "GET", e.srv.URL+"/kaksivaihe", nil); r.Header.Get("Location") != "/kaksivaihe/kayttoon" {
			t.Errorf("no second factor yet: %d %s, want enrolment", r.StatusCode, r.Header.Get("Location"))
		}
		r := do(t, sari, "GET", e.srv.URL+"/kaksivaihe/kayttoon", nil)
		if r.StatusCode != 200 || !strings.Contains(r.body, "Ota todennussovellus käyttöön") {
			t.Fatalf("enrolment page: %d\n%s", r.StatusCode, r.body)
		}
		r = do(t, sari, "POST", e.srv.URL+"/kaksivaihe/sovellus", url.Values{"next": {"/tuottaja"}})
		m := secretText.FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("no secret shown:\n%s", r.body)
		}
		secret, err := portal.ParseTOTPSecret(m[1])
		if err != nil {
			t.Fatal(err)
		}
		// A wrong code keeps the same secret on the page.
		r = do(t, sari, "POST", e.srv.URL+"/kaksivaihe/sovellus/vahvista", url.Values{"code": {"000000"}, "next": {"/tuottaja"}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, m[1]) || !strings.Contains(r.body, "Koodi ei kelpaa") {
			t.Errorf("wrong first code: %d", r.StatusCode)
		}
		code := portal.TOTPCode(secret, portal.TOTPStep(e.db.Now()))
		r = do(t, sari, "POST", e.srv.URL+"/kaksivaihe/sovellus/vahvista", url.Values{"code": {code}, "next": {"/tuottaja"}})
		codes := recoveryCode.FindAllStringSubmatch(r.body, -1)
		if r.StatusCode != 200 || len(codes) != 10 || !strings.Contains(r.body, `href="/tuottaja"`) {
			t.Fatalf("after the first code %s: %d, %d recovery codes\n%s", code, r.StatusCode, len(codes), r.body[strings.Index(r.body, "<main"):])
		}
		if r := do(t, sari, "GET", e.srv.URL+"/tuottaja", nil); r.StatusCode != 200 {
			t.Errorf("provider pages after the second factor: %d", r.StatusCode)
		}
		// Another device: the same code again is refused, a recovery code
		// works once.
		sari2 := signInPassword("sari@kotikulma.example")
		if r := do(t, sari2, "GET", e.srv.URL+"/kaksivaihe", nil); r.StatusCode != 200 || !strings.Contains(r.body, `autocomplete="one-time-code"`) {
			t.Fatalf("second-factor page: %d", r.StatusCode)
		}
		r = do(t, sari2, "POST", e.srv.URL+"/kaksivaihe", url.Values{"code": {code}})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a used code: %d, want 422", r.StatusCode)
		}
		r = do(t, sari2, "POST", e.srv.URL+"/kaksivaihe", url.Values{"code": {strings.ToUpper(codes[0][1])}, "next": {"/tuottaja/viestit"}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/tuottaja/viestit" {
			t.Errorf("recovery code: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		sari3 := signInPassword("sari@kotikulma.example")
		if r := do(t, sari3, "POST", e.srv.URL+"/kaksivaihe", url.Values{"code": {codes[0][1]}}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a recovery code used twice: %d", r.StatusCode)
		}
		if r := do(t, sari2, "GET", e.srv.URL+"/profiili/kirjautuminen", nil); !strings.Contains(r.body, "9 käyttämätöntä varakoodia") ||
			!strings.Contains(r.body, "Todennussovellus on käytössä") {
			t.Errorf("profile's sign-in section:\n%s", r.body)
		}
		// An admin without a second factor is sent to set one up.
		e.addAdmin(t)
		admin := signInPassword(adminEmail)
		if r := do(t, admin, "GET", e.srv.URL+"/yllapito", nil); !strings.HasPrefix(r.Header.Get("Location"), "/kaksivaihe?next=%2Fyllapito") {
			t.Errorf("admin before the second factor: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if r := do(t, admin, "GET", e.srv.URL+"/kaksivaihe", nil); r.Header.Get("Location") != "/kaksivaihe/kayttoon" {
			t.Errorf("admin without a second factor: %d %s, want enrolment", r.StatusCode, r.Header.Get("Location"))
		}
		// A customer's password is enough.
		maija := signInPassword("maija@example.fi")
		if r := do(t, maija, "GET", e.srv.URL+"/kohteet", nil); r.StatusCode != 200 {
			t.Errorf("customer: %d", r.StatusCode)
		}
	})
}
