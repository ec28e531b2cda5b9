package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestLookAlikeEmailRefused is the attack of the dotted capital I: Kirsi's
// record is on file as kirsi.niemi@example.fi; a stranger who signs up as
// kİrsi.niemi@example.fi would get the code at the address as typed while
// the account links by the folded one, kirsi.niemi@example.fi. Every form
// that takes an address refuses it with the same message, keeps what was
// typed and sends no mail.
func TestLookAlikeEmailRefused(t *testing.T) {
	const lookalike = "k\u0130rsi.niemi@example.fi"
	const message = "Sähköpostiosoitteessa saa olla vain kirjaimia a–z"
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		var provider int64
		err := db.Write(context.Background(), func(tx *store.Tx) error {
			ctx := context.Background()
			cid, err := tx.UpsertCustomer(ctx, portal.Customer{Source: "t", ExternalID: "kirsi", Name: "Kirsi Niemi", Email: "kirsi.niemi@example.fi"})
			if err != nil {
				return err
			}
			if err := tx.QueryInt(ctx, `SELECT id FROM providers WHERE external_id = 'p'`, &provider); err != nil {
				return err
			}
			_, err = tx.UpsertSite(ctx, portal.Site{CustomerID: cid, ProviderID: provider, Source: "t", ExternalID: "kirsi",
				Name: "Kirsin koti", Street: "Kirsinkatu 1", City: "Tampere"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		refused := func(what string, r resp) {
			t.Helper()
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, message) ||
				!strings.Contains(r.body, `value="`+lookalike+`"`) {
				t.Errorf("%s with %q: %d %s, want 422 with %q and the address kept", what, lookalike, r.StatusCode,
					r.Header.Get("Location"), message)
			}
		}
		c := e.client(t)
		refused("sign-up", do(t, c, "POST", e.srv.URL+"/luo-tili", url.Values{"email": {lookalike}, "password": {strong}}))
		refused("sign-in", do(t, c, "POST", e.srv.URL+"/kirjaudu", url.Values{"email": {lookalike}, "password": {strong}}))
		refused("forgot password", do(t, c, "POST", e.srv.URL+"/unohtunut-salasana", url.Values{"email": {lookalike}}))
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		refused("email change", do(t, maija, "POST", e.srv.URL+"/profiili/sahkoposti",
			url.Values{"email": {lookalike}, "current": {password}}))
		boss := e.addAdmin(t)
		refused("staff invitation", do(t, boss, "POST", e.srv.URL+"/yllapito/tuottajat/"+strconv.FormatInt(provider, 10)+"/henkilosto",
			url.Values{"email": {lookalike}, "name": {"Kirsi"}}))
		e.mails.mu.Lock()
		defer e.mails.mu.Unlock()
		for _, m := range e.mails.sent {
			t.Errorf("a %s mail went to %q", m.kind, m.to)
		}
	})
}
