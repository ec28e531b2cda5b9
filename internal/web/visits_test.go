package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

var hidden = regexp.MustCompile(`name="(sequence|deadline|fee)" value="(-?\d+)"`)

func TestVisitPages(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		c := e.client(t)
		e.signIn(t, c, "matti@example.fi")
		site := "/kohteet/" + strconv.FormatInt(e.sites["matti"], 10)
		r := do(t, c, "GET", e.srv.URL+site+"/palveluvuorot", nil)
		visitPath := site + "/palveluvuorot/" + strconv.FormatInt(e.visits["matti"], 10)
		if r.StatusCode != 200 || !strings.Contains(r.body, `href="`+visitPath+`"`) || !strings.Contains(r.body, "ti 1.12.2026 klo 9.00–12.00") {
			t.Fatalf("visit list: %d", r.StatusCode)
		}
		// The env's clock is 28.11. 10:00 UTC; the visit is on 1.12., past
		// the 7-day deadline of 24.11.: the fee is shown before confirming.
		r = do(t, c, "GET", e.srv.URL+visitPath, nil)
		if !strings.Contains(r.body, "Maksuton peruminen päättyi 24.11.2026 klo 9.00") || !strings.Contains(r.body, "89,00") {
			t.Fatalf("terms not shown in plain words:\n%s", r.body)
		}
		form := url.Values{}
		for _, m := range hidden.FindAllStringSubmatch(r.body, -1) {
			form.Set(m[1], m[2])
		}
		long := strings.Repeat("ä", 10000)
		r = do(t, c, "POST", e.srv.URL+visitPath+"/lisatieto", url.Values{"note": {long}})
		if r.StatusCode != 422 || !strings.Contains(r.body, "liian pitkä") || !strings.Contains(r.body, long[:200]) {
			t.Errorf("long note: %d", r.StatusCode)
		}
		r = do(t, c, "POST", e.srv.URL+visitPath+"/lisatieto", url.Values{"note": {"Avain on naapurilla."}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("note: %d", r.StatusCode)
		}
		// Terms that were not the shown ones: refused, the new terms shown.
		stale := url.Values{"sequence": {form.Get("sequence")}, "deadline": {form.Get("deadline")}, "fee": {"0"}}
		r = do(t, c, "POST", e.srv.URL+visitPath+"/peru", stale)
		if r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "ehdot muuttuivat") {
			t.Errorf("stale terms: %d", r.StatusCode)
		}
		r = do(t, c, "POST", e.srv.URL+visitPath+"/peru", form)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel: %d\n%s", r.StatusCode, r.body)
		}
		r = do(t, c, "GET", e.srv.URL+visitPath+"?ok=peruttu", nil)
		if !strings.Contains(r.body, "Käynti on peruttu.") || !strings.Contains(r.body, "Peruttu (sinun perumasi)") {
			t.Error("the cancellation does not show")
		}
		// Cancel twice: refused, nothing changes.
		if r := do(t, c, "POST", e.srv.URL+visitPath+"/peru", form); r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "on jo peruttu") {
			t.Errorf("second cancel: %d", r.StatusCode)
		}
	})
}
