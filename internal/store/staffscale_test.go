package store_test

import (
	"context"
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
