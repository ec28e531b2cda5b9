package app

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// sentMail is one mail a use case put into the outbox.
type sentMail struct {
	kind, lang, to string
	data           map[string]string
}

// recMailer records mails instead of queueing them; the outbox itself is
// tested in package jobs.
type recMailer struct {
	mu   sync.Mutex
	sent []sentMail
}

func (m *recMailer) Enqueue(_ context.Context, _ *store.Tx, kind, lang, to string, data map[string]string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, sentMail{kind, lang, to, data})
	return nil
}

func (m *recMailer) last(t *testing.T, kind, to string) sentMail {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.sent) - 1; i >= 0; i-- {
		if m.sent[i].kind == kind && m.sent[i].to == to {
			return m.sent[i]
		}
	}
	t.Fatalf("no %s mail to %s in %v", kind, to, m.sent)
	return sentMail{}
}

func (m *recMailer) count(kind string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, s := range m.sent {
		if s.kind == kind {
			n++
		}
	}
	return n
}

const newPassword = "uusi-vahva-salasana-42"

var client = Client{IP: "198.51.100.7", UserAgent: "test", Lang: "fi"}

// accountsWorld is the access-rule world with a mail recorder and records
// for uusi@example.fi, who has no account yet.
func accountsWorld(t *testing.T, db *store.DB, clock *storetest.Clock) (*world, *recMailer, int64) {
	t.Helper()
	clock.Set(t0)
	w := newWorld(t, db, clock)
	m := &recMailer{}
	w.app.mailer = m
	var site int64
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		ctx := context.Background()
		cid, err := tx.UpsertCustomer(ctx, portal.Customer{Source: "t", ExternalID: "uusi", Name: "Uusi", Email: "Uusi@Example.fi"})
		if err != nil {
			return err
		}
		site, err = tx.UpsertSite(ctx, portal.Site{CustomerID: cid, ProviderID: w.providers["A"], Source: "t", ExternalID: "uusi", Street: "Uusikatu 1"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return w, m, site
}

var sixDigits = regexp.MustCompile(`^\d{6}$`)

func TestSignUpVerifyLinksRecords(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, m, site := accountsWorld(t, db, clock)
		tok, err := w.app.SignUp(ctx, " uusi@example.FI ", newPassword, client)
		if err != nil {
			t.Fatal(err)
		}
		v, err := w.app.Authenticate(ctx, tok)
		if err != nil || v.Verified {
			t.Fatalf("pending viewer %+v, %v", v, err)
		}
		if sums, _ := w.app.Overview(ctx, v); len(sums) != 0 {
			t.Fatal("an unverified sign-up sees customer data")
		}
		mail := m.last(t, "signup_code", "uusi@example.FI")
		code := mail.data["code"]
		if !sixDigits.MatchString(code) {
			t.Fatalf("code %q", code)
		}
		if _, err := w.app.VerifySignup(ctx, v, "000000", Client{}); !errors.Is(err, ErrCodeInvalid) && code != "000000" {
			t.Errorf("wrong code: %v", err)
		}
		spaced := code[:3] + " " + code[3:]
		tok2, err := w.app.VerifySignup(ctx, v, spaced, Client{})
		if err != nil {
			t.Fatalf("verify with %q: %v", spaced, err)
		}
		if _, err := w.app.Authenticate(ctx, tok); !errors.Is(err, portal.ErrUnauthenticated) {
			t.Error("the pre-verification token still works; the session must get a new one")
		}
		v2, err := w.app.Authenticate(ctx, tok2)
		if err != nil || !v2.Verified {
			t.Fatalf("verified viewer %+v %v", v2, err)
		}
		sums, err := w.app.Overview(ctx, v2)
		if err != nil || len(sums) != 1 || sums[0].Site.ID != site {
			t.Errorf("after verification sees %v, want site %d", siteIDs(sums), site)
		}
		// The code is single-use.
		if _, err := w.app.VerifySignup(ctx, v, code, Client{}); !errors.Is(err, ErrCodeInvalid) {
			t.Errorf("reused code: %v", err)
		}
		// Records that arrive later with the same address link on arrival.
		db.Write(ctx, func(tx *store.Tx) error {
			cid, _ := tx.UpsertCustomer(ctx, portal.Customer{Source: "erp", ExternalID: "later", Name: "Later", Email: "UUSI@example.fi"})
			_, err := tx.UpsertSite(ctx, portal.Site{CustomerID: cid, ProviderID: w.providers["B"], Source: "erp", ExternalID: "later", Street: "Myöhemmin 2"})
			return err
		})
		if sums, _ := w.app.Overview(ctx, v2); len(sums) != 2 {
			t.Errorf("a record that arrived later is not linked: %d sites", len(sums))
		}
	})
}

