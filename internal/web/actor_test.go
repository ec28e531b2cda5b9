package web

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"asiakassivu/internal/mail"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// grantFor gives account email an accepted grant of role on site (as if
// the owner invited and they accepted; the use cases are tested in app).
func (e *env) grantFor(t *testing.T, site string, email string, role portal.GrantRole) {
	t.Helper()
	ctx := context.Background()
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		acc, err := tx.VerifiedAccountByEmail(ctx, email)
		if err != nil {
			return err
		}
		h := sha256.Sum256([]byte("grant " + site + " " + email))
		id, err := tx.InsertGrant(ctx, portal.Grant{SiteID: e.sites[site], Role: role, Email: email, EmailNorm: email,
			Language: "fi", ExpiresAt: tx.Now().Add(portal.GrantInviteTTL)}, h[:])
		if err != nil {
			return err
		}
		return tx.AcceptGrant(ctx, id, acc.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWhoCancelledAndWhoseHome: matti looks after maija's home koti. Its
// pages and the site switcher say whose home it is (his own home's do
// not); he cancels its visit; the provider's visit page and schedule say
// "Peruttu: matti (asioiden hoitaja)", and so does maija's own visit page;
// maija is mailed. Another
// provider's staff still cannot open the visit.
func TestWhoCancelledAndWhoseHome(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		e.grantFor(t, "koti", "matti@example.fi", portal.GrantCaretaker)
		matti, sari, bertta := e.client(t), e.client(t), e.client(t)
		e.signIn(t, matti, "matti@example.fi")
		e.signIn(t, sari, "sari@kotikulma.example")
		e.signIn(t, bertta, "bertta@toinen.example")
		koti, own := e.srv.URL+sitePath(e.sites["koti"]), e.srv.URL+sitePath(e.sites["matti"])
		const banner = "Hoidat kohdetta henkilön koti puolesta"
		for _, path := range []string{"", "/palveluvuorot", "/viestit", "/palaute"} {
			r := do(t, matti, "GET", koti+path, nil)
			if r.StatusCode != http.StatusOK || !strings.Contains(r.body, `<p class="on-behalf">`+banner+`</p>`) {
				t.Errorf("koti%s: %d, no banner %q", path, r.StatusCode, banner)
			}
		}
		r := do(t, matti, "GET", own, nil)
		if strings.Contains(r.body, `class="on-behalf"`) || strings.Count(r.body, `<span class="site-owner">`+banner+`</span>`) != 1 {
			t.Errorf("his own home: a banner, or the switcher does not mark koti once:\n%s", r.body)
		}
		if r := do(t, matti, "GET", e.srv.URL+"/kohteet", nil); !strings.Contains(r.body, `<p class="site-owner">`+banner+`</p>`) {
			t.Error("his list of homes does not say whose home koti is")
		}

		// He cancels koti's visit (three days ahead: the fee is shown and
		// confirmed).
		visit := e.srv.URL + visitPath(e.sites["koti"], e.visits["koti"])
		r = do(t, matti, "POST", visit+"/peru", formOf(do(t, matti, "GET", visit, nil).body))
		r = do(t, matti, "POST", visit+"/peru", formOf(r.body))
		if v := visitRow(t, db, e.sites["koti"], e.visits["koti"]); v.Status != portal.VisitCancelledByCustomer {
			t.Fatalf("not cancelled: %s (%d)\n%s", v.Status, r.StatusCode, r.body)
		}
		const who = "Peruttu: matti (asioiden hoitaja)"
		pv := e.srv.URL + "/tuottaja/palveluvuorot/" + itoa(e.visits["koti"])
		if r := do(t, sari, "GET", pv, nil); !strings.Contains(r.body, `<p class="actor">`+who+`</p>`) {
			t.Errorf("provider's visit page lacks %q:\n%s", who, r.body)
		}
		day := url.Values{"paiva": {isoDate(e.visitAt())}, "tila": {"kaikki"}}
		if r := do(t, sari, "GET", e.srv.URL+"/tuottaja?"+day.Encode(), nil); !strings.Contains(r.body, who) {
			t.Errorf("provider's schedule lacks %q:\n%s", who, r.body)
		}
		// The owner's visit page says who cancelled; the canceller's own
		// says only that the customer cancelled.
		maija := e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		if r := do(t, maija, "GET", visit, nil); !strings.Contains(r.body, "<p>"+who+"</p>") {
			t.Errorf("the owner's visit page lacks %q", who)
		}
		if r := do(t, matti, "GET", visit, nil); strings.Contains(r.body, who) || !strings.Contains(r.body, "Peruttu (asiakas perui)") {
			t.Error("the canceller's own visit page names him, or not the customer's cancellation")
		}
		if r := do(t, bertta, "GET", pv, nil); r.StatusCode != http.StatusNotFound || strings.Contains(r.body, who) {
			t.Errorf("another provider's staff: %d", r.StatusCode)
		}
		e.mails.mu.Lock()
		var told []queued
		for _, m := range e.mails.sent {
			if m.kind == mail.VisitChangedByRelative {
				told = append(told, m)
			}
		}
		e.mails.mu.Unlock()
		if len(told) != 1 || told[0].to != "maija@example.fi" || told[0].data["actor"] != "matti" || told[0].data["role"] != "caretaker" {
			t.Errorf("the owner's mails: %+v", told)
		}
	})
}
