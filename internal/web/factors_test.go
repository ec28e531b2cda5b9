package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// factorsOrigin is the portal's address in the passkey tests: a passkey's
// relying party is a host name, not an IP address.
const factorsOrigin = "http://localhost"

// passwordOnly signs c in with the password alone (no second factor).
func (e *env) passwordOnly(t *testing.T, email string) *http.Client {
	t.Helper()
	c := e.client(t)
	if r := do(t, c, "POST", e.srv.URL+"/kirjaudu", url.Values{"email": {email}, "password": {password}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", email, r.StatusCode)
	}
	return c
}

// enrolTOTP sets up an authenticator app at the enrolment page and returns
// its secret; c has given its second factor after it.
func (e *env) enrolTOTP(t *testing.T, c *http.Client) []byte {
	t.Helper()
	r := do(t, c, "POST", e.srv.URL+"/kaksivaihe/sovellus", url.Values{})
	m := secretText.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no secret shown: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	secret, err := portal.ParseTOTPSecret(m[1])
	if err != nil {
		t.Fatal(err)
	}
	code := portal.TOTPCode(secret, portal.TOTPStep(e.db.Now()))
	if r := do(t, c, "POST", e.srv.URL+"/kaksivaihe/sovellus/vahvista", url.Values{"code": {code}}); r.StatusCode != 200 {
		t.Fatalf("first code: %d", r.StatusCode)
	}
	return secret
}

// fullySignedIn reports whether c may open a staff member's pages.
func (e *env) fullySignedIn(t *testing.T, c *http.Client) bool {
	t.Helper()
	return do(t, c, "GET", e.srv.URL+"/tuottaja", nil).StatusCode == http.StatusOK
}

// mailed counts the mails of a kind to an address with the given factor.
func (m *mailbox) mailed(kind, to, factor string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, q := range m.sent {
		if q.kind == kind && q.to == to && q.data["factor"] == factor {
			n++
		}
	}
	return n
}

// TestSecondFactorCannotBeSkipped is the attack of a person who knows a
// staff member's password only: with it they may not register a passkey
// (which would count as the second factor) on an account that has an
// authenticator app, nor set up an authenticator app on an account that
// has a passkey. The first enrolment of an account without any factor
// still works, and is mailed.
func TestSecondFactorCannotBeSkipped(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, factorsOrigin)
		// sari sets up an authenticator app; the attacker, with her
		// password, tries to add a passkey of their own.
		e.enrolTOTP(t, e.passwordOnly(t, "sari@kotikulma.example"))
		attacker := e.passwordOnly(t, "sari@kotikulma.example")
		got := e.addPasskey(t, attacker, newSoftKey(t, factorsOrigin))
		if got.status == http.StatusOK || len(got.Codes) > 0 || e.fullySignedIn(t, attacker) {
			t.Errorf("a passkey added with the password only: %d, %d recovery codes, signed in: %v",
				got.status, len(got.Codes), e.fullySignedIn(t, attacker))
		}
		// bertta's first factor is a passkey (allowed: she has none yet).
		bertta := e.passwordOnly(t, "bertta@toinen.example")
		if got := e.addPasskey(t, bertta, newSoftKey(t, factorsOrigin)); got.status != http.StatusOK || len(got.Codes) != 10 {
			t.Fatalf("first passkey: %d %q, %d codes\n%s", got.status, got.Error, len(got.Codes), e.log.String())
		}
		if !e.fullySignedIn(t, bertta) {
			t.Error("the first passkey did not count as the second factor")
		}
		if n := e.mails.mailed("factor_added_notice", "bertta@toinen.example", "passkey"); n != 1 {
			t.Errorf("passkey-added mails: %d, want 1", n)
		}
		// The attacker with bertta's password tries an authenticator app.
		attacker = e.passwordOnly(t, "bertta@toinen.example")
		r := do(t, attacker, "POST", e.srv.URL+"/kaksivaihe/sovellus", url.Values{})
		if m := secretText.FindStringSubmatch(r.body); m != nil {
			secret, _ := portal.ParseTOTPSecret(m[1])
			do(t, attacker, "POST", e.srv.URL+"/kaksivaihe/sovellus/vahvista",
				url.Values{"code": {portal.TOTPCode(secret, portal.TOTPStep(e.db.Now()))}})
		}
		if e.fullySignedIn(t, attacker) {
			t.Error("an authenticator app set up with the password only opened the staff pages")
		}
		if n := e.mails.mailed("factor_added_notice", "bertta@toinen.example", "authenticator"); n != 0 {
			t.Errorf("authenticator-added mails: %d, want 0", n)
		}
	})
}

