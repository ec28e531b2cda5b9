package app

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestCancelFeeOutcome: what a cancellation costs is fixed in the cancel's
// own transaction, by the terms at the app's clock at that moment, and
// kept on the visit and in the changes journal (fee_cents, fee_reason):
// free before the deadline, charged after it, 0 € for illness, never
// charged when the provider cancels.
func TestCancelFeeOutcome(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		maija, staff := w.signIn(t, "maija@example.fi"), w.signIn(t, "staff@example.fi")
		site := w.sites["koti"]
		var contract int64
		if err := db.Write(ctx, func(tx *store.Tx) (err error) {
			contract, err = tx.UpsertContract(ctx, portal.Contract{SiteID: site, Source: "t", ExternalID: "k-fee", Kind: portal.ContractRegular,
				Service: "Siivous", Rhythm: "weekly", PriceCents: 11257, Start: portal.NewDate(2024, 1, 1)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name     string
			ahead    time.Duration // the visit's start after the clock
			percent  int           // the policy's late fee (0: 100 %)
			illness  bool
			provider bool          // cancelled by the provider's staff
			wait     time.Duration // the clock moves between showing and confirming
			changed  bool          // then the terms changed: nothing is cancelled
			fee      int64
			reason   portal.FeeReason
		}{
			{name: "free well before the deadline", ahead: 10 * 24 * time.Hour, fee: 0, reason: portal.FeeFree},
			{name: "free exactly at the deadline", ahead: 7 * 24 * time.Hour, fee: 0, reason: portal.FeeFree},
			{name: "free, illness ticked needlessly", ahead: 10 * 24 * time.Hour, illness: true, fee: 0, reason: portal.FeeFree},
			{name: "charged a minute after the deadline", ahead: 7*24*time.Hour - time.Minute, fee: 11257, reason: portal.FeeCharged},
			{name: "charged two days before", ahead: 2 * 24 * time.Hour, fee: 11257, reason: portal.FeeCharged},
			{name: "charged a percentage", ahead: 2 * 24 * time.Hour, percent: 50, fee: 5629, reason: portal.FeeCharged},
			{name: "illness is 0 €", ahead: 2 * 24 * time.Hour, illness: true, fee: 0, reason: portal.FeeIllness},
			{name: "provider-cancelled late is never charged", ahead: 2 * 24 * time.Hour, provider: true, fee: 0, reason: portal.FeeFree},
			{name: "provider-cancelled early", ahead: 10 * 24 * time.Hour, provider: true, fee: 0, reason: portal.FeeFree},
			// Shown free, confirmed after the deadline passed: the clock at the
			// moment of cancelling decides, so the terms changed.
			{name: "deadline passes before confirming", ahead: 7*24*time.Hour + time.Minute, wait: 2 * time.Minute, changed: true},
			// Shown free, confirmed ill after the deadline: the clock decides,
			// and illness waives the fee that is now due.
			{name: "deadline passes, ill", ahead: 7*24*time.Hour + time.Minute, wait: 2 * time.Minute, illness: true, fee: 0,
				reason: portal.FeeIllness},
		}
		for i, c := range tests {
			t.Run(c.name, func(t *testing.T) {
				clock.Set(t0.Add(time.Duration(i) * time.Hour))
				percent := c.percent
				if percent == 0 {
					percent = 100
				}
				var id int64
				if err := db.Write(ctx, func(tx *store.Tx) error {
					p, err := tx.Policies(ctx)
					if err != nil {
						return err
					}
					p.LateFeePercent = percent
					if err := tx.SetPolicies(ctx, p); err != nil {
						return err
					}
					at := tx.Now().Add(c.ahead)
					id, err = tx.UpsertVisit(ctx, portal.Visit{SiteID: site, ContractID: contract, Source: "t", ExternalID: "fee-" + c.name,
						StartsAt: at, EndsAt: at.Add(3 * time.Hour), Status: portal.VisitConfirmed, PriceCents: 11257})
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if c.provider {
					if err := w.app.CancelVisitForProvider(ctx, staff, id, 0, "Työntekijä sairastui"); err != nil {
						t.Fatal(err)
					}
				} else {
					d, err := w.app.Visit(ctx, maija, site, id)
					if err != nil {
						t.Fatal(err)
					}
					clock.Advance(c.wait)
					_, err = w.app.CancelVisit(ctx, maija, site, id, c.illness, shownOf(d))
					if c.changed {
						var changed *TermsChangedError
						if !errors.As(err, &changed) || changed.Terms.FeeCents != 11257 {
							t.Fatalf("confirmed after the deadline on the free terms: %v", err)
						}
						if v := visitOf(t, w, maija, site, id); v.Status != portal.VisitConfirmed || v.CancelFeeReason != portal.FeeUnknown {
							t.Errorf("refused cancel changed the visit: %s %q", v.Status, v.CancelFeeReason)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
				}
				v := visitOf(t, w, maija, site, id)
				if !v.Status.Cancelled() || v.CancelFeeCents != c.fee || v.CancelFeeReason != c.reason {
					t.Errorf("stored %s %d %q, want %d %q", v.Status, v.CancelFeeCents, v.CancelFeeReason, c.fee, c.reason)
				}
				var last store.Change
				db.Read(ctx, func(tx *store.Tx) error {
					all, err := tx.ChangesAfter(ctx, 0, 1000)
					if len(all) > 0 {
						last = all[len(all)-1]
					}
					return err
				})
				var data struct {
					FeeCents  int64  `json:"fee_cents"`
					FeeReason string `json:"fee_reason"`
				}
				if err := json.Unmarshal([]byte(last.Data), &data); err != nil || last.EntityID != id ||
					data.FeeCents != c.fee || data.FeeReason != string(c.reason) {
					t.Errorf("journal %s %s, want fee %d %q (%v)", last.Kind, last.Data, c.fee, c.reason, err)
				}
			})
		}
	})
}

// visitOf reads a visit as its customer sees it.
func visitOf(t *testing.T, w *world, v Viewer, site, id int64) portal.Visit {
	t.Helper()
	d, err := w.app.Visit(context.Background(), v, site, id)
	if err != nil {
		t.Fatal(err)
	}
	return d.Visit
}

// TestCancelPreview: the confirmation step's preview changes nothing, is
// the customer's alone, prices the chosen reason and refuses a stale
// sequence.
func TestCancelPreview(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		soon, _ := visitWorld(t, w)
		maija, matti := w.signIn(t, "maija@example.fi"), w.signIn(t, "matti@example.fi")
		staff, admin := w.signIn(t, "staff@example.fi"), w.signIn(t, "admin@example.fi")
		site := w.sites["koti"]
		if _, err := w.app.CancelPreview(ctx, matti, site, soon, false, 0); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("another customer previews: %v", err)
		}
		for name, v := range map[string]Viewer{"staff": staff, "admin": admin} {
			if _, err := w.app.CancelPreview(ctx, v, site, soon, false, 0); !errors.Is(err, portal.ErrForbidden) {
				t.Errorf("%s previews: %v", name, err)
			}
		}
		d, err := w.app.CancelPreview(ctx, maija, site, soon, false, 0)
		if err != nil || d.Terms.FeeCents != 8900 || d.Terms.Reason() != portal.FeeCharged {
			t.Errorf("preview %+v %v", d.Terms, err)
		}
		d, err = w.app.CancelPreview(ctx, maija, site, soon, true, 0)
		if err != nil || d.Terms.FeeCents != 0 || d.Terms.Reason() != portal.FeeIllness {
			t.Errorf("ill preview %+v %v", d.Terms, err)
		}
		var changed *TermsChangedError
		if _, err := w.app.CancelPreview(ctx, maija, site, soon, false, 1); !errors.As(err, &changed) {
			t.Errorf("stale sequence: %v", err)
		}
		if v := visitOf(t, w, maija, site, soon); v.Status != portal.VisitConfirmed || v.Sequence != 0 {
			t.Errorf("previews changed the visit: %s %d", v.Status, v.Sequence)
		}
	})
}
