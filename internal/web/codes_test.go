package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// tryAgainFi is how a Finnish page names the moment a quota frees up:
// the minute at or after it, in Helsinki time.
func tryAgainFi(at time.Time) string {
	if m := at.Truncate(time.Minute); m.Before(at) {
		at = m.Add(time.Minute)
	}
	at = at.In(portal.Helsinki)
	return "Yritä uudelleen " + fiDate(at) + " klo " + fmt.Sprintf("%d.%02d", at.Hour(), at.Minute())
}

// sent counts the queued mails of a kind to an address.
func (m *mailbox) count(kind, to string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, q := range m.sent {
		if q.kind == kind && q.to == to {
			n++
		}
	}
	return n
}

// TestSignUpCodeQuotaPerAddress: every POST /luo-tili starts a new pending
// claim, yet an address gets at most 5 codes an hour and 20 a day, then a
// "try again at" answer; an address with an account is throttled alike
// (byte-identical answers), and its owner gets the "you already have an
// account" notice at most once an hour.
func TestSignUpCodeQuotaPerAddress(t *testing.T) {
	clock := storetest.SuiteClock()
	t0 := clock.Now()
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		e := newEnv(t, db, "")
		signUp := func(email string) resp {
			return do(t, e.client(t), "POST", e.srv.URL+"/luo-tili", url.Values{"email": {email}, "password": {strong}})
		}
		// Four hours of five sign-ups each: all pass, one code each.
		for h := range 4 {
			clock.Set(t0.Add(time.Duration(h) * (time.Hour + time.Minute)))
			for i := range 5 {
				for _, email := range []string{"uusi@example.fi", "matti@example.fi"} {
					if r := signUp(email); r.StatusCode != http.StatusSeeOther {
						t.Fatalf("hour %d sign-up %d of %s: %d", h, i+1, email, r.StatusCode)
					}
				}
			}
			if h == 0 {
				// The sixth within the hour is refused with the moment to
				// try again, for either address, in the same words.
				unknown, known := signUp("UUSI@example.fi"), signUp("matti@example.fi")
				if unknown.StatusCode != http.StatusTooManyRequests || !strings.Contains(unknown.body, tryAgainFi(t0.Add(time.Hour))) ||
					!strings.Contains(unknown.body, `value="UUSI@example.fi"`) {
					t.Fatalf("6th sign-up in an hour: %d, want 429 with %q\n%s", unknown.StatusCode, tryAgainFi(t0.Add(time.Hour)), unknown.body)
				}
				blank := func(r resp, email string) string { return strings.ReplaceAll(comparable(r), email, "X") }
				if blank(known, "matti@example.fi") != blank(unknown, "UUSI@example.fi") {
					t.Errorf("throttled answers differ for known and unknown address:\n%s\n---\n%s", comparable(known), comparable(unknown))
				}
				if n := e.mails.count("signup_exists", "matti@example.fi"); n != 1 {
					t.Errorf("account notices in an hour: %d, want 1", n)
				}
			}
		}
		if n := e.mails.count("signup_code", "uusi@example.fi"); n != 20 {
			t.Errorf("codes in four hours: %d, want 20", n)
		}
		// The 21st of the day is refused until a day after the first.
		clock.Set(t0.Add(5 * time.Hour))
		if r := signUp("uusi@example.fi"); r.StatusCode != http.StatusTooManyRequests || !strings.Contains(r.body, tryAgainFi(t0.Add(24*time.Hour))) {
			t.Fatalf("21st sign-up in a day: %d, want 429 with %q", r.StatusCode, tryAgainFi(t0.Add(24*time.Hour)))
		}
		if n := e.mails.count("signup_code", "uusi@example.fi"); n != 20 {
			t.Errorf("codes in a day: %d, want 20", n)
		}
		clock.Set(t0.Add(24*time.Hour + time.Minute))
		if r := signUp("uusi@example.fi"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("sign-up the next day: %d", r.StatusCode)
		}
	})
}

