package web

import (
	"context"
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
		if r.StatusCode != 200 || !strings.Contains(r.body, `href="`+visitPath+`"`) || !strings.Contains(r.body, fiDay(e.visitAt())+" klo 9.00–12.00") {
			t.Fatalf("visit list: %d", r.StatusCode)
		}
		// The visit is three days away, past the 7-day deadline: the fee is
		// shown before confirming.
		r = do(t, c, "GET", e.srv.URL+visitPath, nil)
		if !strings.Contains(r.body, "Maksuton peruminen päättyi "+fiDate(e.at(-4, 9, 0))+" klo 9.00") || !strings.Contains(r.body, "89,00") {
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
		stale := url.Values{"sequence": {form.Get("sequence")}, "deadline": {form.Get("deadline")}, "fee": {"0"}, "confirm": {"yes"}}
		r = do(t, c, "POST", e.srv.URL+visitPath+"/peru", stale)
		if r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "ehdot muuttuivat") {
			t.Errorf("stale terms: %d", r.StatusCode)
		}
		form.Set("confirm", "yes")
		r = do(t, c, "POST", e.srv.URL+visitPath+"/peru", form)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel: %d\n%s", r.StatusCode, r.body)
		}
		r = do(t, c, "GET", e.srv.URL+visitPath+"?ok=peruttu", nil)
		if !strings.Contains(r.body, "Käynti on peruttu.") || !strings.Contains(r.body, "Peruttu (asiakas perui)") {
			t.Error("the cancellation does not show")
		}
		// Cancel twice: refused, nothing changes.
		if r := do(t, c, "POST", e.srv.URL+visitPath+"/peru", form); r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "on jo peruttu") {
			t.Errorf("second cancel: %d", r.StatusCode)
		}
	})
}

func TestAccessInstructions(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		c := e.client(t)
		e.signIn(t, c, "matti@example.fi")
		site := "/kohteet/" + strconv.FormatInt(e.sites["matti"], 10)
		long := strings.Repeat("x", 10000)
		r := do(t, c, "POST", e.srv.URL+site+"/ohjeet", url.Values{"access_door_code": {"A1234"}, "access_pets": {long}})
		if r.StatusCode != 422 || !strings.Contains(r.body, "liian pitkä") || !strings.Contains(r.body, "A1234") {
			t.Fatalf("too long: %d", r.StatusCode)
		}
		r = do(t, c, "POST", e.srv.URL+site+"/ohjeet", url.Values{"access_door_code": {"A1234"}, "access_pets": {"Kissa Mirri"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", r.StatusCode)
		}
		r = do(t, c, "GET", e.srv.URL+site+"?ok=ohjeet", nil)
		if !strings.Contains(r.body, "Ohjeet on tallennettu.") || !strings.Contains(r.body, "Kissa Mirri") {
			t.Error("saved instructions do not show")
		}
		var journal []store.Change
		var audits int64
		db.Read(context.Background(), func(tx *store.Tx) error {
			journal, _ = tx.ChangesAfter(context.Background(), 0, 10)
			return tx.QueryInt(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'site.access_changed'`, &audits)
		})
		if len(journal) != 1 || journal[0].Kind != "site.access_changed" || strings.Contains(journal[0].Data, "A1234") || audits != 1 {
			t.Errorf("journal %+v, audits %d", journal, audits)
		}
	})
}

func TestPortalFeedback(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	c := e.client(t)
	r := do(t, c, "GET", e.srv.URL+"/kirjaudu", nil)
	if !strings.Contains(r.body, `href="/palaute?sivulta=%2fkirjaudu"`) && !strings.Contains(r.body, `href="/palaute?sivulta=%2Fkirjaudu"`) {
		t.Errorf("the footer lacks the portal feedback link")
	}
	r = do(t, c, "POST", e.srv.URL+"/palaute", url.Values{"message": {""}})
	if r.StatusCode != 422 || !strings.Contains(r.body, "Kirjoita palautteesi.") {
		t.Errorf("empty: %d", r.StatusCode)
	}
	r = do(t, c, "POST", e.srv.URL+"/palaute", url.Values{"message": {"Fontti voisi olla isompi."}, "contact": {"yes"}, "email": {"ei-osoite"}})
	if r.StatusCode != 422 || !strings.Contains(r.body, "Fontti voisi olla isompi.") {
		t.Errorf("bad contact address: %d", r.StatusCode)
	}
	r = do(t, c, "POST", e.srv.URL+"/palaute", url.Values{"message": {"Fontti voisi olla isompi."}, "contact": {"yes"}, "email": {"maija@example.fi"}, "from": {"/kirjaudu"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d", r.StatusCode)
	}
	var n int64
	db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryInt(context.Background(), `SELECT count(*) FROM portal_feedback WHERE contact_email = 'maija@example.fi' AND page = '/kirjaudu'`, &n)
	})
	if n != 1 {
		t.Errorf("stored feedback rows: %d", n)
	}
}