func TestSignUpBadInput(t *testing.T) {
	clock := storetest.NewClock(t0)
	db := storetest.Open(t, store.SQLite, clock.Now)
	w, m, _ := accountsWorld(t, db, clock)
	cases := []struct {
		email, pw, field, key string
	}{
		{"", newPassword, "email", "error.email.empty"},
		{"ei-osoite", newPassword, "email", "error.email.invalid"},
		{"uusi@example.fi", "lyhyt", "password", "error.password.short"},
		{"uusi@example.fi", "salasana1234", "password", "error.password.guessable"},
	}
	for _, c := range cases {
		_, err := w.app.SignUp(context.Background(), c.email, c.pw, client)
		var bad InvalidInput
		if !errors.As(err, &bad) || bad.Field(c.field) != c.key {
			t.Errorf("SignUp(%q, %q) = %v, want %s=%s", c.email, c.pw, err, c.field, c.key)
		}
	}
	var n int64
	db.Read(context.Background(), func(tx *store.Tx) (err error) { n, err = tx.Count(context.Background(), "accounts"); return err })
	if n != 5 || len(m.sent) != 0 {
		t.Errorf("bad input wrote %d accounts (want the 5 of the world), %d mails", n, len(m.sent))
	}
}

// TestSignUpExistingAddress: the owner is told, no code is made, the claim
// cannot be verified, and the work done is the same as for a new address.
func TestSignUpExistingAddress(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, m, _ := accountsWorld(t, db, clock)
		w.hashes.Store(0)
		tok, err := w.app.SignUp(ctx, "MATTI@example.fi", newPassword, client)
		if err != nil || tok == "" {
			t.Fatal(err)
		}
		known := w.hashes.Swap(0)
		if _, err := w.app.SignUp(ctx, "nobody@example.fi", newPassword, client); err != nil {
			t.Fatal(err)
		}
		if unknown := w.hashes.Load(); known != unknown {
			t.Errorf("hashes: existing address %d, new address %d", known, unknown)
		}
		notice := m.last(t, "signup_exists", "matti@example.fi")
		if notice.data["code"] != "" {
			t.Error("the notice carries a code")
		}
		if m.count("signup_code") != 1 {
			t.Errorf("signup codes sent: %d, want 1 (only to the new address)", m.count("signup_code"))
		}
		v, _ := w.app.Authenticate(ctx, tok)
		for _, guess := range []string{"000000", "123456", "999999"} {
			if _, err := w.app.VerifySignup(ctx, v, guess, Client{}); !errors.Is(err, ErrCodeInvalid) {
				t.Errorf("claim on a taken address verified with %s: %v", guess, err)
			}
		}
		if err := w.app.ResendSignupCode(ctx, v, client); err != nil || m.count("signup_code") != 1 {
			t.Errorf("resend for a taken address sent a code: %v", err)
		}
	})
}