// TestSignUpCodeGuessesPerAddress: wrong codes count against the address
// across pending claims: after 20 wrong tries in a day even the right code
// of a fresh claim is refused with the moment to try again.
func TestSignUpCodeGuessesPerAddress(t *testing.T) {
	clock := storetest.SuiteClock()
	t0 := clock.Now()
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		e := newEnv(t, db, "")
		const addr = "uusi@example.fi"
		claim := func() (*http.Client, string) {
			c := e.client(t)
			if r := do(t, c, "POST", e.srv.URL+"/luo-tili", url.Values{"email": {addr}, "password": {strong}}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign-up: %d", r.StatusCode)
			}
			return c, e.mails.code(t, "signup_code", addr)
		}
		for i := range 4 {
			c, code := claim()
			for j := range 5 {
				wrong := fmt.Sprintf("%06d", (i*5+j+1)*7919)
				if wrong == code {
					wrong = "999999"
				}
				if r := do(t, c, "POST", e.srv.URL+"/vahvista", url.Values{"code": {wrong}}); r.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("claim %d, wrong code %d: %d", i+1, j+1, r.StatusCode)
				}
			}
		}
		c, code := claim()
		r := do(t, c, "POST", e.srv.URL+"/vahvista", url.Values{"code": {code}})
		if r.StatusCode != http.StatusTooManyRequests || !strings.Contains(r.body, tryAgainFi(t0.Add(24*time.Hour))) ||
			!strings.Contains(r.body, `value="`+code+`"`) {
			t.Fatalf("right code after 20 wrong ones: %d, want 429 with %q", r.StatusCode, tryAgainFi(t0.Add(24*time.Hour)))
		}
		// A day later a new code works.
		clock.Set(t0.Add(24*time.Hour + time.Minute))
		if r := do(t, c, "POST", e.srv.URL+"/vahvista/uusi-koodi", url.Values{}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("resend: %d", r.StatusCode)
		}
		if r := do(t, c, "POST", e.srv.URL+"/vahvista", url.Values{"code": {e.mails.code(t, "signup_code", addr)}}); r.StatusCode != http.StatusSeeOther {
			t.Errorf("right code the next day: %d", r.StatusCode)
		}
	})
}

// TestForgotPasswordQuotaPerAddress: reset codes share the address quota,
// wrong reset codes count against the address, and a known and an unknown
// address are throttled alike.
func TestForgotPasswordQuotaPerAddress(t *testing.T) {
	clock := storetest.SuiteClock()
	t0 := clock.Now()
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		e := newEnv(t, db, "")
		forgot := func(c *http.Client, email string) resp {
			return do(t, c, "POST", e.srv.URL+"/unohtunut-salasana", url.Values{"email": {email}})
		}
		clients := map[string]*http.Client{}
		for range 5 {
			for _, email := range []string{"matti@example.fi", "tuntematon@example.fi"} {
				clients[email] = e.client(t)
				if r := forgot(clients[email], email); r.StatusCode != http.StatusSeeOther {
					t.Fatalf("forgot %s: %d", email, r.StatusCode)
				}
			}
		}
		known, unknown := forgot(e.client(t), "matti@example.fi"), forgot(e.client(t), "tuntematon@example.fi")
		if known.StatusCode != http.StatusTooManyRequests || !strings.Contains(known.body, tryAgainFi(t0.Add(time.Hour))) {
			t.Fatalf("6th reset code in an hour: %d, want 429", known.StatusCode)
		}
		blank := func(r resp, email string) string { return strings.ReplaceAll(comparable(r), email, "X") }
		if blank(known, "matti@example.fi") != blank(unknown, "tuntematon@example.fi") {
			t.Errorf("throttled answers differ:\n%s\n---\n%s", comparable(known), comparable(unknown))
		}
		if n := e.mails.count("reset_code", "matti@example.fi"); n != 5 {
			t.Errorf("reset codes: %d, want 5", n)
		}
		// Wrong reset codes count against the address typed, known or not:
		// after 20 even the right one is refused, in the same words.
		code := e.mails.code(t, "reset_code", "matti@example.fi")
		last := map[string]resp{}
		for _, email := range []string{"matti@example.fi", "tuntematon@example.fi"} {
			for i := range 21 {
				try := fmt.Sprintf("%06d", (i+1)*7919)
				if try == code {
					try = "999999"
				}
				if i == 20 {
					try = code
				}
				r := do(t, clients[email], "POST", e.srv.URL+"/unohtunut-salasana/koodi", url.Values{"code": {try}, "password": {strong}})
				if want := http.StatusUnprocessableEntity; i < 20 && r.StatusCode != want {
					t.Fatalf("%s wrong code %d: %d", email, i+1, r.StatusCode)
				}
				last[email] = r
			}
		}
		if r := last["matti@example.fi"]; r.StatusCode != http.StatusTooManyRequests || !strings.Contains(r.body, tryAgainFi(t0.Add(24*time.Hour))) {
			t.Fatalf("right reset code after 20 wrong ones: %d, want 429", r.StatusCode)
		}
		known, unknown = last["matti@example.fi"], last["tuntematon@example.fi"]
		if blank(known, "matti@example.fi") != blank(unknown, "tuntematon@example.fi") {
			t.Errorf("throttled reset answers differ:\n%s\n---\n%s", comparable(known), comparable(unknown))
		}
	})
}

