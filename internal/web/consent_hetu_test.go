package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestConsentIdentityCodeMessages: the consent form refuses a temporary or
// test code (900–999), a birth date in the future and two payers with one
// code, each with its own message in the page's language, without echoing
// the code.
func TestConsentIdentityCodeMessages(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		customer, _ := addInvoice(t, e)
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		for _, c := range []struct {
			name, code1, code2, want string
		}{
			{"temporary", "131052-900W", "010101A123N", "väliaikainen tai testihenkilötunnus"},
			{"future", "131052-308T", "010199A123Y", "syntymäaika on tulevaisuudessa"},
			{"same person", "131052-308T", "131052-308T", "Maksajat eivät voi olla sama henkilö"},
		} {
			form := url.Values{"customer": {strconv.FormatInt(customer, 10)}, "enabled": {"1"},
				"payer1name": {"Maija"}, "payer1code": {c.code1}, "payer1share": {"50"},
				"payer2name": {"Matti"}, "payer2code": {c.code2}, "payer2share": {"50"}, "current": {password}}
			r := do(t, maija, "POST", e.srv.URL+"/kotitalousvahennys", form)
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, c.want) {
				t.Errorf("%s: %d, want 422 with %q", c.name, r.StatusCode, c.want)
			}
			for _, code := range []string{c.code1, c.code2} {
				if strings.Contains(r.body, code) {
					t.Errorf("%s: the page echoes %s", c.name, code)
				}
			}
		}
	})
}
