package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"asiakassivu/internal/app"
	"asiakassivu/internal/legacy"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// addLegacyCustomer gives the env a customer record of the old extranet
// with no account yet: vanha@example.fi, a regular contract since 2019 and
// the old credentials "eino.vanha" / "Extranet-2019" (salted SHA-256). The
// bridge is open (cut-over 2020, retirement 90 days on).
func addLegacyCustomer(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	sum := sha256.Sum256([]byte("suola" + "Extranet-2019"))
	params, canonical, err := legacy.SplitHash(portal.LegacySHA256, hex.EncodeToString(sum[:]), "suola")
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := app.NewHasher(app.Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1}).Hash(ctx, canonical)
	if err != nil {
		t.Fatal(err)
	}
	err = e.db.Write(ctx, func(tx *store.Tx) error {
		prov, err := tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: "p", Name: "Kotikulma Oy", Active: true})
		if err != nil {
			return err
		}
		cid, err := tx.UpsertCustomer(ctx, portal.Customer{Source: "extranet", ExternalID: "vanha", Name: "Eino", Email: "vanha@example.fi"})
		if err != nil {
			return err
		}
		sid, err := tx.UpsertSite(ctx, portal.Site{CustomerID: cid, ProviderID: prov, Source: "extranet", ExternalID: "vanha",
			Street: "Vanhatie 1", City: "Tampere"})
		if err != nil {
			return err
		}
		if _, err := tx.UpsertContract(ctx, portal.Contract{SiteID: sid, Source: "extranet", ExternalID: "vanha",
			Kind: portal.ContractRegular, Service: "Siivous", Start: portal.NewDate(2019, 8, 15)}); err != nil {
			return err
		}
		if _, err := tx.UpsertLegacyCredential(ctx, store.LegacyCredential{CustomerID: cid, Source: "extranet", ExternalID: "eino",
			Username: "eino.vanha", Algorithm: portal.LegacySHA256, Params: params, WrappedHash: wrapped}); err != nil {
			return err
		}
		pol, err := tx.Policies(ctx)
		if err != nil {
			return err
		}
		pol.LegacyCutover = portal.NewDate(2020, 1, 1)
		pol.LegacyRetirement = portal.DateOf(tx.Now()).AddDays(90)
		return tx.SetPolicies(ctx, pol)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func legacyCredentials(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryInt(context.Background(), `SELECT COUNT(*) FROM legacy_credentials`, &n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var ticketField = regexp.MustCompile(`name="ticket" value="([^"]+)"`)

// TestLegacyCredentialsDeletedOnVerify: the old extranet's username and
// password leave the database when the new account on the record's
// address is verified; the old sign-in then gets the unknown username's
// answer.
func TestLegacyCredentialsDeletedOnVerify(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		addLegacyCustomer(t, e)
		c := e.client(t)
		old := url.Values{"username": {"eino.vanha"}, "password": {"Extranet-2019"}}
		r := do(t, c, "POST", e.srv.URL+"/kirjaudu/extranet", old)
		m := ticketField.FindStringSubmatch(r.body)
		if r.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("legacy sign-in: %d, no ticket in the page", r.StatusCode)
		}
		r = do(t, c, "POST", e.srv.URL+"/kirjaudu/extranet/uusi-tili", url.Values{"ticket": {m[1]}, "password": {"Uusi-hyva-salasana-7"}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/vahvista" {
			t.Fatalf("legacy sign-up: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if n := legacyCredentials(t, db); n != 1 {
			t.Fatalf("before verifying: %d legacy credentials, want 1 (the pending claim proves nothing yet)", n)
		}
		r = do(t, c, "POST", e.srv.URL+"/vahvista", url.Values{"code": {e.mails.code(t, "signup_code", "vanha@example.fi")}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("verify: %d", r.StatusCode)
		}
		if n := legacyCredentials(t, db); n != 0 {
			t.Errorf("after the new account is verified: %d legacy credentials in the database, want 0", n)
		}

		// The old sign-in: the unknown username's answer, word for word
		// (the typed username aside).
		answer := func(user string) (int, string) {
			r := do(t, e.client(t), "POST", e.srv.URL+"/kirjaudu/extranet", url.Values{"username": {user}, "password": {"Extranet-2019"}})
			body := strings.ReplaceAll(r.body, user, "USER")
			return r.StatusCode, regexp.MustCompile(`nonce="[^"]*"`).ReplaceAllString(body, "")
		}
		oldStatus, oldBody := answer("eino.vanha")
		unkStatus, unkBody := answer("ei.ketaan")
		if oldStatus != http.StatusUnauthorized || oldStatus != unkStatus || oldBody != unkBody {
			t.Errorf("old sign-in after verifying: %d, unknown username: %d; same page: %v", oldStatus, unkStatus, oldBody == unkBody)
		}
	})
}

// TestLegacyCredentialsDeletedOnEmailChange: an account that proves the
// record's address by changing its email to it also retires the old
// credentials.
func TestLegacyCredentialsDeletedOnEmailChange(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		addLegacyCustomer(t, e)
		c := e.client(t)
		e.signIn(t, c, "tyhja@example.fi")
		r := do(t, c, "POST", e.srv.URL+"/profiili/sahkoposti", url.Values{"email": {"vanha@example.fi"}, "current": {password}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("request email change: %d", r.StatusCode)
		}
		r = do(t, c, "POST", e.srv.URL+"/profiili/sahkoposti/vahvista",
			url.Values{"code": {e.mails.code(t, "email_change_code", "vanha@example.fi")}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/profiili/kirjautuminen?ok=sahkoposti" {
			t.Fatalf("confirm email change: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if n := legacyCredentials(t, db); n != 0 {
			t.Errorf("after the email change is confirmed: %d legacy credentials in the database, want 0", n)
		}
	})
}