// TestAttackerSignsUpFirst: an attacker's earlier claim on the victim's
// address dies when the victim verifies — password and sessions.
func TestAttackerSignsUpFirst(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, m, site := accountsWorld(t, db, clock)
		attacker, err := w.app.SignUp(ctx, "uusi@example.fi", "Hyökkääjä tuli ensin 77", Client{IP: "203.0.113.66"})
		if err != nil {
			t.Fatal(err)
		}
		victim, _ := w.app.SignUp(ctx, "uusi@example.fi", newPassword, client)
		vv, _ := w.app.Authenticate(ctx, victim)
		code := m.last(t, "signup_code", "uusi@example.fi").data["code"]
		tok, err := w.app.VerifySignup(ctx, vv, code, Client{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.Authenticate(ctx, attacker); !errors.Is(err, portal.ErrUnauthenticated) {
			t.Errorf("attacker's session survived: %v", err)
		}
		if _, _, err := w.app.SignIn(ctx, "uusi@example.fi", "Hyökkääjä tuli ensin 77", Client{IP: "203.0.113.66"}); err == nil {
			t.Error("attacker's password works")
		}
		v, _ := w.app.Authenticate(ctx, tok)
		if sums, _ := w.app.Overview(ctx, v); len(sums) != 1 || sums[0].Site.ID != site {
			t.Error("victim does not see the records")
		}
		var pending int64
		db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryInt(ctx, `SELECT count(*) FROM accounts WHERE email_norm = 'uusi@example.fi'`, &pending)
		})
		if pending != 1 {
			t.Errorf("%d accounts on the address, want 1", pending)
		}
	})
}

func TestCodeRules(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, m, _ := accountsWorld(t, db, clock)
		tok, _ := w.app.SignUp(ctx, "uusi@example.fi", newPassword, client)
		v, _ := w.app.Authenticate(ctx, tok)
		code := m.last(t, "signup_code", "uusi@example.fi").data["code"]
		// Expired after ten minutes.
		clock.Advance(CodeLifetime + time.Second)
		if _, err := w.app.VerifySignup(ctx, v, code, Client{}); !errors.Is(err, ErrCodeInvalid) {
			t.Errorf("expired code: %v", err)
		}
		// A new code; five wrong tries kill it, even the right one then fails.
		w.app.ResendSignupCode(ctx, v, client)
		code = m.last(t, "signup_code", "uusi@example.fi").data["code"]
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for range CodeMaxTries {
			w.app.VerifySignup(ctx, v, wrong, Client{})
		}
		if _, err := w.app.VerifySignup(ctx, v, code, Client{}); !errors.Is(err, ErrCodeInvalid) {
			t.Errorf("code after %d wrong tries: %v", CodeMaxTries, err)
		}
		// A code of another purpose does not verify a sign-up.
		w.app.RequestReset(ctx, "matti@example.fi", client)
		resetCode := m.last(t, "reset_code", "matti@example.fi").data["code"]
		if _, err := w.app.VerifySignup(ctx, v, resetCode, Client{}); !errors.Is(err, ErrCodeInvalid) {
			t.Errorf("reset code verified a sign-up: %v", err)
		}
		// Only the newest code works.
		w.app.ResendSignupCode(ctx, v, client)
		old := m.last(t, "signup_code", "uusi@example.fi").data["code"]
		w.app.ResendSignupCode(ctx, v, client)
		newest := m.last(t, "signup_code", "uusi@example.fi").data["code"]
		if old != newest {
			if _, err := w.app.VerifySignup(ctx, v, old, Client{}); !errors.Is(err, ErrCodeInvalid) {
				t.Errorf("an older code still works: %v", err)
			}
		}
		if _, err := w.app.VerifySignup(ctx, v, newest, Client{}); err != nil {
			t.Errorf("newest code: %v", err)
		}
	})
}

// TestCodeQuota: codes are counted by the address they go to, from any
// place (SECURITY.md, codes by address): 5 an hour, 20 a day, then
// *ThrottledError with the wait; a scripted sweep sends at most the quota.
func TestCodeQuota(t *testing.T) {
	clock := storetest.NewClock(t0)
	db := storetest.Open(t, store.SQLite, clock.Now)
	w, m, _ := accountsWorld(t, db, clock)
	ctx := context.Background()
	for i := range 10 {
		err := w.app.RequestReset(ctx, "matti@example.fi", Client{IP: "203.0.113." + strconv.Itoa(i)})
		if th, ok := IsThrottled(err); i >= codeMailsPerAddressHour && (!ok || th.RetryAfter != time.Hour) {
			t.Errorf("request %d: %v, want a wait of an hour", i+1, err)
		}
	}
	if n := m.count("reset_code"); n != codeMailsPerAddressHour {
		t.Errorf("in an hour: %d codes, want %d", n, codeMailsPerAddressHour)
	}
	for h := 1; h < 6; h++ {
		clock.Set(t0.Add(time.Duration(h) * (time.Hour + time.Minute)))
		for range 10 {
			w.app.RequestReset(ctx, "matti@example.fi", Client{IP: "203.0.113.9"})
		}
	}
	if n := m.count("reset_code"); n != codeMailsPerAddressDay {
		t.Errorf("in a day: %d codes, want %d", n, codeMailsPerAddressDay)
	}
	clock.Set(t0.Add(codeDay))
	if err := w.app.RequestReset(ctx, "matti@example.fi", Client{IP: "203.0.113.9"}); err != nil || m.count("reset_code") != codeMailsPerAddressDay+1 {
		t.Errorf("the next day: %v, %d codes", err, m.count("reset_code"))
	}
}

