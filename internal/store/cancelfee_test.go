package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestCancelFeeRoundTrip: a cancellation's fee and reason are stored on the
// visit and read back by every visit query (the site's visits, the
// provider's, the dashboard's cancelled ones, within scope only); the ERP
// echoing the status keeps them, the ERP changing the status clears them;
// migration 00021 fills them in for visits cancelled before it, from the
// changes journal.
func TestCancelFeeRoundTrip(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, "aiti@esimerkki.fi", "1")
		scope, other := store.Scope{EmailNorm: "aiti@esimerkki.fi"}, store.Scope{EmailNorm: "joku@esimerkki.fi"}
		ids := map[string]int64{}
		visit := func(ext string, days int, st portal.VisitStatus) portal.Visit {
			at := t0.AddDate(0, 0, days)
			return portal.Visit{ID: ids[ext], SiteID: f.site, ContractID: f.contract, Source: "t", ExternalID: ext, StartsAt: at,
				EndsAt: at.Add(3 * time.Hour), Status: st, Service: "Siivous", PriceCents: 11257}
		}
		write := func(fn func(tx *store.Tx) error) {
			t.Helper()
			if err := db.Write(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		write(func(tx *store.Tx) (err error) {
			for i, ext := range []string{"a", "b", "c", "d", "e"} {
				if ids[ext], err = tx.UpsertVisit(ctx, visit(ext, i+1, portal.VisitPlanned)); err != nil {
					return err
				}
			}
			if err := tx.CancelVisitByCustomer(ctx, ids["a"], 0, 11257, portal.FeeCharged, portal.Actor{}); err != nil {
				return err
			}
			return tx.CancelVisitByProvider(ctx, ids["b"], 0, "Työntekijä sairastui")
		})
		get := func(ext string) portal.Visit {
			t.Helper()
			var v portal.Visit
			if err := db.Read(ctx, func(tx *store.Tx) (err error) { v, err = tx.VisitOfSite(ctx, f.site, ids[ext]); return err }); err != nil {
				t.Fatal(err)
			}
			return v
		}
		if v := get("a"); v.Status != portal.VisitCancelledByCustomer || v.CancelFeeCents != 11257 || v.CancelFeeReason != portal.FeeCharged {
			t.Errorf("customer's cancel: %s %d %q", v.Status, v.CancelFeeCents, v.CancelFeeReason)
		}
		if v := get("b"); v.Status != portal.VisitCancelledByProvider || v.CancelFeeCents != 0 || v.CancelFeeReason != portal.FeeFree {
			t.Errorf("provider's cancel: %s %d %q", v.Status, v.CancelFeeCents, v.CancelFeeReason)
		}
		db.Read(ctx, func(tx *store.Tx) error {
			list, err := tx.SiteVisits(ctx, f.site, t0, true, 10, 0)
			if err != nil || len(list) != 5 || list[0].CancelFeeReason != portal.FeeCharged || list[0].CancelFeeCents != 11257 {
				t.Errorf("site visits %+v %v", list, err)
			}
			pv, err := tx.ProviderSchedule(ctx, store.ScheduleQuery{ProviderID: f.provider, From: t0, To: t0.AddDate(0, 0, 30), Limit: 10})
			if err != nil || len(pv) != 5 || pv[0].Visit.CancelFeeReason != portal.FeeCharged || pv[1].Visit.CancelFeeReason != portal.FeeFree {
				t.Errorf("provider visits %+v %v", pv, err)
			}
			ahead := func(scope store.Scope, now time.Time) ([]portal.Visit, error) {
				d, err := tx.SiteDashboard(ctx, scope, f.site, now, store.Reader{}, store.DashboardParts{Cancelled: 3})
				return d.Cancelled, err
			}
			cancelled, err := ahead(scope, t0)
			if err != nil || len(cancelled) != 2 || cancelled[0].ID != ids["a"] || cancelled[0].CancelFeeCents != 11257 || cancelled[1].ID != ids["b"] {
				t.Errorf("cancelled ahead %+v %v", cancelled, err)
			}
			if cancelled, err := ahead(other, t0); !errors.Is(err, portal.ErrNotFound) || len(cancelled) != 0 {
				t.Errorf("another account sees the cancellations: %+v %v", cancelled, err)
			}
			if cancelled, err := ahead(scope, t0.AddDate(0, 0, 2)); err != nil || len(cancelled) != 1 {
				t.Errorf("ended cancellations listed: %+v %v", cancelled, err)
			}
			if d, err := tx.SiteDashboard(ctx, scope, f.site, t0, store.Reader{}, store.DashboardParts{Cancelled: 1}); err != nil ||
				len(d.Cancelled) != 1 || d.Cancelled[0].ID != ids["a"] {
				t.Errorf("one cancelled visit asked for: %+v %v", d.Cancelled, err)
			}
			return nil
		})

		// The ERP echoes the customer's cancellation: the fee stays. It
		// plans the provider's cancelled visit again: the fee goes.
		write(func(tx *store.Tx) error {
			if _, err := tx.UpsertVisit(ctx, visit("a", 1, portal.VisitCancelledByCustomer)); err != nil {
				return err
			}
			_, err := tx.UpsertVisit(ctx, visit("b", 2, portal.VisitPlanned))
			return err
		})
		if v := get("a"); v.CancelFeeCents != 11257 || v.CancelFeeReason != portal.FeeCharged {
			t.Errorf("after the ERP's echo: %d %q", v.CancelFeeCents, v.CancelFeeReason)
		}
		if v := get("b"); v.Status != portal.VisitPlanned || v.CancelFeeCents != 0 || v.CancelFeeReason != portal.FeeUnknown {
			t.Errorf("planned again: %s %d %q", v.Status, v.CancelFeeCents, v.CancelFeeReason)
		}
		// A visit the ERP writes cancelled by the provider is free; one it
		// writes cancelled by the customer carries what the writer knows.
		write(func(tx *store.Tx) (err error) {
			if ids["p"], err = tx.UpsertVisit(ctx, visit("p", 6, portal.VisitCancelledByProvider)); err != nil {
				return err
			}
			v := visit("q", 7, portal.VisitCancelledByCustomer)
			v.CancelFeeCents, v.CancelFeeReason = 11257, portal.FeeCharged
			ids["q"], err = tx.UpsertVisit(ctx, v)
			return err
		})
		if v := get("p"); v.CancelFeeReason != portal.FeeFree {
			t.Errorf("ERP's provider cancellation: %q", v.CancelFeeReason)
		}
		if v := get("q"); v.CancelFeeCents != 11257 || v.CancelFeeReason != portal.FeeCharged {
			t.Errorf("ERP's customer cancellation: %d %q", v.CancelFeeCents, v.CancelFeeReason)
		}

		// Visits cancelled before migration 00021: c and d by the customer
		// (journal: a fee; illness), e by the provider; a keeps its own.
		text, err := store.MigrationText(db.Engine(), "00021_cancel_fee.sql")
		if err != nil {
			t.Fatal(err)
		}
		up := text[strings.Index(text, "-- +goose Up"):strings.Index(text, "-- +goose Down")]
		write(func(tx *store.Tx) error {
			for ext, st := range map[string]portal.VisitStatus{"c": portal.VisitCancelledByCustomer, "d": portal.VisitCancelledByCustomer,
				"e": portal.VisitCancelledByProvider} {
				if _, err := tx.UpsertVisit(ctx, visit(ext, 0, st)); err != nil {
					return err
				}
			}
			of := store.ChangeOf{CustomerID: f.customer, SiteID: f.site}
			for _, e := range []portal.CustomerCancelledVisit{
				{VisitID: ids["c"], FeeCents: 0, Illness: true, Deadline: t0}, // cancelled ill, later re-planned
				{VisitID: ids["c"], FeeCents: 4450, Deadline: t0},
				{VisitID: ids["d"], FeeCents: 0, Illness: true, Deadline: t0},
			} {
				if _, err := tx.AppendChange(ctx, of, e); err != nil {
					return err
				}
			}
			// As the rows were before 00021: no fee kept.
			if err := tx.ExecForTest(ctx, `UPDATE visits SET cancel_fee_cents = 0, cancel_fee_reason = '' WHERE id IN ($1, $2, $3)`,
				ids["c"], ids["d"], ids["e"]); err != nil {
				return err
			}
			for _, stmt := range strings.Split(up, ";") {
				if s := strings.TrimSpace(stmt); strings.Contains(s, "UPDATE visits") {
					if err := tx.ExecForTest(ctx, s[strings.Index(s, "UPDATE visits"):]); err != nil {
						return err
					}
				}
			}
			return nil
		})
		for ext, want := range map[string]struct {
			fee    int64
			reason portal.FeeReason
		}{"a": {11257, portal.FeeCharged}, "b": {0, portal.FeeUnknown}, "c": {4450, portal.FeeCharged}, "d": {0, portal.FeeIllness},
			"e": {0, portal.FeeFree}} {
			if v := get(ext); v.CancelFeeCents != want.fee || v.CancelFeeReason != want.reason {
				t.Errorf("after 00021, visit %s: %d %q, want %d %q", ext, v.CancelFeeCents, v.CancelFeeReason, want.fee, want.reason)
			}
		}
	})
}
