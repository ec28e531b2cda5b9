package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestIdentityCodeMaskedOneWay: an identity code shows masked the same way
// wherever a person sees it (portal.MaskHetu): the consent page and the
// data download both show ******-***T and neither the birth date nor the
// individual number.
func TestIdentityCodeMaskedOneWay(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		customer := e.customerOf(t, "koti")
		const code = "131052-308T"
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		if r := do(t, maija, "POST", e.srv.URL+"/kotitalousvahennys", url.Values{"customer": {strconv.FormatInt(customer, 10)},
			"enabled": {"1"}, "current": {password}, "payer1name": {"Maija Virtanen"}, "payer1code": {code},
			"payer1share": {"100"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save consent: %d", r.StatusCode)
		}
		masked := portal.MaskHetu(code)
		for _, page := range []string{"/kotitalousvahennys", "/profiili/omat-tiedot.json"} {
			r := do(t, maija, "GET", e.srv.URL+page, nil)
			if !strings.Contains(r.body, masked) || strings.Contains(r.body, "131052") || strings.Contains(r.body, "308T") {
				t.Errorf("%s does not show the code as %s only:\n%s", page, masked, r.body)
			}
		}
	})
}