func TestPasswordReset(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, m, _ := accountsWorld(t, db, clock)
		other, _, err := w.app.SignIn(ctx, "matti@example.fi", "oikea-salasana-123", Client{IP: "198.51.100.3"})
		if err != nil {
			t.Fatal(err)
		}
		w.hashes.Store(0)
		if err := w.app.RequestReset(ctx, "tuntematon@example.fi", client); err != nil {
			t.Fatal(err)
		}
		if err := w.app.RequestReset(ctx, "Matti@Example.fi", client); err != nil {
			t.Fatal(err)
		}
		if len(m.sent) != 1 {
			t.Fatalf("mails: %v (want one, to matti only)", m.sent)
		}
		code := m.last(t, "reset_code", "matti@example.fi").data["code"]
		if _, err := w.app.ResetPassword(ctx, "tuntematon@example.fi", code, newPassword, client); !errors.Is(err, ErrCodeInvalid) {
			t.Errorf("unknown address: %v", err)
		}
		if _, err := w.app.ResetPassword(ctx, "matti@example.fi", code, "lyhyt", client); err == nil {
			t.Error("short password accepted")
		}
		tok, err := w.app.ResetPassword(ctx, "matti@example.fi", code, newPassword, client)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.Authenticate(ctx, tok); err != nil {
			t.Errorf("new session: %v", err)
		}
		if _, err := w.app.Authenticate(ctx, other); !errors.Is(err, portal.ErrUnauthenticated) {
			t.Error("other sessions survived the reset")
		}
		if _, _, err := w.app.SignIn(ctx, "matti@example.fi", "oikea-salasana-123", client); err == nil {
			t.Error("old password still works")
		}
		if _, _, err := w.app.SignIn(ctx, "matti@example.fi", newPassword, client); err != nil {
			t.Errorf("new password: %v", err)
		}
		m.last(t, "password_changed_notice", "matti@example.fi")
		if _, err := w.app.ResetPassword(ctx, "matti@example.fi", code, newPassword+"x", client); !errors.Is(err, ErrCodeInvalid) {
			t.Errorf("reset code reused: %v", err)
		}
	})
}