// TestFactorChangesNeedRecentSignIn: a fully signed-in session that
// entered its password more than 15 minutes ago may not add or remove a
// passkey or set up an authenticator app; after signing in again it may,
// and the owner is mailed each change.
func TestFactorChangesNeedRecentSignIn(t *testing.T) {
	clock := storetest.NewClock(storetest.Start())
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, factorsOrigin)
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		old := maijaPasskey(t, e)
		sari := e.passwordOnly(t, "sari@kotikulma.example")
		e.passSecondFactor(t, "sari@kotikulma.example")
		clock.Advance(16 * time.Minute)

		if got := e.addPasskey(t, maija, newSoftKey(t, factorsOrigin)); got.status == http.StatusOK || !strings.Contains(got.Error, "Kirjaudu ulos ja uudelleen") {
			t.Errorf("a passkey added 16 minutes after the sign-in: %d %q", got.status, got.Error)
		}
		r := do(t, maija, "POST", e.srv.URL+"/profiili/avainkoodit/"+strconv.FormatInt(old, 10)+"/poista", url.Values{})
		if r.Header.Get("Location") != "/profiili/kirjautuminen?ok=tunnistus" {
			t.Errorf("a passkey removed 16 minutes after the sign-in: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if r := do(t, maija, "GET", e.srv.URL+"/profiili/kirjautuminen?ok=tunnistus", nil); !strings.Contains(r.body, "Maijan puhelin") ||
			!strings.Contains(r.body, "Kirjaudu ulos ja uudelleen") {
			t.Error("the profile does not keep the passkey and say why")
		}
		r = do(t, sari, "POST", e.srv.URL+"/kaksivaihe/sovellus", url.Values{})
		if secretText.MatchString(r.body) {
			t.Errorf("an authenticator app started 16 minutes after the sign-in: %d", r.StatusCode)
		}

		// Signed in again: the same changes work and are mailed.
		maija = e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		if got := e.addPasskey(t, maija, newSoftKey(t, factorsOrigin)); got.status != http.StatusOK {
			t.Errorf("a passkey added after a fresh sign-in: %d %q", got.status, got.Error)
		}
		r = do(t, maija, "POST", e.srv.URL+"/profiili/avainkoodit/"+strconv.FormatInt(old, 10)+"/poista", url.Values{})
		if r.Header.Get("Location") != "/profiili/kirjautuminen" {
			t.Errorf("a passkey removed after a fresh sign-in: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		for _, kind := range []string{"factor_added_notice", "factor_removed_notice"} {
			if n := e.mails.mailed(kind, "maija@example.fi", "passkey"); n != 1 {
				t.Errorf("%s mails: %d, want 1", kind, n)
			}
		}
	})
}

