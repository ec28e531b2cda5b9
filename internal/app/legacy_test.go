package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"asiakassivu/internal/legacy"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// legacyWorld gives uusi@example.fi (no account yet) a regular contract
// since 2019 and old credentials "uusi.vanha" (bcrypt), and a newer
// customer a contract since 2025 and credentials "myohainen" (salted
// SHA-256); the bridge closes 90 days after t0.
func legacyWorld(t *testing.T, db *store.DB, clock *storetest.Clock) (*world, *recMailer, int64) {
	t.Helper()
	ctx := context.Background()
	w, m, site := accountsWorld(t, db, clock)
	bc, err := bcrypt.GenerateFromPassword([]byte("Vanha-Salasana"), 4)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("suola" + "Vanha-Salasana"))
	creds := []struct {
		user, hash, salt string
		alg              portal.LegacyAlgorithm
	}{{"Uusi.Vanha", string(bc), "", portal.LegacyBcrypt}, {"myohainen", hex.EncodeToString(sum[:]), "suola", portal.LegacySHA256}}
	wrapped := make([]store.LegacyCredential, len(creds))
	for i, c := range creds {
		params, canonical, err := legacy.SplitHash(c.alg, c.hash, c.salt)
		if err != nil {
			t.Fatal(err)
		}
		phc, err := w.app.hasher.Hash(ctx, canonical)
		if err != nil {
			t.Fatal(err)
		}
		wrapped[i] = store.LegacyCredential{Source: "extranet", ExternalID: c.user, Username: c.user, Algorithm: c.alg,
			Params: params, WrappedHash: phc}
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		var uusiCustomer int64
		if err := tx.QueryInt(ctx, `SELECT customer_id FROM sites WHERE id = $1`, &uusiCustomer, site); err != nil {
			return err
		}
		late, err := tx.UpsertCustomer(ctx, portal.Customer{Source: "t", ExternalID: "late", Name: "Late", Email: "late@example.fi"})
		if err != nil {
			return err
		}
		lateSite, err := tx.UpsertSite(ctx, portal.Site{CustomerID: late, ProviderID: w.providers["A"], Source: "t", ExternalID: "late", Street: "Uusi 9"})
		if err != nil {
			return err
		}
		for _, c := range []portal.Contract{
			{SiteID: site, Source: "t", ExternalID: "uusi-c", Kind: portal.ContractRegular, Service: "Siivous", Start: portal.NewDate(2019, 8, 15)},
			{SiteID: lateSite, Source: "t", ExternalID: "late-c", Kind: portal.ContractRegular, Service: "Siivous", Start: portal.NewDate(2025, 2, 1)},
		} {
			if _, err := tx.UpsertContract(ctx, c); err != nil {
				return err
			}
		}
		for i, cust := range []int64{uusiCustomer, late} {
			wrapped[i].CustomerID = cust
			if _, err := tx.UpsertLegacyCredential(ctx, wrapped[i]); err != nil {
				return err
			}
		}
		pol, err := tx.Policies(ctx)
		if err != nil {
			return err
		}
		pol.LegacyRetirement = portal.DateOf(t0).AddDays(90)
		return tx.SetPolicies(ctx, pol)
	})
	if err != nil {
		t.Fatal(err)
	}
	return w, m, site
}