func TestSignInThrottle(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		// The owner signs in once on their phone: a known device.
		_, phone, err := w.app.SignIn(ctx, "matti@example.fi", "oikea-salasana-123", Client{IP: "198.51.100.20"})
		if err != nil {
			t.Fatal(err)
		}
		attacker := Client{IP: "203.0.113.5"}
		for i := range freeFailuresPerAccountIP {
			if _, _, err := w.app.SignIn(ctx, "matti@example.fi", "arvaus", attacker); !errors.Is(err, portal.ErrUnauthenticated) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		w.app.SignIn(ctx, "matti@example.fi", "arvaus", attacker)
		_, _, err = w.app.SignIn(ctx, "matti@example.fi", "oikea-salasana-123", attacker)
		th, ok := IsThrottled(err)
		if !ok || th.RetryAfter <= 0 || th.RetryAfter > time.Second {
			t.Fatalf("after %d failures: %v", freeFailuresPerAccountIP+1, err)
		}
		// The delay grows and is capped at 30 s.
		var last time.Duration
		for range 12 {
			clock.Advance(maxDelay)
			w.app.SignIn(ctx, "matti@example.fi", "arvaus", attacker)
			_, _, err := w.app.SignIn(ctx, "matti@example.fi", "arvaus", attacker)
			if th, ok := IsThrottled(err); ok {
				last = th.RetryAfter
			}
			if last > maxDelay {
				t.Fatalf("delay %v over the cap", last)
			}
		}
		if last != maxDelay {
			t.Errorf("delay after many failures %v, want %v", last, maxDelay)
		}
		// The same answer for an address without an account.
		for range freeFailuresPerAccountIP + 1 {
			w.app.SignIn(ctx, "ei-ole@example.fi", "arvaus", attacker)
		}
		if _, _, err := w.app.SignIn(ctx, "ei-ole@example.fi", "arvaus", attacker); !isThrottled(err) {
			t.Errorf("unknown address not throttled alike: %v", err)
		}
		// The owner on a known device is not locked out; nor from elsewhere.
		if _, _, err := w.app.SignIn(ctx, "matti@example.fi", "oikea-salasana-123", Client{IP: "203.0.113.5", Device: phone}); err != nil {
			t.Errorf("known device locked out: %v", err)
		}
		if _, _, err := w.app.SignIn(ctx, "matti@example.fi", "oikea-salasana-123", Client{IP: "198.51.100.21"}); err != nil {
			t.Errorf("owner from another IP locked out: %v", err)
		}
		// Per IP: many addresses from one IP are slowed down too.
		sprayer := Client{IP: "203.0.113.99"}
		for i := range freeFailuresPerIP + 1 {
			w.app.SignIn(ctx, "kohde"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@example.fi", "arvaus", sprayer)
		}
		if _, _, err := w.app.SignIn(ctx, "uusi-kohde@example.fi", "arvaus", sprayer); !isThrottled(err) {
			t.Errorf("password spraying from one IP not throttled: %v", err)
		}
	})
}

func isThrottled(err error) bool { _, ok := IsThrottled(err); return ok }

func TestEmailChange(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, m, site := accountsWorld(t, db, clock)
		v := w.signIn(t, "matti@example.fi")
		clock.Advance(RecentAuth + time.Minute)
		v, _ = w.app.authenticateAgain(ctx, v)
		if err := w.app.RequestEmailChange(ctx, v, "uusi@example.fi", client); !errors.Is(err, ErrReauthenticate) {
			t.Fatalf("without a recent sign-in: %v", err)
		}
		if err := w.app.Reauthenticate(ctx, v, "väärä", client); err == nil {
			t.Fatal("wrong password re-authenticated")
		}
		if err := w.app.Reauthenticate(ctx, v, "oikea-salasana-123", client); err != nil {
			t.Fatal(err)
		}
		v, _ = w.app.authenticateAgain(ctx, v)
		if err := w.app.RequestEmailChange(ctx, v, "maija@example.fi", client); err != nil || m.count("email_change_code") != 0 {
			t.Errorf("a taken address got a code: %v", err)
		}
		if err := w.app.RequestEmailChange(ctx, v, "Uusi@Example.fi", client); err != nil {
			t.Fatal(err)
		}
		code := m.last(t, "email_change_code", "Uusi@Example.fi").data["code"]
		if err := w.app.ConfirmEmailChange(ctx, v, code, client); err != nil {
			t.Fatal(err)
		}
		m.last(t, "email_changed_notice", "matti@example.fi")
		v, _ = w.app.authenticateAgain(ctx, v)
		sums, _ := w.app.Overview(ctx, v)
		if v.EmailNorm != "uusi@example.fi" || len(sums) != 1 || sums[0].Site.ID != site {
			t.Errorf("after the change: %s sees %v", v.EmailNorm, siteIDs(sums))
		}
	})
}

func TestDeleteAccount(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, m, _ := accountsWorld(t, db, clock)
		v := w.signIn(t, "matti@example.fi")
		if err := w.app.DeleteAccount(ctx, v, "väärä", client); err == nil {
			t.Fatal("deleted with a wrong password")
		}
		if err := w.app.DeleteAccount(ctx, v, "oikea-salasana-123", client); err != nil {
			t.Fatal(err)
		}
		m.last(t, "account_deleted_notice", "matti@example.fi")
		var accounts, customers int64
		db.Read(ctx, func(tx *store.Tx) error {
			tx.QueryInt(ctx, `SELECT count(*) FROM accounts WHERE email_norm = 'matti@example.fi'`, &accounts)
			return tx.QueryInt(ctx, `SELECT count(*) FROM customers WHERE email_norm = 'matti@example.fi'`, &customers)
		})
		if accounts != 0 || customers != 1 {
			t.Errorf("after delete: %d accounts, %d customer records (want 0, 1)", accounts, customers)
		}
	})
}