// TestEmailChangeCodeQuota: codes to a new address are limited by that
// address, and wrong codes count against it.
func TestEmailChangeCodeQuota(t *testing.T) {
	clock := storetest.SuiteClock()
	t0 := clock.Now()
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		e := newEnv(t, db, "")
		const addr = "uusi.osoite@example.fi"
		c := e.client(t)
		e.signIn(t, c, "matti@example.fi")
		request := func() resp {
			return do(t, c, "POST", e.srv.URL+"/profiili/sahkoposti", url.Values{"email": {addr}, "current": {password}})
		}
		for i := range 4 {
			if r := request(); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("email change %d: %d", i+1, r.StatusCode)
			}
			code := e.mails.code(t, "email_change_code", addr)
			for j := range 5 {
				wrong := fmt.Sprintf("%06d", (i*5+j+1)*7919)
				if wrong == code {
					wrong = "999999"
				}
				if r := do(t, c, "POST", e.srv.URL+"/profiili/sahkoposti/vahvista", url.Values{"code": {wrong}}); r.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("wrong code: %d", r.StatusCode)
				}
			}
		}
		if r := request(); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("5th email change: %d", r.StatusCode)
		}
		code := e.mails.code(t, "email_change_code", addr)
		r := do(t, c, "POST", e.srv.URL+"/profiili/sahkoposti/vahvista", url.Values{"code": {code}})
		if r.StatusCode != http.StatusTooManyRequests || !strings.Contains(r.body, tryAgainFi(t0.Add(24*time.Hour))) {
			t.Fatalf("right code after 20 wrong ones: %d, want 429 with %q", r.StatusCode, tryAgainFi(t0.Add(24*time.Hour)))
		}
		r = request()
		if r.StatusCode != http.StatusTooManyRequests || !strings.Contains(r.body, tryAgainFi(t0.Add(time.Hour))) ||
			!strings.Contains(r.body, `value="`+addr+`"`) {
			t.Fatalf("6th email change code in an hour: %d, want 429 with %q", r.StatusCode, tryAgainFi(t0.Add(time.Hour)))
		}
		if n := e.mails.count("email_change_code", addr); n != 5 {
			t.Errorf("codes: %d, want 5", n)
		}
	})
}

// TestStaffInviteQuota: invitations to one address count in its quota.
func TestStaffInviteQuota(t *testing.T) {
	clock := storetest.SuiteClock()
	t0 := clock.Now()
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		e := newEnv(t, db, "")
		boss := e.addAdmin(t)
		page := fmt.Sprintf("%s/yllapito/tuottajat/%d/henkilosto", e.srv.URL, e.providerID(t, "Kotikulma Oy"))
		const addr = "kutsuttu@example.fi"
		for i := range 5 {
			if r := do(t, boss, "POST", page, url.Values{"email": {addr}, "name": {"Kaisa"}}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("invitation %d: %d", i+1, r.StatusCode)
			}
		}
		r := do(t, boss, "POST", page, url.Values{"email": {addr}, "name": {"Kaisa"}})
		if r.StatusCode != http.StatusTooManyRequests || !strings.Contains(r.body, tryAgainFi(t0.Add(time.Hour))) ||
			!strings.Contains(r.body, `value="Kaisa"`) {
			t.Fatalf("6th invitation in an hour: %d, want 429 with %q", r.StatusCode, tryAgainFi(t0.Add(time.Hour)))
		}
		if n := e.mails.count("staff_invite", addr); n != 5 {
			t.Errorf("invitations: %d, want 5", n)
		}
	})
}