// TestLegacyBridge: old credentials lead to a new account for the record's
// address, verified with the mailed code; then they open nothing.
func TestLegacyBridge(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, m, site := legacyWorld(t, db, clock)
		var stored string
		db.Read(ctx, func(tx *store.Tx) error {
			s, err := tx.LegacySignInByUsername(ctx, "uusi.vanha")
			stored = s.Credential.WrappedHash
			return err
		})
		if !strings.HasPrefix(stored, "$argon2id$") {
			t.Fatalf("stored credential %q is not argon2id", stored)
		}
		if st, _ := w.app.LegacyBridgeState(ctx); !st.Open {
			t.Fatal("bridge closed before its retirement date")
		}
		for _, tc := range []struct{ name, user, pw string }{
			{"wrong password", "uusi.vanha", "väärä"},
			{"unknown username", "ei-ole", "Vanha-Salasana"},
			{"contract after the cut-over", "myohainen", "Vanha-Salasana"},
		} {
			if _, err := w.app.LegacySignIn(ctx, tc.user, tc.pw, client); !errors.Is(err, ErrLegacyRefused) {
				t.Errorf("%s: got %v, want ErrLegacyRefused", tc.name, err)
			}
		}
		var bad InvalidInput
		if _, err := w.app.LegacySignIn(ctx, " ", "", client); !errors.As(err, &bad) || bad.Field("username") == "" || bad.Field("password") == "" {
			t.Errorf("empty form: %v", err)
		}
		// Usernames compare without case and surrounding space.
		ticket, err := w.app.LegacySignIn(ctx, "  UUSI.vanha ", "Vanha-Salasana", client)
		if err != nil {
			t.Fatalf("legacy sign-in: %v", err)
		}
		if ticket.Email != "Uusi@Example.fi" {
			t.Errorf("ticket email %q, want the record's", ticket.Email)
		}
		// A weak password keeps the ticket for another try.
		if _, err := w.app.LegacySignUp(ctx, ticket.Token, "lyhyt", client); !errors.As(err, &bad) || bad.Field("password") == "" {
			t.Fatalf("weak password: %v", err)
		}
		tok, err := w.app.LegacySignUp(ctx, ticket.Token, newPassword, client)
		if err != nil {
			t.Fatalf("legacy sign-up: %v", err)
		}
		if _, err := w.app.LegacySignUp(ctx, ticket.Token, newPassword, client); !errors.Is(err, ErrLegacyTicket) {
			t.Errorf("ticket used twice: %v", err)
		}
		v, err := w.app.Authenticate(ctx, tok)
		if err != nil || v.Verified {
			t.Fatalf("pending viewer %+v %v", v, err)
		}
		code := m.last(t, "signup_code", "Uusi@Example.fi").data["code"]
		// Until the new account is verified the old credentials still work.
		if _, err := w.app.LegacySignIn(ctx, "uusi.vanha", "Vanha-Salasana", client); err != nil {
			t.Errorf("before verification: %v", err)
		}
		tok2, err := w.app.VerifySignup(ctx, v, code, Client{})
		if err != nil {
			t.Fatal(err)
		}
		v2, _ := w.app.Authenticate(ctx, tok2)
		if sums, err := w.app.Overview(ctx, v2); err != nil || len(sums) != 1 || sums[0].Site.ID != site {
			t.Errorf("new account sees %v, %v; want site %d", siteIDs(sums), err, site)
		}
		if _, err := w.app.LegacySignIn(ctx, "uusi.vanha", "Vanha-Salasana", client); !errors.Is(err, ErrLegacyRefused) {
			t.Errorf("after verification the old credentials: %v, want refused", err)
		}
		if _, err := w.app.LegacySignUp(ctx, "bogus", newPassword, client); !errors.Is(err, ErrLegacyTicket) {
			t.Errorf("bogus ticket: %v", err)
		}
	})
}

func TestLegacyBridgeClosesAndThrottles(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := legacyWorld(t, db, clock)
		// A ticket expires.
		ticket, err := w.app.LegacySignIn(ctx, "uusi.vanha", "Vanha-Salasana", client)
		if err != nil {
			t.Fatal(err)
		}
		clock.Set(t0.Add(LegacyTicketLifetime + time.Second))
		if _, err := w.app.LegacySignUp(ctx, ticket.Token, newPassword, client); !errors.Is(err, ErrLegacyTicket) {
			t.Errorf("expired ticket: %v", err)
		}
		// Repeated failures are slowed down like sign-ins.
		throttled := false
		for range 10 {
			_, err := w.app.LegacySignIn(ctx, "uusi.vanha", "arvaus", client)
			if _, ok := IsThrottled(err); ok {
				throttled = true
				break
			}
		}
		if !throttled {
			t.Error("ten wrong passwords in a row were never throttled")
		}
		// On the retirement date the bridge is closed, right credentials
		// or not.
		clock.Set(portal.DateOf(t0).AddDays(90).Time().Add(10 * time.Hour))
		if st, _ := w.app.LegacyBridgeState(ctx); st.Open {
			t.Error("bridge open on its retirement date")
		}
		other := client
		other.IP = "203.0.113.9"
		if _, err := w.app.LegacySignIn(ctx, "uusi.vanha", "Vanha-Salasana", other); !errors.Is(err, ErrLegacyRefused) {
			t.Errorf("after retirement: %v, want refused", err)
		}
	})
}

// TestLegacyDeletedRecord: old credentials of a customer record the ERP
// deleted open nothing; the same credentials work once it is back.
func TestLegacyDeletedRecord(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := legacyWorld(t, db, clock)
		setDeleted := func(deleted bool) {
			t.Helper()
			var at any
			if deleted {
				at = t0
			}
			if _, err := db.SQL().ExecContext(ctx, `UPDATE customers SET deleted_at = $1 WHERE external_id = 'uusi'`, at); err != nil {
				t.Fatal(err)
			}
		}
		setDeleted(true)
		if _, err := w.app.LegacySignIn(ctx, "uusi.vanha", "Vanha-Salasana", client); !errors.Is(err, ErrLegacyRefused) {
			t.Errorf("deleted record: %v, want refused", err)
		}
		setDeleted(false)
		if _, err := w.app.LegacySignIn(ctx, "uusi.vanha", "Vanha-Salasana", client); err != nil {
			t.Errorf("record back: %v", err)
		}
	})
}