// TestRehashOnSignIn: a hash made with older parameters is replaced by one
// with the current parameters at the next successful sign-in.
func TestRehashOnSignIn(t *testing.T) {
	clock := storetest.NewClock(t0)
	db := storetest.Open(t, store.SQLite, clock.Now)
	w, _, _ := accountsWorld(t, db, clock)
	ctx := context.Background()
	stronger := Argon2Params{MemoryKiB: 9 * 1024, Time: 1, Threads: 1}
	w.app.hasher = NewHasher(stronger)
	if _, _, err := w.app.SignIn(ctx, "matti@example.fi", "oikea-salasana-123", client); err != nil {
		t.Fatal(err)
	}
	var acc portal.Account
	db.Read(ctx, func(tx *store.Tx) (err error) {
		acc, err = tx.VerifiedAccountByEmail(ctx, "matti@example.fi")
		return err
	})
	if p, _, _, err := decodePHC(acc.PasswordHash); err != nil || p != stronger {
		t.Errorf("stored hash has %+v, want %+v", p, stronger)
	}
}

// TestHashingIsBounded: however many sign-ins arrive at once, at most the
// hasher's slots compute a hash at the same time.
func TestHashingIsBounded(t *testing.T) {
	h := NewHasher(cheap)
	var mu sync.Mutex
	running, peak := 0, 0
	h.count = func() {
		mu.Lock()
		running++
		peak = max(peak, running)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		running--
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() { h.Hash(context.Background(), "kahvi maistuu aamulla") })
	}
	wg.Wait()
	if peak > cap(h.slots) || peak == 0 {
		t.Errorf("peak concurrent hashes %d, bound %d", peak, cap(h.slots))
	}
}

// TestEmailChangeEndsOtherSessions: verification of a new address ends
// every other session of the account.
func TestEmailChangeEndsOtherSessions(t *testing.T) {
	clock := storetest.NewClock(t0)
	db := storetest.Open(t, store.SQLite, clock.Now)
	w, m, _ := accountsWorld(t, db, clock)
	ctx := context.Background()
	other, _, _ := w.app.SignIn(ctx, "matti@example.fi", "oikea-salasana-123", Client{IP: "198.51.100.9"})
	v := w.signIn(t, "matti@example.fi")
	if err := w.app.RequestEmailChange(ctx, v, "toinen@example.fi", client); err != nil {
		t.Fatal(err)
	}
	code := m.last(t, "email_change_code", "toinen@example.fi").data["code"]
	if err := w.app.ConfirmEmailChange(ctx, v, code, client); err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.Authenticate(ctx, other); !errors.Is(err, portal.ErrUnauthenticated) {
		t.Error("another session survived the email change")
	}
	if n := m.last(t, "email_changed_notice", "matti@example.fi"); n.data["code"] != "" {
		t.Error("the notice to the old address carries a code")
	}
}

// TestStaleClaimsCleared: a claim that was never verified is removed when
// the address is signed up for again a week later.
func TestStaleClaimsCleared(t *testing.T) {
	clock := storetest.NewClock(t0)
	db := storetest.Open(t, store.SQLite, clock.Now)
	w, _, _ := accountsWorld(t, db, clock)
	ctx := context.Background()
	old, _ := w.app.SignUp(ctx, "matti@example.fi", newPassword, client) // a taken address: never verifiable
	clock.Advance(PendingClaimLifetime + time.Hour)
	if _, err := w.app.SignUp(ctx, "matti@example.fi", newPassword, client); err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.Authenticate(ctx, old); !errors.Is(err, portal.ErrUnauthenticated) {
		t.Errorf("the week-old claim's session still works: %v", err)
	}
	var n int64
	db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryInt(ctx, `SELECT count(*) FROM accounts WHERE email_norm = 'matti@example.fi' AND verified_at IS NULL`, &n)
	})
	if n != 1 {
		t.Errorf("pending claims on the address: %d, want 1 (the new one)", n)
	}
}