// TestSessionPasswordChecksThrottled: the password asked again inside a
// session (change of password or email, deletion, consent with identity
// codes) counts under the sign-in throttle of the account. Of 25 wrong
// passwords in a row only the first few are checked; while blocked even
// the right one is not checked and the sign-in page from the same address
// waits too; after the wait the right password works.
func TestSessionPasswordChecksThrottled(t *testing.T) {
	clock := storetest.NewClock(storetest.Start())
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(storetest.Start())
		e := newEnv(t, db, "")
		customer := e.customerOf(t, "koti")
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		tries := []struct {
			path string
			form url.Values
		}{
			{"/profiili/salasana", url.Values{"password": {"uusi-salasana-joka-on-pitka"}}},
			{"/profiili/sahkoposti", url.Values{"email": {"maija.uusi@example.fi"}}},
			{"/profiili/poista", url.Values{"confirm": {"yes"}}},
			{"/kotitalousvahennys", url.Values{"customer": {strconv.FormatInt(customer, 10)}, "enabled": {"1"},
				"payer1name": {"Maija Virtanen"}, "payer1code": {"131052-308T"}, "payer1share": {"100"}}},
		}
		checked, throttled := 0, 0
		for i := range 25 {
			try := tries[i%len(tries)]
			f := url.Values{"current": {"väärä-salasana-" + strconv.Itoa(i)}}
			for k, v := range try.form {
				f[k] = v
			}
			r := do(t, maija, "POST", e.srv.URL+try.path, f)
			switch {
			case strings.Contains(r.body, "Salasana ei ole oikein"):
				checked++
			case strings.Contains(r.body, "Liian monta väärää salasanaa"):
				throttled++
			default:
				t.Fatalf("%s with a wrong password: %d %s", try.path, r.StatusCode, r.Header.Get("Location"))
			}
		}
		if checked > 6 || checked+throttled != 25 {
			t.Errorf("%d of 25 wrong passwords were checked, %d throttled", checked, throttled)
		}
		// Blocked: the right password is not checked either.
		r := do(t, maija, "POST", e.srv.URL+"/profiili/salasana", url.Values{"current": {password}, "password": {"uusi-salasana-joka-on-pitka"}})
		if !strings.Contains(r.body, "Liian monta väärää salasanaa") {
			t.Errorf("the right password while blocked: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		r = do(t, e.client(t), "POST", e.srv.URL+"/kirjaudu", url.Values{"email": {"maija@example.fi"}, "password": {password}})
		if r.StatusCode != http.StatusTooManyRequests {
			t.Errorf("sign-in page from the same address after 25 wrong passwords in a session: %d", r.StatusCode)
		}
		clock.Advance(time.Minute)
		r = do(t, maija, "POST", e.srv.URL+"/profiili/salasana", url.Values{"current": {password}, "password": {"uusi-salasana-joka-on-pitka"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Errorf("the right password after the wait: %d", r.StatusCode)
		}
	})
}

// TestPasswordResetSuspendsPasskeys: a password reset ends every session,
// and a passkey no longer signs in alone (an attacker's passkey, added
// while they had a session, stops working) until its owner has signed in
// with the new password and used it once; after that it signs in alone
// again.
func TestPasswordResetSuspendsPasskeys(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, factorsOrigin)
		const newPassword = "Kolme-Vihreää-Sammakkoa-92"
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		key := newSoftKey(t, factorsOrigin)
		if got := e.addPasskey(t, maija, key); got.status != http.StatusOK {
			t.Fatalf("add passkey: %d %q", got.status, got.Error)
		}
		signedIn := func(c *http.Client) bool {
			return do(t, c, "GET", e.srv.URL+"/kohteet", nil).StatusCode == http.StatusOK
		}
		if other := e.client(t); e.passkeySignIn(t, other, key).status != http.StatusOK || !signedIn(other) {
			t.Fatal("passkey sign-in before the reset")
		}

		resetter := e.client(t)
		do(t, resetter, "POST", e.srv.URL+"/unohtunut-salasana", url.Values{"email": {"maija@example.fi"}})
		code := e.mails.code(t, "reset_code", "maija@example.fi")
		if r := do(t, resetter, "POST", e.srv.URL+"/unohtunut-salasana/koodi", url.Values{"code": {code}, "password": {newPassword}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset: %d", r.StatusCode)
		}
		if signedIn(maija) {
			t.Error("a session from before the reset still works")
		}
		// The passkey alone no longer signs in.
		alone := e.client(t)
		if got := e.passkeySignIn(t, alone, key); got.status == http.StatusOK || signedIn(alone) {
			t.Errorf("passkey alone after the reset: %d, signed in %v", got.status, signedIn(alone))
		}
		// The owner signs in with the new password and uses the passkey:
		// it is confirmed and signs in alone again.
		if r := do(t, alone, "POST", e.srv.URL+"/kirjaudu", url.Values{"email": {"maija@example.fi"}, "password": {newPassword}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in with the new password: %d", r.StatusCode)
		}
		if r := do(t, alone, "GET", e.srv.URL+"/profiili/kirjautuminen", nil); !strings.Contains(r.body, "Vahvista pääsyavain") {
			t.Error("the profile does not offer to confirm the passkey")
		}
		if got := e.passkeySignIn(t, alone, key); got.status != http.StatusOK || !signedIn(alone) {
			t.Errorf("passkey after the new password: %d %q", got.status, got.Error)
		}
		if again := e.client(t); e.passkeySignIn(t, again, key).status != http.StatusOK || !signedIn(again) {
			t.Error("a confirmed passkey does not sign in alone")
		}
	})
}
