package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestOfflineCopyWindow: the device keeps a customer's visits from now to
// the end of the 14th day ahead in Helsinki — the one under way too, not
// one that has ended nor one on the 15th day — of their own sites only;
// staff and admins keep nothing.
func TestOfflineCopyWindow(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		now := clock.Now()
		today := portal.DateOf(now)
		local := func(days, h, m int) time.Time {
			d := today.AddDays(days)
			return time.Date(d.Year, d.Month, d.Day, h, m, 0, 0, portal.Helsinki)
		}
		cases := []struct {
			name     string
			start    time.Time
			duration time.Duration
			kept     bool
		}{
			{"ended an hour ago", now.Add(-3 * time.Hour), 2 * time.Hour, false},
			{"under way", now.Add(-time.Hour), 2 * time.Hour, true},
			{"in an hour", now.Add(time.Hour), time.Hour, true},
			{"the 14th day, late evening", local(14, 23, 30), 20 * time.Minute, true},
			{"the 15th day, just after midnight", local(15, 0, 30), time.Hour, false},
			{"in a month", local(30, 9, 0), time.Hour, false},
		}
		ids := map[int64]string{}
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i, c := range cases {
				id, err := tx.UpsertVisit(ctx, portal.Visit{SiteID: w.sites["koti"], Source: "t", ExternalID: "v" + string(rune('a'+i)),
					StartsAt: c.start, EndsAt: c.start.Add(c.duration), Status: portal.VisitConfirmed})
				if err != nil {
					return err
				}
				ids[id] = c.name
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := w.app.OfflineCopy(ctx, w.signIn(t, "maija@example.fi"))
		if err != nil {
			t.Fatal(err)
		}
		kept := map[string]bool{}
		for _, s := range got {
			if s.Site.ID != w.sites["koti"] && s.Site.ID != w.sites["mokki"] {
				t.Errorf("maija's copy holds site %d", s.Site.ID)
			}
			for _, v := range s.Visits {
				if s.Site.ID != w.sites["koti"] || ids[v.ID] == "" {
					t.Errorf("visit %d of site %d kept", v.ID, s.Site.ID)
				}
				kept[ids[v.ID]] = true
			}
		}
		if len(got) == 0 {
			t.Fatal("maija keeps no site")
		}
		for _, c := range cases {
			if kept[c.name] != c.kept {
				t.Errorf("%s: kept %v, want %v", c.name, kept[c.name], c.kept)
			}
		}
		// Matti keeps his own site only.
		mattis, err := w.app.OfflineCopy(ctx, w.signIn(t, "matti@example.fi"))
		if err != nil || len(mattis) != 1 || mattis[0].Site.ID != w.sites["matti"] || len(mattis[0].Visits) != 0 {
			t.Errorf("matti's copy %+v, %v", mattis, err)
		}
		for _, who := range []string{"staff@example.fi", "admin@example.fi"} {
			if _, err := w.app.OfflineCopy(ctx, w.signIn(t, who)); !errors.Is(err, portal.ErrForbidden) {
				t.Errorf("%s: %v, want forbidden", who, err)
			}
		}
	})
}
