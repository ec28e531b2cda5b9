package store_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestProviderCopiesFollowTheSite: a visit and a thread carry their
// site's provider (migration 00024's triggers) for the schedule and the
// inbox; when the ERP moves the site to another provider, both follow at
// once, so the old provider's staff lose the site and the new one's get
// it, on both engines.
func TestProviderCopiesFollowTheSite(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var a, b, visit int64
		at := db.Now().Add(48 * time.Hour)
		from, to := at.Add(-time.Hour), at.Add(time.Hour)
		site := portal.Site{Source: "t", ExternalID: "s", Street: "Hämeenkatu 1", City: "Tampere"}
		err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			if a, err = tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: "a", Name: "A Oy", Active: true}); err != nil {
				return err
			}
			if b, err = tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: "b", Name: "B Oy", Active: true}); err != nil {
				return err
			}
			if site.CustomerID, err = tx.UpsertCustomer(ctx, portal.Customer{Source: "t", ExternalID: "c", Name: "C", Email: "c@example.fi"}); err != nil {
				return err
			}
			site.ProviderID = a
			if site.ID, err = tx.UpsertSite(ctx, site); err != nil {
				return err
			}
			if visit, err = tx.UpsertVisit(ctx, portal.Visit{SiteID: site.ID, Source: "t", ExternalID: "v", StartsAt: at,
				EndsAt: at.Add(time.Hour), Status: portal.VisitConfirmed, WorkerFirstName: "Aino"}); err != nil {
				return err
			}
			th, err := tx.EnsureThread(ctx, site.ID)
			if err != nil {
				return err
			}
			_, err = tx.AddMessage(ctx, portal.Message{ThreadID: th, AuthorKind: "customer", AuthorName: "C", Body: "Hei"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		sees := func(provider int64) (visits, workers, threads int) {
			t.Helper()
			err := db.Write(ctx, func(tx *store.Tx) error {
				vs, err := tx.ProviderSchedule(ctx, store.ScheduleQuery{ProviderID: provider, From: from, To: to, Limit: 10})
				if err != nil {
					return err
				}
				ws, err := tx.ProviderWorkers(ctx, provider, from, to, 10)
				if err != nil {
					return err
				}
				th, err := tx.ProviderInbox(ctx, provider, 0, true, 10, 0) // from the start
				visits, workers, threads = len(vs), len(ws), len(th)
				if len(vs) == 1 && vs[0].Visit.ID != visit {
					t.Errorf("provider %d sees visit %d, want %d", provider, vs[0].Visit.ID, visit)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return
		}
		if v, w, th := sees(a); v != 1 || w != 1 || th != 1 {
			t.Errorf("provider A sees %d visits, %d workers, %d threads of its site, want 1 each", v, w, th)
		}
		if v, w, th := sees(b); v+w+th != 0 {
			t.Errorf("provider B sees %d visits, %d workers, %d threads of A's site", v, w, th)
		}
		site.ProviderID = b
		if err := db.Write(ctx, func(tx *store.Tx) error { _, err := tx.UpsertSite(ctx, site); return err }); err != nil {
			t.Fatal(err)
		}
		if v, w, th := sees(a); v+w+th != 0 {
			t.Errorf("after the move provider A still sees %d visits, %d workers, %d threads", v, w, th)
		}
		if v, w, th := sees(b); v != 1 || w != 1 || th != 1 {
			t.Errorf("after the move provider B sees %d visits, %d workers, %d threads, want 1 each", v, w, th)
		}
	})
}

// TestProviderSchedulePages: the day's schedule pages through the index in
// its own order (migration 00029): many visits at the same start times in
// mixed statuses and workers, a deleted visit, a deleted site, a deleted
// customer and another provider's site. For each filter every page, read
// by offset, is the next slice of the expected list, soonest first and by
// id within a start time, on both engines.
func TestProviderSchedulePages(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		day := time.Date(2026, 12, 3, 0, 0, 0, 0, portal.Helsinki)
		statuses := []portal.VisitStatus{portal.VisitPlanned, portal.VisitDone, portal.VisitCancelledByCustomer,
			portal.VisitConfirmed, portal.VisitCancelledByProvider}
		workers := []string{"Aino", "Bertil", ""}
		type row struct {
			id     int64
			at     time.Time
			status portal.VisitStatus
			worker string
		}
		var mine []row // the live visits of provider a's live sites on the day
		var a int64
		err := db.Write(ctx, func(tx *store.Tx) error {
			var b int64
			var err error
			if a, err = tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: "a", Name: "A Oy", Active: true}); err != nil {
				return err
			}
			if b, err = tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: "b", Name: "B Oy", Active: true}); err != nil {
				return err
			}
			type home struct {
				provider         int64
				deleteSite, gone bool
			}
			homes := []home{{provider: a}, {provider: a}, {provider: a, deleteSite: true}, {provider: a, gone: true}, {provider: b}}
			n := 0
			for h, hm := range homes {
				cust, err := tx.UpsertCustomer(ctx, portal.Customer{Source: "t", ExternalID: fmt.Sprint("c", h), Name: "C",
					Email: fmt.Sprintf("c%d@example.fi", h)})
				if err != nil {
					return err
				}
				site, err := tx.UpsertSite(ctx, portal.Site{CustomerID: cust, ProviderID: hm.provider, Source: "t",
					ExternalID: fmt.Sprint("s", h), Street: "Katu 1", City: "Tampere"})
				if err != nil {
					return err
				}
				// 40 visits a home at four start times (and one the day
				// before and one the day after, outside the day).
				for i := range 42 {
					at := day.Add(time.Duration(8+i%4) * time.Hour)
					switch i {
					case 40:
						at = day.Add(-time.Minute)
					case 41:
						at = day.Add(24 * time.Hour)
					}
					st, w := statuses[n%len(statuses)], workers[n%len(workers)]
					n++
					id, err := tx.UpsertVisit(ctx, portal.Visit{SiteID: site, Source: "t", ExternalID: fmt.Sprint("v", h, "-", i),
						StartsAt: at, EndsAt: at.Add(time.Hour), Status: st, WorkerFirstName: w})
					if err != nil {
						return err
					}
					deleted := i == 7
					if deleted {
						if _, err := tx.MarkERPDeleted(ctx, "visits", id); err != nil {
							return err
						}
					}
					if hm.provider == a && !hm.deleteSite && !hm.gone && !deleted && i < 40 {
						mine = append(mine, row{id, at, st, w})
					}
				}
				if hm.deleteSite {
					if _, err := tx.MarkERPDeleted(ctx, "sites", site); err != nil {
						return err
					}
				}
				if hm.gone {
					if _, err := tx.MarkERPDeleted(ctx, "customers", cust); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(mine, func(x, y row) int {
			if c := x.at.Compare(y.at); c != 0 {
				return c
			}
			return cmp.Compare(x.id, y.id)
		})
		for _, tc := range []struct {
			name     string
			statuses []portal.VisitStatus
			worker   string
		}{
			{"all", nil, ""},
			{"done", []portal.VisitStatus{portal.VisitDone}, ""},
			{"cancelled", []portal.VisitStatus{portal.VisitCancelledByCustomer, portal.VisitCancelledByProvider}, ""},
			{"Aino's agreed", []portal.VisitStatus{portal.VisitPlanned, portal.VisitConfirmed}, "Aino"},
			{"nobody's", nil, "Nobody"},
		} {
			var want []int64
			for _, r := range mine {
				if (tc.statuses == nil || slices.Contains(tc.statuses, r.status)) && (tc.worker == "" || r.worker == tc.worker) {
					want = append(want, r.id)
				}
			}
			const per = 7
			var got []int64
			err := db.Read(ctx, func(tx *store.Tx) error {
				for off := 0; ; off += per {
					page, err := tx.ProviderSchedule(ctx, store.ScheduleQuery{ProviderID: a, From: day, To: day.Add(24 * time.Hour),
						Statuses: tc.statuses, Worker: tc.worker, Limit: per, Offset: off})
					if err != nil {
						return err
					}
					for _, p := range page {
						got = append(got, p.Visit.ID)
					}
					if len(page) < per {
						return nil
					}
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: the pages list %v, want %v", tc.name, got, want)
			}
		}
		if len(mine) != 2*40-2 {
			t.Fatalf("the test set has %d live visits of provider a, want 78", len(mine))
		}
	})
}
