package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// visitLink finds the visits listed on a visits page.
var visitLink = regexp.MustCompile(`href="/kohteet/\d+/palveluvuorot/\d+"`)

// BenchmarkVisitsPageLoad measures a site's visits pages under 64
// concurrent connections on loopback, beside a bare net/http handler
// measured the same way in the same run (see loadRun). Over the demo data,
// each connection is a different customer whose site has a visit every
// week from 2.5 years back to 2.5 years ahead, and requests in turn the
// upcoming list, the past list and page 5 of the past list (the deepest
// OFFSET of the three). The target is p99 < 25 ms. Run with e.g.
//
//	go test ./internal/web -run '^$' -bench VisitsPageLoad -benchtime 5000x
func BenchmarkVisitsPageLoad(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) { benchVisitsPage(b, engine) })
	}
}

func benchVisitsPage(b *testing.B, engine store.Engine) {
	ctx := context.Background()
	db, hasher := loadDemo(b, engine)
	now := time.Now()
	// Every visit at 9–12 Helsinki time, whatever the season.
	first := now.In(portal.Helsinki).AddDate(-2, -6, 0)
	first = time.Date(first.Year(), first.Month(), first.Day(), 9, 0, 0, 0, portal.Helsinki)
	last := now.AddDate(2, 6, 0)
	users := make([]loadUser, loadConns)
	err := db.Write(ctx, func(tx *store.Tx) error {
		prov, err := tx.UpsertProvider(ctx, portal.Provider{Source: "bench", ExternalID: "p", Name: "Viikkosiivous Oy", Active: true})
		if err != nil {
			return err
		}
		var visits []portal.Visit
		for i := range users {
			ext := fmt.Sprintf("viikko-%02d", i)
			email := ext + "@bench.example"
			cid, err := tx.UpsertCustomer(ctx, portal.Customer{Source: "bench", ExternalID: ext, Name: "Asiakas " + ext, Email: email})
			if err != nil {
				return err
			}
			sid, err := tx.UpsertSite(ctx, portal.Site{CustomerID: cid, ProviderID: prov, Source: "bench", ExternalID: ext,
				Name: "Koti", Street: "Hämeenkatu 1", PostalCode: "33100", City: "Tampere"})
			if err != nil {
				return err
			}
			kid, err := tx.UpsertContract(ctx, portal.Contract{SiteID: sid, Source: "bench", ExternalID: ext, Kind: portal.ContractRegular,
				Service: "Säännöllinen siivous", Rhythm: "weekly", PriceCents: 8900, Start: portal.NewDate(first.Year(), first.Month(), first.Day())})
			if err != nil {
				return err
			}
			for w, at := 0, first; at.Before(last); w, at = w+1, first.AddDate(0, 0, 7*(w+1)) {
				status := portal.VisitPlanned
				switch {
				case at.Before(now) && w%10 == 3:
					status = portal.VisitCancelledByCustomer
				case at.Before(now):
					status = portal.VisitDone
				}
				visits = append(visits, portal.Visit{SiteID: sid, ContractID: kid, Source: "bench", ExternalID: fmt.Sprintf("%s-%03d", ext, w),
					StartsAt: at, EndsAt: at.Add(3 * time.Hour), Status: status, Service: "Säännöllinen siivous",
					WorkerFirstName: "Aino", PriceCents: 8900})
			}
			acc, err := tx.CreateAccount(ctx, portal.Account{Email: email, PasswordHash: "-", VerifiedAt: tx.Now()})
			if err != nil {
				return err
			}
			token, err := newLoadSession(ctx, tx, acc)
			if err != nil {
				return err
			}
			list := fmt.Sprintf("/kohteet/%d/palveluvuorot", sid)
			users[i] = loadUser{token, []string{list, list + "?menneet=1", list + "?menneet=1&sivu=5"}}
		}
		return tx.UpsertVisits(ctx, visits)
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	s := newLoadServer(b, db, hasher)
	// Each page must be a full one, or the run would time empty lists.
	for _, p := range users[0].paths {
		r := httptest.NewRequest("GET", p, nil)
		r.Header.Set("Cookie", "asiakassivu="+users[0].token)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if n := len(visitLink.FindAllString(w.Body.String(), -1)); w.Code != 200 || n != 20 {
			b.Fatalf("%s: status %d, %d visits listed, want 200 and 20", p, w.Code, n)
		}
	}
	loadRun(b, s, users)
}
